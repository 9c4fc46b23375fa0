// The extern "C" boundary between Swift and FAISS's C++ classes. Written for Lenscale (not
// FAISS's c_api sources): a small surface, every entry point wrapped in `guarded` so no C++
// exception reaches Swift, every handle behind a reader-writer lock.
//
// What FAISS does here: storage (IndexBinaryFlat, IndexFlatIP, IndexIVFFlat inverted lists),
// id maps, spherical k-means training, PCAMatrix training and all serialisation.
// What the shim does itself: the distance loops (see ls_kernels.h for the measurements that
// made that necessary with Debian's baseline-x86-64 libfaiss build) and a checksummed file
// envelope (ls_container.h).

#include "lenscale_faiss.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <random>
#include <shared_mutex>
#include <string>
#include <typeinfo>
#include <unordered_set>
#include <vector>

#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/VectorTransform.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>

#include "ls_container.h"
#include "ls_kernels.h"

using lenscale::Failure;
using lenscale::PayloadKind;

// ---- error plumbing ---------------------------------------------------------------------------

namespace {

thread_local std::string g_last_error;

void set_error(const char* message) noexcept {
    try {
        g_last_error = message;
    } catch (...) {
        // Out of memory while reporting; the status code still tells the caller what happened.
    }
}

template <class Body>
ls_status guarded(Body&& body) noexcept {
    try {
        body();
        return LS_OK;
    } catch (const Failure& e) {
        set_error(e.what());
        return e.status;
    } catch (const faiss::FaissException& e) {
        set_error((std::string("FAISS failed: ") + e.what()).c_str());
        return LS_ERR_INTERNAL;
    } catch (const std::bad_alloc&) {
        set_error("out of memory; use a smaller batch or free memory and retry");
        return LS_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_error(e.what());
        return LS_ERR_INTERNAL;
    } catch (...) {
        set_error("unknown C++ exception in the FAISS shim");
        return LS_ERR_INTERNAL;
    }
}

[[noreturn]] void fail(ls_status status, const std::string& message) { throw Failure(status, message); }

/// Rejects ids already present or repeated within the batch, before anything is changed.
void check_new_ids(const std::unordered_set<int64_t>& present, size_t n, const int64_t* ids) {
    std::unordered_set<int64_t> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (present.count(ids[i]))
            fail(LS_ERR_DUPLICATE_ID, "id " + std::to_string(ids[i]) +
                                          " is already in the index; remove it first or use a different id");
        if (!batch.insert(ids[i]).second)
            fail(LS_ERR_DUPLICATE_ID, "id " + std::to_string(ids[i]) +
                                          " appears more than once in this batch; pass each id once");
    }
}

} // namespace

struct ls_hits {
    std::vector<int64_t> ids;
    std::vector<float> values;
};

extern "C" const char* ls_last_error(void) { return g_last_error.c_str(); }
extern "C" const char* ls_kernel_name(void) { return lenscale::kernel_name(); }

extern "C" size_t ls_hits_count(const ls_hits* hits) { return hits->ids.size(); }
extern "C" const int64_t* ls_hits_ids(const ls_hits* hits) { return hits->ids.empty() ? nullptr : hits->ids.data(); }
extern "C" const float* ls_hits_values(const ls_hits* hits) {
    return hits->values.empty() ? nullptr : hits->values.data();
}
extern "C" void ls_hits_free(ls_hits* hits) { delete hits; }

// ---- Hamming index ----------------------------------------------------------------------------

struct ls_hamming {
    std::unique_ptr<faiss::IndexBinaryIDMap> index; // owns an IndexBinaryFlat(64)
    std::unordered_set<int64_t> ids;
    mutable std::shared_mutex mutex;

    const faiss::IndexBinaryFlat& flat() const { return *static_cast<const faiss::IndexBinaryFlat*>(index->index); }
};

