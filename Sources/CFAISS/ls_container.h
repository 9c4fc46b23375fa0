// Lenscale's checksummed envelope around FAISS's own serialisation (internal).
//
// Why an envelope: FAISS's readers trust sizes in the file, so a truncated or bit-flipped
// index can load "successfully" and crash later. Before FAISS sees a single byte we check a
// magic, a format version, the payload kind, the exact payload length and a CRC-32C of the
// payload, so damaged files fail loudly with a clear message instead.
//
// Layout (little-endian, 32-byte header, then the FAISS payload):
//   0  "LSCALEIX"  magic
//   8  u32         format version (1)
//  12  u32         payload kind (Kind below)
//  16  u64         payload length in bytes
//  24  u32         CRC-32C of the payload
//  28  u32         CRC-32C of bytes 0..27
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include <faiss/impl/io.h>

#include "lenscale_faiss.h"

namespace lenscale {

/// An error with the status the C boundary should report.
struct Failure : std::runtime_error {
    ls_status status;
    Failure(ls_status s, const std::string& message) : std::runtime_error(message), status(s) {}
};

enum class PayloadKind : uint32_t { hamming = 1, vectors = 2, pca = 3 };

const char* payload_kind_name(uint32_t kind);

/// Writes the envelope and `body`'s FAISS payload to a temporary file beside `path`, syncs
/// it, then renames it over `path`, so a crash never leaves a half-written index behind.
void write_container(const std::string& path, PayloadKind kind,
                     const std::function<void(faiss::IOWriter*)>& body);

/// Verifies the envelope, then hands `body` a reader bounded to the payload. Anything FAISS
/// throws while parsing is reported as LS_ERR_CORRUPT.
void read_container(const std::string& path, PayloadKind kind,
                    const std::function<void(faiss::IOReader*)>& body);

uint32_t crc32c(uint32_t crc, const void* data, size_t size);

} // namespace lenscale
