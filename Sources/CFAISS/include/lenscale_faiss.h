/*
 * Lenscale's own thin C layer over the parts of FAISS (C++) that SimilaritySearch uses.
 *
 * Why this exists: Debian 12's libfaiss-dev ships FAISS's C API headers but not libfaiss_c,
 * and libfaiss.a holds only C++ symbols. Swift cannot call C++ FAISS directly without
 * C++ interop, so this header declares a small extern "C" surface written for Lenscale.
 *
 * Conventions, for every function here:
 *   - No C++ exception ever crosses this boundary. A failing call returns a status other
 *     than LS_OK and leaves a human-readable message in ls_last_error(), which is
 *     thread-local and valid until the next failing call on the same thread.
 *   - Handles are opaque and owned by the caller; each has an explicit free function.
 *     Free functions accept NULL.
 *   - Index handles are internally synchronised with a reader-writer lock: any number of
 *     searches may run concurrently, while add/remove/train take the lock exclusively.
 *     PCA handles are immutable after training.
 *   - Float vectors are row-major, `n * dimension` floats. Vector indexes L2-normalise
 *     copies of inputs (never the caller's buffer), so scores are cosine similarities.
 */
#ifndef LENSCALE_FAISS_H
#define LENSCALE_FAISS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__clang__)
#pragma clang assume_nonnull begin
#endif

typedef enum ls_status {
    LS_OK = 0,
    /// A caller mistake: wrong dimension, k == 0, a zero or non-finite vector, bad sizes.
    LS_ERR_INVALID_ARGUMENT = 1,
    /// An id is already present (or repeated within the batch).
    LS_ERR_DUPLICATE_ID = 2,
    /// An approximate index was used before it was trained.
    LS_ERR_NOT_TRAINED = 3,
    /// The operating system refused to open, read, write, sync or rename a file.
    LS_ERR_IO = 4,
    /// A file is not a Lenscale index of the expected kind, is truncated, or fails its checksum.
    LS_ERR_CORRUPT = 5,
    LS_ERR_OUT_OF_MEMORY = 6,
    /// FAISS or the shim failed in a way the caller could not have prevented.
    LS_ERR_INTERNAL = 7,
} ls_status;

/// Message for the most recent failure on the calling thread ("" if none yet).
const char *ls_last_error(void);

/// Which SIMD kernels the shim selected at start-up ("avx2+fma", "generic").
const char *ls_kernel_name(void);

/* ---------------------------------------------------------------------------------------
 * Search hits: ids with one value each (a Hamming distance or a cosine score), in order.
 * ------------------------------------------------------------------------------------- */

typedef struct ls_hits ls_hits;

size_t ls_hits_count(const ls_hits *hits);
/// `count` ids; NULL when count is 0.
const int64_t *_Nullable ls_hits_ids(const ls_hits *hits);
/// `count` values; NULL when count is 0.
const float *_Nullable ls_hits_values(const ls_hits *hits);
void ls_hits_free(ls_hits *_Nullable hits);

/* ---------------------------------------------------------------------------------------
 * Hamming index: 64-bit codes with int64 ids, exact radius and k-nearest search.
 * Storage is a FAISS IndexBinaryIDMap over IndexBinaryFlat; the scan is ours (see .cpp).
 * ------------------------------------------------------------------------------------- */

typedef struct ls_hamming ls_hamming;

typedef enum ls_hamming_engine {
    /// The shim's fastest scan for this CPU (AVX2, else POPCNT, else portable code).
    LS_HAMMING_SCAN = 0,
    /// FAISS's own IndexBinaryFlat::range_search, kept as the reference peer.
    LS_HAMMING_FAISS_FLAT = 1,
    /// The shim's scalar fallback scan, so tests can check it on AVX2 machines too.
    LS_HAMMING_SCAN_SCALAR = 2,
} ls_hamming_engine;

ls_status ls_hamming_create(ls_hamming *_Nullable *_Nonnull out);
void ls_hamming_free(ls_hamming *_Nullable index);
int64_t ls_hamming_count(const ls_hamming *index);
/// Adds `n` codes. Fails without changing the index if any id is already present.
ls_status ls_hamming_add(ls_hamming *index, size_t n, const int64_t *ids, const uint64_t *codes);
/// Removes the given ids (absent ids are ignored); `removed` receives how many went. O(count).
ls_status ls_hamming_remove(ls_hamming *index, size_t n, const int64_t *ids, size_t *removed);
/// Every code within `max_distance` (0...64) of `code`, sorted by distance then id.
ls_status ls_hamming_range(const ls_hamming *index, uint64_t code, int32_t max_distance,
                           ls_hamming_engine engine, ls_hits *_Nullable *_Nonnull out);