namespace {

std::unique_ptr<faiss::IndexBinaryIDMap> new_binary_map() {
    auto flat = std::make_unique<faiss::IndexBinaryFlat>(64);
    auto map = std::make_unique<faiss::IndexBinaryIDMap>(flat.get());
    map->own_fields = true;
    flat.release();
    return map;
}

} // namespace

extern "C" ls_status ls_hamming_create(ls_hamming** out) {
    *out = nullptr;
    return guarded([&] {
        auto h = std::make_unique<ls_hamming>();
        h->index = new_binary_map();
        *out = h.release();
    });
}

extern "C" void ls_hamming_free(ls_hamming* index) { delete index; }

extern "C" int64_t ls_hamming_count(const ls_hamming* h) {
    std::shared_lock lock(h->mutex);
    return h->index->ntotal;
}

extern "C" ls_status ls_hamming_add(ls_hamming* h, size_t n, const int64_t* ids, const uint64_t* codes) {
    return guarded([&] {
        if (n == 0) return;
        std::unique_lock lock(h->mutex);
        check_new_ids(h->ids, n, ids);
        for (size_t i = 0; i < n; ++i) h->ids.insert(ids[i]);
        try {
            // Codes are stored as their 8 little-endian bytes, FAISS's layout for d = 64.
            h->index->add_with_ids(faiss::Index::idx_t(n), reinterpret_cast<const uint8_t*>(codes), ids);
        } catch (...) {
            for (size_t i = 0; i < n; ++i) h->ids.erase(ids[i]);
            throw;
        }
    });
}

extern "C" ls_status ls_hamming_remove(ls_hamming* h, size_t n, const int64_t* ids, size_t* removed) {
    *removed = 0;
    return guarded([&] {
        if (n == 0) return;
        std::unique_lock lock(h->mutex);
        std::vector<faiss::Index::idx_t> present;
        for (size_t i = 0; i < n; ++i)
            if (h->ids.count(ids[i])) present.push_back(ids[i]);
        if (present.empty()) return;
        faiss::IDSelectorBatch selector(present.size(), present.data());
        const size_t gone = h->index->remove_ids(selector); // shifts the codes: O(count)
        for (auto id : present) h->ids.erase(id);
        *removed = gone;
    });
}

extern "C" ls_status ls_hamming_range(const ls_hamming* h, uint64_t code, int32_t max_distance,
                                      ls_hamming_engine engine, ls_hits** out) {
    *out = nullptr;
    return guarded([&] {
        if (max_distance < 0 || max_distance > 64)
            fail(LS_ERR_INVALID_ARGUMENT,
                 "maxDistance must be between 0 and 64 for 64-bit codes (got " + std::to_string(max_distance) + ")");
        std::vector<std::pair<int32_t, int64_t>> found; // (distance, id)
        {
            std::shared_lock lock(h->mutex);
            if (engine == LS_HAMMING_FAISS_FLAT) {
                uint8_t query[8];
                std::memcpy(query, &code, 8);
                faiss::RangeSearchResult result(1);
                // FAISS keeps distances strictly below the radius.
                h->index->range_search(1, query, max_distance + 1, &result);
                for (size_t i = result.lims[0]; i < result.lims[1]; ++i)
                    found.emplace_back(int32_t(result.distances[i]), result.labels[i]);
            } else {
                std::vector<std::pair<int32_t, size_t>> positions;
                const uint8_t* codes = h->flat().xb.data();
                const size_t n = size_t(h->index->ntotal);
                if (engine == LS_HAMMING_SCAN_SCALAR) lenscale::hamming_within_scalar(codes, n, code, max_distance, positions);
                else lenscale::hamming_within(codes, n, code, max_distance, positions);
                found.reserve(positions.size());
                for (const auto& p : positions) found.emplace_back(p.first, h->index->id_map[p.second]);
            }
        }
        std::sort(found.begin(), found.end());
        auto hits = std::make_unique<ls_hits>();
        hits->ids.reserve(found.size());
        hits->values.reserve(found.size());
        for (const auto& f : found) {
            hits->ids.push_back(f.second);
            hits->values.push_back(float(f.first));
        }
        *out = hits.release();
    });
}

