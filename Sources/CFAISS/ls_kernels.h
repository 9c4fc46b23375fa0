// Distance kernels for the Lenscale FAISS shim (internal; not part of the Swift module).
//
// Why the shim has its own kernels: Debian 12's libfaiss.a is built for baseline x86-64, so
// its float distance code is the scalar reference loop (fvec_inner_product ->
// fvec_inner_product_ref, one accumulator, ~2.5 GFLOP/s measured) and its popcount is the
// software fallback (IndexBinaryFlat: 2.8 ms per 1M codes single-threaded, against 0.2 ms
// here). Its BLAS is the reference Fortran one. These few loops, compiled with per-function
// target attributes and picked at run time from CPUID, are where all the search time goes;
// everything else stays FAISS's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace lenscale {

/// "avx2+fma" or "generic": which kernels were selected for this CPU.
const char* kernel_name();

/// out[i * ldo + j] = <x_i, y_j> for x: nx × d and y: ny × d, both row-major.
void inner_products(const float* x, size_t nx, const float* y, size_t ny, size_t d, float* out,
                    size_t ldo);

/// inner_products for large batches (PCA over many rows): cache-tiled and split over cores.
void inner_products_parallel(const float* x, size_t nx, const float* y, size_t ny, size_t d, float* out,
                             size_t ldo);

/// Keeps the k best (score, id) pairs: higher score first, ties broken by smaller id,
/// so results do not depend on insertion order.
class TopK {
public:
    explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }
    void push(float score, int64_t id);
    /// Best first; leaves the collector empty.
    std::vector<std::pair<float, int64_t>> take_sorted();
    size_t size() const { return heap_.size(); }
    void merge(TopK& other);

private:
    static bool better(const std::pair<float, int64_t>& a, const std::pair<float, int64_t>& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    }
    size_t k_;
    std::vector<std::pair<float, int64_t>> heap_; // worst at front once full
};

/// Exact k-nearest by inner product of each of the nx queries against the ny rows of y.
/// labels are row numbers in y; missing results are (-inf, -1). Uses up to all cores when
/// the work is large enough to pay for starting threads.
void knn_inner_product(const float* x, size_t nx, const float* y, size_t ny, size_t d, size_t k,
                       float* scores, int64_t* labels);

/// Same, but returns the best-first (score, row) pairs for a single query.
std::vector<std::pair<float, int64_t>> knn_one(const float* q, const float* y, size_t ny, size_t d,
                                               size_t k);

/// Positions (and distances) of 8-byte codes within max_distance of q, in position order.
void hamming_within(const uint8_t* codes, size_t n, uint64_t q, int max_distance,
                    std::vector<std::pair<int32_t, size_t>>& out);

/// hamming_within without SIMD (POPCNT if the CPU has it): the fallback tier, callable directly
/// so tests can check it on machines where the AVX2 tier is the one selected.
void hamming_within_scalar(const uint8_t* codes, size_t n, uint64_t q, int max_distance,
                           std::vector<std::pair<int32_t, size_t>>& out);

/// Candidates for the k codes nearest to q: every (distance, position) whose distance is at
/// most the final cut-off, which includes all codes closer than the k-th and every code tied
/// with it. The caller sorts by (distance, id) and keeps k. One pass: the cut-off only shrinks.
void hamming_nearest_candidates(const uint8_t* codes, size_t n, uint64_t q, size_t k,
                                std::vector<std::pair<int32_t, size_t>>& out);

/// Number of hardware threads the shim will use for large batch work.
unsigned worker_count();

} // namespace lenscale
