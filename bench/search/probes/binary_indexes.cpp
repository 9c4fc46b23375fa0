// Probe behind HammingIndex's design: FAISS's binary indexes for exact radius queries on 1M
// random 64-bit codes, against a plain POPCNT scan. Single queries, as the app issues them.
// Build and run: bench/search/probes/run.sh binary   (g++, because it needs <omp.h>)
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

using clk = std::chrono::steady_clock;
static double ms(clk::time_point a) { return std::chrono::duration<double, std::milli>(clk::now() - a).count(); }

__attribute__((target("popcnt"))) static size_t scan(const uint64_t* db, size_t n, uint64_t q, int t) {
    size_t found = 0;
    for (size_t i = 0; i < n; i++) found += __builtin_popcountll(db[i] ^ q) <= t;
    return found;
}

int main(int argc, char** argv) {
    const size_t n = 1000000;
    const int nq = 200;
    omp_set_num_threads(argc > 1 ? atoi(argv[1]) : 1);
    std::mt19937_64 rng(42);
    std::vector<uint64_t> db(n + 1), qs(nq + 1); // +1: MultiHash reads up to 7 bytes past a code
    for (size_t i = 0; i < n; i++) db[i] = rng();
    for (int i = 0; i < nq; i++) {
        qs[i] = rng();
        for (int d = 0; d <= 14; d++) { // planted neighbours at distances 0..14
            std::vector<int> bits(64);
            std::iota(bits.begin(), bits.end(), 0);
            std::shuffle(bits.begin(), bits.end(), rng);
            uint64_t c = qs[i];
            for (int k = 0; k < d; k++) c ^= 1ULL << bits[k];
            db[rng() % n] = c;
        }
    }
    auto t0 = clk::now();
    faiss::IndexBinaryFlat flat(64);
    flat.add(n, (uint8_t*)db.data());
    printf("IndexBinaryFlat build %.0f ms\n", ms(t0));
    struct Cfg { int nhash, b; };
    std::vector<Cfg> cfgs = {{2, 32}, {3, 21}, {4, 16}, {5, 12}, {6, 10}};
    std::vector<std::unique_ptr<faiss::IndexBinaryMultiHash>> multi;
    for (auto c : cfgs) {
        auto t = clk::now();
        multi.emplace_back(new faiss::IndexBinaryMultiHash(64, c.nhash, c.b));
        multi.back()->add(n, (uint8_t*)db.data());
        printf("IndexBinaryMultiHash %dx%d build %.0f ms\n", c.nhash, c.b, ms(t));
    }
    faiss::IndexBinaryHash hash16(64, 16);
    t0 = clk::now();
    hash16.add(n, (uint8_t*)db.data());
    printf("IndexBinaryHash b=16 build %.0f ms\n", ms(t0));

    for (int t : {8, 10, 12}) {
        printf("== maxDistance %d (FAISS radius %d: it keeps distances < radius)\n", t, t + 1);
        std::vector<size_t> truth(nq);
        auto bench = [&](const char* name, auto fn) {
            std::vector<double> lat;
            for (int i = 0; i < nq; i++) {
                auto a = clk::now();
                fn(i);
                lat.push_back(ms(a));
            }
            std::sort(lat.begin(), lat.end());
            printf("  %-30s median %8.3f ms  p99 %8.3f ms\n", name, lat[nq / 2], lat[nq * 99 / 100]);
        };
        bench("IndexBinaryFlat", [&](int i) {
            faiss::RangeSearchResult r(1);
            flat.range_search(1, (uint8_t*)&qs[i], t + 1, &r);
            truth[i] = r.lims[1];
        });
        size_t bad = 0;
        bench("POPCNT scan", [&](int i) { bad += scan(db.data(), n, qs[i], t) != truth[i]; });
        for (auto& m : multi) {
            m->nflip = (t + m->nhash) / m->nhash - 1; // exact: nhash * (nflip + 1) > t (pigeonhole)
            char name[64];
            snprintf(name, sizeof name, "MultiHash %dx%d nflip %d", m->nhash, m->b, m->nflip);
            bench(name, [&](int i) {
                faiss::RangeSearchResult r(1);
                m->range_search(1, (uint8_t*)&qs[i], t + 1, &r);
                bad += r.lims[1] != truth[i];
            });
        }
        hash16.nflip = t; // a single table is exact only when it flips every bit the radius allows
        bench("Hash b=16 nflip=T", [&](int i) {
            faiss::RangeSearchResult r(1);
            hash16.range_search(1, (uint8_t*)&qs[i], t + 1, &r);
        });
        printf("  result-count mismatches vs IndexBinaryFlat: %zu\n", bad);
    }
}