extern "C" ls_status ls_hamming_nearest(const ls_hamming* h, uint64_t code, size_t k, ls_hits** out) {
    *out = nullptr;
    return guarded([&] {
        if (k == 0) fail(LS_ERR_INVALID_ARGUMENT, "k must be at least 1");
        std::vector<std::pair<int32_t, int64_t>> found;
        {
            std::shared_lock lock(h->mutex);
            std::vector<std::pair<int32_t, size_t>> candidates;
            lenscale::hamming_nearest_candidates(h->flat().xb.data(), size_t(h->index->ntotal), code, k, candidates);
            found.reserve(candidates.size());
            for (const auto& c : candidates) found.emplace_back(c.first, h->index->id_map[c.second]);
        }
        // Candidates hold everything up to the k-th distance and all its ties; sorting by
        // (distance, id) and cutting at k keeps the smaller ids among the ties.
        std::sort(found.begin(), found.end());
        if (found.size() > k) found.resize(k);
        auto hits = std::make_unique<ls_hits>();
        for (const auto& f : found) {
            hits->ids.push_back(f.second);
            hits->values.push_back(float(f.first));
        }
        *out = hits.release();
    });
}

extern "C" ls_status ls_hamming_save(const ls_hamming* h, const char* path) {
    return guarded([&] {
        std::shared_lock lock(h->mutex);
        lenscale::write_container(path, PayloadKind::hamming,
                                  [&](faiss::IOWriter* w) { faiss::write_index_binary(h->index.get(), w); });
    });
}

extern "C" ls_status ls_hamming_load(const char* path, ls_hamming** out) {
    *out = nullptr;
    return guarded([&] {
        std::unique_ptr<faiss::IndexBinary> loaded;
        lenscale::read_container(path, PayloadKind::hamming,
                                 [&](faiss::IOReader* r) { loaded.reset(faiss::read_index_binary(r)); });
        const std::string bad = std::string("'") + path + "' does not hold a Lenscale Hamming index: ";
        auto* map = dynamic_cast<faiss::IndexBinaryIDMap*>(loaded.get());
        if (!map || typeid(*map) != typeid(faiss::IndexBinaryIDMap)) fail(LS_ERR_CORRUPT, bad + "unexpected FAISS index type");
        auto* flat = dynamic_cast<faiss::IndexBinaryFlat*>(map->index);
        if (!flat || flat->d != 64 || map->d != 64) fail(LS_ERR_CORRUPT, bad + "codes are not 64-bit IndexBinaryFlat");
        const size_t n = size_t(map->ntotal);
        if (size_t(flat->ntotal) != n || map->id_map.size() != n || flat->xb.size() != n * 8)
            fail(LS_ERR_CORRUPT, bad + "counts of codes and ids disagree");
        auto h = std::make_unique<ls_hamming>();
        h->ids.reserve(n);
        for (auto id : map->id_map)
            if (!h->ids.insert(id).second) fail(LS_ERR_CORRUPT, bad + "id " + std::to_string(id) + " appears twice");
        h->index.reset(map);
        loaded.release();
        *out = h.release();
    });
}

// ---- vector index -----------------------------------------------------------------------------

namespace {

/// FAISS's IndexFlatIP with search() routed through the shim's SIMD kernel. Used as the IVF
/// coarse quantizer so FAISS's own k-means (training) and list assignment (add) run fast;
/// it serialises as a plain IndexFlatIP, and is swapped back in after loading.
struct SimdFlatIP final : faiss::IndexFlatIP {
    explicit SimdFlatIP(idx_t d) : faiss::IndexFlatIP(d) {}

