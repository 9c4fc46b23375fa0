// Probe behind VectorIndex's design: Debian 12's FAISS (1.7.3, baseline x86-64 build) on
// 512-d float vectors: raw distance speed, exact flat search, HNSW build cost, and IVF-Flat
// train/add cost through the reference BLAS. Usage: bench/search/probes/run.sh vector [N] [hnsw|ivf]
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using clk = std::chrono::steady_clock;
using idx_t = faiss::Index::idx_t;
static double ms(clk::time_point a) { return std::chrono::duration<double, std::milli>(clk::now() - a).count(); }

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? atol(argv[1]) : 100000;
    const std::string what = argc > 2 ? argv[2] : "ivf";
    const int d = 512, nq = 100, k = 10;
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0, 1);
    const size_t clusters = std::max<size_t>(100, n / 1000);
    std::vector<float> centres(clusters * d), xb(n * d), xq(size_t(nq) * d);
    for (auto& x : centres) x = g(rng);
    auto gen = [&](float* out) {
        size_t c = rng() % clusters;
        for (int j = 0; j < d; j++) out[j] = centres[c * d + j] + g(rng);
    };
    for (size_t i = 0; i < n; i++) gen(&xb[i * d]);
    for (int i = 0; i < nq; i++) gen(&xq[size_t(i) * d]);
    faiss::fvec_renorm_L2(d, n, xb.data());
    faiss::fvec_renorm_L2(d, nq, xq.data());

    auto t = clk::now();
    float sink = 0;
    for (size_t i = 0; i < n; i++) sink += faiss::fvec_inner_product(xq.data(), &xb[i * d], d);
    double el = ms(t);
    printf("fvec_inner_product d=512: %.0f ns/vector, %.1f GFLOP/s (%g)\n", el * 1e6 / n, 2.0 * n * d / (el * 1e6), sink);

    faiss::IndexFlatIP flat(d);
    flat.add(n, xb.data());
    std::vector<idx_t> gt(size_t(nq) * k);
    std::vector<float> gd(size_t(nq) * k);
    std::vector<double> lat;
    for (int i = 0; i < nq; i++) {
        auto a = clk::now();
        flat.search(1, &xq[size_t(i) * d], k, &gd[i * k], &gt[i * k]);
        lat.push_back(ms(a));
    }
    std::sort(lat.begin(), lat.end());
    printf("IndexFlatIP %zu: single-query median %.2f ms\n", n, lat[nq / 2]);
    auto recall = [&](const std::vector<idx_t>& got) {
        size_t hit = 0;
        for (int i = 0; i < nq; i++)
            for (int a = 0; a < k; a++)
                hit += std::count(&gt[i * k], &gt[i * k] + k, got[i * k + a]);
        return double(hit) / (nq * k);
    };
    auto bench = [&](const char* name, faiss::Index& index) {
        std::vector<idx_t> labels(size_t(nq) * k);
        std::vector<float> dist(size_t(nq) * k);
        std::vector<double> l;
        for (int i = 0; i < nq; i++) {
            auto a = clk::now();
            index.search(1, &xq[size_t(i) * d], k, &dist[i * k], &labels[i * k]);
            l.push_back(ms(a));
        }
        std::sort(l.begin(), l.end());
        printf("  %-24s median %.3f ms  recall@10 %.3f\n", name, l[nq / 2], recall(labels));
    };
    if (what == "hnsw") {
        for (int m : {16, 32}) {
            faiss::IndexHNSWFlat h(d, m, faiss::METRIC_INNER_PRODUCT);
            h.hnsw.efConstruction = 40;
            t = clk::now();
            h.add(n, xb.data());
            printf("HNSW%d efConstruction 40: build %.1f s for %zu vectors\n", m, ms(t) / 1000, n);
            for (int ef : {16, 64, 128}) {
                h.hnsw.efSearch = ef;
                char name[32];
                snprintf(name, sizeof name, "HNSW%d efSearch %d", m, ef);
                bench(name, h);
            }
        }
    } else {
        const int lists = 1024;
        faiss::IndexFlatIP quantizer(d);
        faiss::IndexIVFFlat ivf(&quantizer, d, lists, faiss::METRIC_INNER_PRODUCT);
        ivf.cp.niter = 10;
        const size_t ntrain = std::min(n, size_t(lists) * 39);
        t = clk::now();
        ivf.train(ntrain, xb.data());
        double train = ms(t) / 1000;
        t = clk::now();
        ivf.add(n, xb.data());
        printf("IVF%d: train on %zu %.1f s, add %.1f s (reference BLAS)\n", lists, ntrain, train, ms(t) / 1000);
        for (int probes : {8, 16, 32}) {
            ivf.nprobe = probes;
            char name[32];
            snprintf(name, sizeof name, "IVF%d nprobe %d", lists, probes);
            bench(name, ivf);
        }
    }
}