/// The `k` nearest codes, sorted by distance then id; ties at the cut keep the smaller ids.
ls_status ls_hamming_nearest(const ls_hamming *index, uint64_t code, size_t k,
                             ls_hits *_Nullable *_Nonnull out);
ls_status ls_hamming_save(const ls_hamming *index, const char *path);
ls_status ls_hamming_load(const char *path, ls_hamming *_Nullable *_Nonnull out);

/* ---------------------------------------------------------------------------------------
 * Vector index: cosine similarity over L2-normalised float vectors (inner-product metric).
 * Flat = FAISS IndexIDMap(IndexFlatIP); IVF = FAISS IndexIVFFlat with a spherical k-means
 * coarse quantizer. Distance loops run in the shim's SIMD kernels (see .cpp for why).
 * ------------------------------------------------------------------------------------- */

typedef struct ls_vectors ls_vectors;

ls_status ls_vectors_create_flat(int32_t dimension, ls_vectors *_Nullable *_Nonnull out);
/// An IVF index with `lists` inverted lists; `probes` is the default lists searched per query.
ls_status ls_vectors_create_ivf(int32_t dimension, int32_t lists, int32_t probes,
                                ls_vectors *_Nullable *_Nonnull out);
void ls_vectors_free(ls_vectors *_Nullable index);

int32_t ls_vectors_dimension(const ls_vectors *index);
int64_t ls_vectors_count(const ls_vectors *index);
/// 0 for a flat index.
int32_t ls_vectors_lists(const ls_vectors *index);
/// 0 for a flat index.
int32_t ls_vectors_default_probes(const ls_vectors *index);
/// 1 when the index can accept vectors (always for flat).
int32_t ls_vectors_is_trained(const ls_vectors *index);
/// The fewest training vectors an IVF index accepts (39 per list, FAISS's own guidance).
size_t ls_vectors_min_training(const ls_vectors *index);

/// Trains the IVF coarse quantizer (spherical k-means) on a sample of `n` vectors.
ls_status ls_vectors_train(ls_vectors *index, size_t n, const float *vectors);
/// Adds `n` vectors. Fails without changing the index if any id is present or any vector
/// is zero or non-finite. An untrained IVF index is first trained on this batch when it holds
/// at least ls_vectors_min_training vectors (LS_ERR_NOT_TRAINED otherwise).
ls_status ls_vectors_add(ls_vectors *index, size_t n, const int64_t *ids, const float *vectors);
/// Top `k` by cosine, best first, ties by smaller id. `probes` <= 0 uses the default.
ls_status ls_vectors_search(const ls_vectors *index, const float *query, size_t k, int32_t probes,
                            ls_hits *_Nullable *_Nonnull out);
ls_status ls_vectors_save(const ls_vectors *index, const char *path);
ls_status ls_vectors_load(const char *path, ls_vectors *_Nullable *_Nonnull out);

/* ---------------------------------------------------------------------------------------
 * PCA: FAISS PCAMatrix (no whitening, no random rotation). Immutable once trained.
 * ------------------------------------------------------------------------------------- */

typedef struct ls_pca ls_pca;

ls_status ls_pca_train(int32_t input_dimension, int32_t output_dimension, size_t n,
                       const float *vectors, ls_pca *_Nullable *_Nonnull out);
void ls_pca_free(ls_pca *_Nullable pca);
int32_t ls_pca_input_dimension(const ls_pca *pca);
int32_t ls_pca_output_dimension(const ls_pca *pca);
/// Share of the training variance kept by the output dimensions, in [0, 1].
double ls_pca_retained_variance(const ls_pca *pca);
/// Projects `n` input vectors into `out` (n * output_dimension floats).
ls_status ls_pca_apply(const ls_pca *pca, size_t n, const float *vectors, float *out);
ls_status ls_pca_save(const ls_pca *pca, const char *path);
ls_status ls_pca_load(const char *path, ls_pca *_Nullable *_Nonnull out);

#if defined(__clang__)
#pragma clang assume_nonnull end
#endif

#ifdef __cplusplus
}
#endif

#endif /* LENSCALE_FAISS_H */