    void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                const faiss::SearchParameters* params = nullptr) const override {
        FAISS_THROW_IF_NOT_MSG(!params, "search parameters are not supported by SimdFlatIP");
        FAISS_THROW_IF_NOT(k > 0);
        lenscale::knn_inner_product(x, size_t(n), get_xb(), size_t(ntotal), size_t(d), size_t(k), distances, labels);
    }
};

constexpr size_t kMinTrainingPerList = 39;  // FAISS warns below this many points per centroid
constexpr size_t kMaxTrainingPerList = 64;  // more barely moves recall but costs k-means time
constexpr size_t kAddChunk = 65536;         // bounds the temporary normalised copy

/// Validates rows and returns 1/‖row‖ for each, so normalisation can be applied later
/// chunk by chunk, after every check has passed.
std::vector<float> inverse_norms(const float* x, size_t n, size_t d, const char* what) {
    std::vector<float> inv(n);
    for (size_t i = 0; i < n; ++i) {
        double ss = 0;
        for (size_t t = 0; t < d; ++t) {
            const float v = x[i * d + t];
            if (!std::isfinite(v))
                fail(LS_ERR_INVALID_ARGUMENT, std::string(what) + " " + std::to_string(i) + " has a NaN or infinite value at component " +
                                                  std::to_string(t) + "; fix the embedding before indexing it");
            ss += double(v) * v;
        }
        if (ss == 0)
            fail(LS_ERR_INVALID_ARGUMENT, std::string(what) + " " + std::to_string(i) +
                                              " is all zeros, so its cosine similarity is undefined; skip it");
        inv[i] = float(1.0 / std::sqrt(ss));
    }
    return inv;
}

void scale_rows(const float* x, size_t n, size_t d, const float* inv, float* out) {
    for (size_t i = 0; i < n; ++i)
        for (size_t t = 0; t < d; ++t) out[i * d + t] = x[i * d + t] * inv[i];
}

} // namespace

struct ls_vectors {
    int32_t d = 0;
    std::unique_ptr<faiss::IndexIDMap> flat;  // over IndexFlatIP; set for the exact kind
    std::unique_ptr<faiss::IndexIVFFlat> ivf; // quantizer is a SimdFlatIP; set for the IVF kind
    std::unordered_set<int64_t> ids;
    mutable std::shared_mutex mutex;

    int64_t count() const { return flat ? flat->ntotal : ivf->ntotal; }
    const SimdFlatIP& quantizer() const { return *static_cast<const SimdFlatIP*>(ivf->quantizer); }
};

namespace {

void check_dimension(int32_t d) {
    if (d < 1 || d > 65536) fail(LS_ERR_INVALID_ARGUMENT, "dimension must be between 1 and 65536 (got " + std::to_string(d) + ")");
}

std::unique_ptr<faiss::IndexIVFFlat> new_ivf(int32_t d, int32_t lists, int32_t probes) {
    auto quantizer = std::make_unique<SimdFlatIP>(d);
    auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer.get(), size_t(d), size_t(lists), faiss::METRIC_INNER_PRODUCT);
    ivf->own_fields = true;
    quantizer.release();
    ivf->nprobe = size_t(probes);
    ivf->cp.spherical = true; // unit-norm centroids: the right k-means for cosine
    ivf->cp.niter = 10;
    ivf->cp.seed = 20240601;
    ivf->cp.min_points_per_centroid = int(kMinTrainingPerList);
    ivf->cp.max_points_per_centroid = int(kMaxTrainingPerList); // we sample before FAISS does
    return ivf;
}

} // namespace

extern "C" ls_status ls_vectors_create_flat(int32_t dimension, ls_vectors** out) {
    *out = nullptr;
    return guarded([&] {
        check_dimension(dimension);
        auto h = std::make_unique<ls_vectors>();
        h->d = dimension;
        auto flat = std::make_unique<faiss::IndexFlatIP>(dimension);
        h->flat = std::make_unique<faiss::IndexIDMap>(flat.get());
        h->flat->own_fields = true;
        flat.release();
        *out = h.release();
    });
}

extern "C" ls_status ls_vectors_create_ivf(int32_t dimension, int32_t lists, int32_t probes, ls_vectors** out) {
    *out = nullptr;
    return guarded([&] {
        check_dimension(dimension);
        if (lists < 1 || lists > (1 << 20))
            fail(LS_ERR_INVALID_ARGUMENT, "lists must be between 1 and 1048576 (got " + std::to_string(lists) + ")");
        if (probes < 1 || probes > lists)
            fail(LS_ERR_INVALID_ARGUMENT, "probes must be between 1 and lists (" + std::to_string(lists) + "), got " + std::to_string(probes));
        auto h = std::make_unique<ls_vectors>();
        h->d = dimension;
        h->ivf = new_ivf(dimension, lists, probes);
        *out = h.release();
    });
}

extern "C" void ls_vectors_free(ls_vectors* index) { delete index; }
extern "C" int32_t ls_vectors_dimension(const ls_vectors* h) { return h->d; }

extern "C" int64_t ls_vectors_count(const ls_vectors* h) {
    std::shared_lock lock(h->mutex);
    return h->count();
}

extern "C" int32_t ls_vectors_lists(const ls_vectors* h) { return h->ivf ? int32_t(h->ivf->nlist) : 0; }
extern "C" int32_t ls_vectors_default_probes(const ls_vectors* h) { return h->ivf ? int32_t(h->ivf->nprobe) : 0; }

extern "C" int32_t ls_vectors_is_trained(const ls_vectors* h) {
    std::shared_lock lock(h->mutex);
    return h->ivf ? int32_t(h->ivf->is_trained) : 1;
}

extern "C" size_t ls_vectors_min_training(const ls_vectors* h) {
    return h->ivf ? h->ivf->nlist * kMinTrainingPerList : 0;
}

namespace {

/// Spherical k-means on a fixed-seed sample of x; the caller holds the exclusive lock.
void train_locked(ls_vectors* h, size_t n, const float* x) {
    if (h->ivf->is_trained) fail(LS_ERR_INVALID_ARGUMENT, "the index is already trained; create a new index to retrain");
    const size_t lists = h->ivf->nlist, d = size_t(h->d);
    const size_t need = lists * kMinTrainingPerList;
    if (n < need)
        fail(LS_ERR_INVALID_ARGUMENT, "an IVF index with " + std::to_string(lists) + " lists needs at least " + std::to_string(need) +
                                          " training vectors (39 per list), got " + std::to_string(n) +
                                          "; pass more vectors, choose fewer lists, or use the flat kind");
    // A fixed-seed sample: the same input always trains the same centroids.
    const size_t m = std::min(n, lists * kMaxTrainingPerList);
    std::vector<size_t> rows(n);
    std::iota(rows.begin(), rows.end(), size_t(0));
    std::mt19937_64 rng(0x1e45ca1e);
    for (size_t i = 0; i < m; ++i) std::swap(rows[i], rows[i + size_t(rng() % (n - i))]);
    rows.resize(m);
    std::sort(rows.begin(), rows.end());
    std::vector<float> sample(m * d);
    for (size_t i = 0; i < m; ++i) std::memcpy(&sample[i * d], x + rows[i] * d, d * sizeof(float));
    const auto inv = inverse_norms(sample.data(), m, d, "training vector (sampled)");
    scale_rows(sample.data(), m, d, inv.data(), sample.data());
    h->ivf->train(faiss::Index::idx_t(m), sample.data());
}

} // namespace

extern "C" ls_status ls_vectors_train(ls_vectors* h, size_t n, const float* x) {
    return guarded([&] {
        if (!h->ivf) fail(LS_ERR_INVALID_ARGUMENT, "a flat index needs no training; just add vectors");
        std::unique_lock lock(h->mutex);
        train_locked(h, n, x);
    });
}

extern "C" ls_status ls_vectors_add(ls_vectors* h, size_t n, const int64_t* ids, const float* x) {
    return guarded([&] {
        if (n == 0) return;
        const size_t d = size_t(h->d);
        std::unique_lock lock(h->mutex);
        const bool must_train = h->ivf && !h->ivf->is_trained;
        if (must_train && n < h->ivf->nlist * kMinTrainingPerList)
            fail(LS_ERR_NOT_TRAINED, "the IVF index is not trained yet and this batch of " + std::to_string(n) +
                                         " is too small to train it; call train with at least " +
                                         std::to_string(h->ivf->nlist * kMinTrainingPerList) + " representative vectors first");
        check_new_ids(h->ids, n, ids);
        const auto inv = inverse_norms(x, n, d, "vector");
        // Checked first so a bad batch neither trains nor adds; trained under the same lock so
        // two first batches racing cannot both train.
        if (must_train) train_locked(h, n, x);
        std::vector<float> chunk(std::min(n, kAddChunk) * d);
        for (size_t i = 0; i < n; i += kAddChunk) {
            const size_t m = std::min(kAddChunk, n - i);
            scale_rows(x + i * d, m, d, inv.data() + i, chunk.data());
            if (h->flat) h->flat->add_with_ids(faiss::Index::idx_t(m), chunk.data(), ids + i);
            else h->ivf->add_with_ids(faiss::Index::idx_t(m), chunk.data(), ids + i);
            for (size_t j = 0; j < m; ++j) h->ids.insert(ids[i + j]);
        }
    });
}

extern "C" ls_status ls_vectors_search(const ls_vectors* h, const float* query, size_t k, int32_t probes, ls_hits** out) {
    *out = nullptr;
    return guarded([&] {
        if (k == 0) fail(LS_ERR_INVALID_ARGUMENT, "k must be at least 1");
        const size_t d = size_t(h->d);
        const auto inv = inverse_norms(query, 1, d, "query vector");
        std::vector<float> q(d);
        scale_rows(query, 1, d, inv.data(), q.data());
        std::vector<std::pair<float, int64_t>> best;
        {
            std::shared_lock lock(h->mutex);
            k = std::min(k, size_t(h->count())); // also keeps huge k from sizing huge buffers
            if (k == 0) {
                // empty index: nothing to find
            } else if (h->flat) {
                const auto* base = static_cast<const faiss::IndexFlatIP*>(h->flat->index);
                best = lenscale::knn_one(q.data(), base->get_xb(), size_t(base->ntotal), d, k);
                for (auto& b : best) b.second = h->flat->id_map[size_t(b.second)];
            } else {
                const size_t nlist = h->ivf->nlist;
                const size_t nprobe = probes > 0 ? std::min(size_t(probes), nlist) : h->ivf->nprobe;
                const auto lists = lenscale::knn_one(q.data(), h->quantizer().get_xb(), nlist, d, nprobe);
                const faiss::InvertedLists* il = h->ivf->invlists;
                lenscale::TopK top(k);
                constexpr size_t block = 256;
                float scores[block];
                for (const auto& entry : lists) {
                    const size_t list = size_t(entry.second), size = il->list_size(list);
                    if (size == 0) continue;
                    faiss::InvertedLists::ScopedCodes codes(il, list);
                    faiss::InvertedLists::ScopedIds list_ids(il, list);
                    const auto* rows = reinterpret_cast<const float*>(codes.get());
                    for (size_t off = 0; off < size; off += block) {
                        const size_t m = std::min(block, size - off);
                        lenscale::inner_products(q.data(), 1, rows + off * d, m, d, scores, m);
                        for (size_t c = 0; c < m; ++c) top.push(scores[c], list_ids[off + c]);
                    }
                }
                best = top.take_sorted();
            }
        }
        auto hits = std::make_unique<ls_hits>();
        for (const auto& b : best) {
            hits->ids.push_back(b.second);
            hits->values.push_back(b.first);
        }
        *out = hits.release();
    });
}

extern "C" ls_status ls_vectors_save(const ls_vectors* h, const char* path) {
    return guarded([&] {
        std::shared_lock lock(h->mutex);
        const faiss::Index* root = h->flat ? static_cast<const faiss::Index*>(h->flat.get()) : h->ivf.get();
        lenscale::write_container(path, PayloadKind::vectors, [&](faiss::IOWriter* w) { faiss::write_index(root, w); });
    });
}

extern "C" ls_status ls_vectors_load(const char* path, ls_vectors** out) {
    *out = nullptr;
    return guarded([&] {
        std::unique_ptr<faiss::Index> loaded;
        lenscale::read_container(path, PayloadKind::vectors,
                                 [&](faiss::IOReader* r) { loaded.reset(faiss::read_index(r)); });
        const std::string bad = std::string("'") + path + "' does not hold a Lenscale vector index: ";
        if (!loaded || loaded->metric_type != faiss::METRIC_INNER_PRODUCT || loaded->d < 1 || loaded->d > 65536)
            fail(LS_ERR_CORRUPT, bad + "wrong metric or dimension");
        auto h = std::make_unique<ls_vectors>();
        h->d = int32_t(loaded->d);
        const faiss::Index& root = *loaded;
        if (typeid(root) == typeid(faiss::IndexIDMap)) {
            auto* map = static_cast<faiss::IndexIDMap*>(loaded.get());
            auto* base = dynamic_cast<faiss::IndexFlatIP*>(map->index);
            if (!base || base->d != map->d || base->ntotal != map->ntotal || map->id_map.size() != size_t(map->ntotal))
                fail(LS_ERR_CORRUPT, bad + "flat index and id map disagree");
            for (auto id : map->id_map)
                if (!h->ids.insert(id).second) fail(LS_ERR_CORRUPT, bad + "id " + std::to_string(id) + " appears twice");
            h->flat.reset(map);
            loaded.release();
        } else if (typeid(root) == typeid(faiss::IndexIVFFlat)) {
            auto* ivf = static_cast<faiss::IndexIVFFlat*>(loaded.get());
            auto* old = dynamic_cast<faiss::IndexFlat*>(ivf->quantizer);
            if (!old || old->metric_type != faiss::METRIC_INNER_PRODUCT || old->d != ivf->d ||
                (ivf->is_trained && size_t(old->ntotal) != ivf->nlist) || !ivf->invlists || ivf->nprobe < 1 ||
                ivf->nprobe > ivf->nlist)
                fail(LS_ERR_CORRUPT, bad + "IVF quantizer does not match its lists");
            auto quantizer = std::make_unique<SimdFlatIP>(old->d);
            quantizer->codes.swap(old->codes);
            quantizer->ntotal = old->ntotal;
            quantizer->is_trained = old->is_trained;
            if (ivf->own_fields) delete ivf->quantizer;
            ivf->quantizer = quantizer.release();
            ivf->own_fields = true;
            size_t total = 0;
            for (size_t list = 0; list < ivf->nlist; ++list) {
                const size_t size = ivf->invlists->list_size(list);
                faiss::InvertedLists::ScopedIds list_ids(ivf->invlists, list);
                for (size_t i = 0; i < size; ++i)
                    if (!h->ids.insert(list_ids[i]).second)
                        fail(LS_ERR_CORRUPT, bad + "id " + std::to_string(list_ids[i]) + " appears twice");
                total += size;
            }
            if (total != size_t(ivf->ntotal)) fail(LS_ERR_CORRUPT, bad + "list sizes do not add up to the count");
            h->ivf.reset(ivf);
            loaded.release();
        } else {
            fail(LS_ERR_CORRUPT, bad + "unexpected FAISS index type");
        }
        *out = h.release();
    });
}

// ---- PCA --------------------------------------------------------------------------------------

struct ls_pca {
    std::unique_ptr<faiss::PCAMatrix> pca;
};

extern "C" ls_status ls_pca_train(int32_t din, int32_t dout, size_t n, const float* x, ls_pca** out) {
    *out = nullptr;
    return guarded([&] {
        check_dimension(din);
        if (dout < 1 || dout > din)
            fail(LS_ERR_INVALID_ARGUMENT, "output dimension must be between 1 and the input dimension (" + std::to_string(din) +
                                              "), got " + std::to_string(dout));
        if (n < 2) fail(LS_ERR_INVALID_ARGUMENT, "PCA needs at least 2 training vectors, got " + std::to_string(n));
        for (size_t i = 0; i < n * size_t(din); ++i)
            if (!std::isfinite(x[i]))
                fail(LS_ERR_INVALID_ARGUMENT, "training vector " + std::to_string(i / size_t(din)) + " has a NaN or infinite value");
        auto p = std::make_unique<faiss::PCAMatrix>(din, dout, 0.0f, false);
        p->train(faiss::Index::idx_t(n), x);
        auto h = std::make_unique<ls_pca>();
        h->pca = std::move(p);
        *out = h.release();
    });
}

extern "C" void ls_pca_free(ls_pca* pca) { delete pca; }
extern "C" int32_t ls_pca_input_dimension(const ls_pca* h) { return int32_t(h->pca->d_in); }
extern "C" int32_t ls_pca_output_dimension(const ls_pca* h) { return int32_t(h->pca->d_out); }

extern "C" double ls_pca_retained_variance(const ls_pca* h) {
    const auto& ev = h->pca->eigenvalues;
    double kept = 0, total = 0;
    for (size_t i = 0; i < ev.size(); ++i) {
        const double v = std::max(0.0, double(ev[i]));
        total += v;
        if (i < size_t(h->pca->d_out)) kept += v;
    }
    return total > 0 ? kept / total : 0;
}

extern "C" ls_status ls_pca_apply(const ls_pca* h, size_t n, const float* x, float* out) {
    return guarded([&] {
        const auto& p = *h->pca;
        const size_t din = size_t(p.d_in), dout = size_t(p.d_out);
        for (size_t i = 0; i < n * din; ++i)
            if (!std::isfinite(x[i]))
                fail(LS_ERR_INVALID_ARGUMENT, "vector " + std::to_string(i / din) + " has a NaN or infinite value");
        // y = A x + b with A: dout × din. The shim's kernel instead of FAISS's apply_noalloc,
        // which goes through the reference BLAS sgemm on this system.
        lenscale::inner_products_parallel(x, n, p.A.data(), dout, din, out, dout);
        if (p.have_bias)
            for (size_t i = 0; i < n; ++i)
                for (size_t j = 0; j < dout; ++j) out[i * dout + j] += p.b[j];
    });
}

extern "C" ls_status ls_pca_save(const ls_pca* h, const char* path) {
    return guarded([&] {
        lenscale::write_container(path, PayloadKind::pca,
                                  [&](faiss::IOWriter* w) { faiss::write_VectorTransform(h->pca.get(), w); });
    });
}

extern "C" ls_status ls_pca_load(const char* path, ls_pca** out) {
    *out = nullptr;
    return guarded([&] {
        std::unique_ptr<faiss::VectorTransform> loaded;
        lenscale::read_container(path, PayloadKind::pca,
                                 [&](faiss::IOReader* r) { loaded.reset(faiss::read_VectorTransform(r)); });
        auto* p = dynamic_cast<faiss::PCAMatrix*>(loaded.get());
        if (!p || !p->is_trained || p->d_in < 1 || p->d_out < 1 || p->d_out > p->d_in ||
            p->A.size() != size_t(p->d_in) * size_t(p->d_out) || (p->have_bias && p->b.size() != size_t(p->d_out)))
            fail(LS_ERR_CORRUPT, std::string("'") + path + "' does not hold a trained Lenscale PCA transform");
        auto h = std::make_unique<ls_pca>();
        h->pca.reset(p);
        loaded.release();
        *out = h.release();
    });
}
