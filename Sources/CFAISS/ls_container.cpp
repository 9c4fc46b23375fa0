// Checksummed envelope around FAISS serialisation; see ls_container.h for the layout and why.

#include "ls_container.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <faiss/impl/FaissException.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lenscale {
namespace {

constexpr char kMagic[8] = {'L', 'S', 'C', 'A', 'L', 'E', 'I', 'X'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;

// ---- CRC-32C (Castagnoli): SSE4.2 instruction when present, table otherwise ----------------

struct CrcTable {
    uint32_t t[256];
    CrcTable() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[i] = c;
        }
    }
};

uint32_t crc32c_table(uint32_t crc, const uint8_t* p, size_t n) {
    static const CrcTable table;
    for (size_t i = 0; i < n; ++i) crc = table.t[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, const uint8_t* p, size_t n) {
    uint64_t c = crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    uint32_t c32 = uint32_t(c);
    for (; n > 0; --n, ++p) c32 = _mm_crc32_u8(c32, *p);
    return c32;
}

bool have_sse42() {
    static const bool yes = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("sse4.2") != 0;
    }();
    return yes;
}
#endif

void put32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void put64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(p[i]) << (8 * i);
    return v;
}
uint64_t get64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

std::string os_error(const char* what, const std::string& path) {
    return std::string(what) + " '" + path + "': " + std::strerror(errno);
}

struct FileCloser {
    void operator()(FILE* f) const {
        if (f) std::fclose(f);
    }
};
using File = std::unique_ptr<FILE, FileCloser>;

struct ChecksummingWriter : faiss::IOWriter {
    FILE* f;
    uint32_t crc = 0;
    uint64_t length = 0;
    bool failed = false;
    int saved_errno = 0;

    explicit ChecksummingWriter(FILE* file) : f(file) { name = "lenscale-writer"; }

    size_t operator()(const void* ptr, size_t size, size_t nitems) override {
        const size_t bytes = size * nitems;
        if (bytes == 0) return nitems;
        const size_t written = std::fwrite(ptr, 1, bytes, f);
        crc = crc32c(crc, ptr, written);
        length += written;
        if (written != bytes) {
            failed = true;
            saved_errno = errno;
            return written / size;
        }
        return nitems;
    }
};

/// Hands FAISS at most `remaining` bytes, so a payload can never read past its own end.
struct BoundedReader : faiss::IOReader {
    FILE* f;
    uint64_t remaining;

    BoundedReader(FILE* file, uint64_t bytes) : f(file), remaining(bytes) { name = "lenscale-reader"; }

    size_t operator()(void* ptr, size_t size, size_t nitems) override {
        if (size == 0 || nitems == 0) return 0;
        const size_t items = size_t(std::min<uint64_t>(nitems, remaining / size));
        const size_t got = std::fread(ptr, size, items, f);
        remaining -= uint64_t(got) * size;
        return got;
    }
};

} // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    crc = ~crc;
#if defined(__x86_64__)
    if (have_sse42()) return ~crc32c_hw(crc, p, size);
#endif
    return ~crc32c_table(crc, p, size);
}

const char* payload_kind_name(uint32_t kind) {
    switch (kind) {
    case uint32_t(PayloadKind::hamming): return "a Hamming index";
    case uint32_t(PayloadKind::vectors): return "a vector index";
    case uint32_t(PayloadKind::pca): return "a PCA transform";
    default: return "an unknown Lenscale payload";
    }
}

void write_container(const std::string& path, PayloadKind kind,
                     const std::function<void(faiss::IOWriter*)>& body) {
    static std::atomic<uint64_t> counter{0};
    const std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    File file(std::fopen(tmp.c_str(), "wb"));
    if (!file) throw Failure(LS_ERR_IO, os_error("cannot create", tmp) + " (check the directory exists and is writable)");

    bool committed = false;
    struct Cleanup {
        const std::string& tmp;
        bool& committed;
        ~Cleanup() {
            if (!committed) std::remove(tmp.c_str());
        }
    } cleanup{tmp, committed};

    uint8_t header[kHeaderSize] = {};
    if (std::fwrite(header, 1, kHeaderSize, file.get()) != kHeaderSize)
        throw Failure(LS_ERR_IO, os_error("cannot write", tmp));

    ChecksummingWriter writer(file.get());
    try {
        body(&writer);
    } catch (const faiss::FaissException& e) {
        if (writer.failed) {
            errno = writer.saved_errno;
            throw Failure(LS_ERR_IO, os_error("cannot write", tmp) + " (is the disk full?)");
        }
        throw;
    }
    if (writer.failed) {
        errno = writer.saved_errno;
        throw Failure(LS_ERR_IO, os_error("cannot write", tmp) + " (is the disk full?)");
    }

    std::memcpy(header, kMagic, 8);
    put32(header + 8, kVersion);
    put32(header + 12, uint32_t(kind));
    put64(header + 16, writer.length);
    put32(header + 24, writer.crc);
    put32(header + 28, crc32c(0, header, 28));
    if (std::fseek(file.get(), 0, SEEK_SET) != 0 || std::fwrite(header, 1, kHeaderSize, file.get()) != kHeaderSize ||
        std::fflush(file.get()) != 0)
        throw Failure(LS_ERR_IO, os_error("cannot write", tmp) + " (is the disk full?)");
    if (fsync(fileno(file.get())) != 0) throw Failure(LS_ERR_IO, os_error("cannot sync", tmp));
    FILE* raw = file.release();
    if (std::fclose(raw) != 0) throw Failure(LS_ERR_IO, os_error("cannot close", tmp));
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw Failure(LS_ERR_IO, os_error("cannot rename into place", path));
    committed = true;
}

void read_container(const std::string& path, PayloadKind kind,
                    const std::function<void(faiss::IOReader*)>& body) {
    File file(std::fopen(path.c_str(), "rb"));
    if (!file) throw Failure(LS_ERR_IO, os_error("cannot open", path));
    struct stat st {};
    if (fstat(fileno(file.get()), &st) != 0) throw Failure(LS_ERR_IO, os_error("cannot stat", path));
    if (!S_ISREG(st.st_mode)) throw Failure(LS_ERR_IO, "'" + path + "' is not a regular file");
    const uint64_t file_size = uint64_t(st.st_size);

    const std::string rebuild = " Rebuild it from the catalog and save it again.";
    uint8_t header[kHeaderSize];
    if (file_size < kHeaderSize || std::fread(header, 1, kHeaderSize, file.get()) != kHeaderSize)
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' is too short (" + std::to_string(file_size) +
                                          " bytes) to be a Lenscale index file." + rebuild);
    if (std::memcmp(header, kMagic, 8) != 0)
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' is not a Lenscale index file (bad magic); only files "
                                      "written by Lenscale's save(to:) can be loaded.");
    if (get32(header + 28) != crc32c(0, header, 28))
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' has a damaged header (checksum mismatch)." + rebuild);
    const uint32_t version = get32(header + 8);
    if (version != kVersion)
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' uses index format v" + std::to_string(version) +
                                          ", this build reads v" + std::to_string(kVersion) +
                                          "; load it with the Lenscale version that wrote it, or rebuild it.");
    const uint32_t found_kind = get32(header + 12);
    if (found_kind != uint32_t(kind))
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' holds " + payload_kind_name(found_kind) + ", not " +
                                          payload_kind_name(uint32_t(kind)) + "; check which file you passed.");
    const uint64_t length = get64(header + 16);
    if (length != file_size - kHeaderSize)
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' is truncated or padded: the header promises " +
                                          std::to_string(length) + " payload bytes but the file has " +
                                          std::to_string(file_size - kHeaderSize) + "." + rebuild);

    std::vector<uint8_t> chunk(1 << 20);
    uint32_t crc = 0;
    for (uint64_t left = length; left > 0;) {
        const size_t want = size_t(std::min<uint64_t>(left, chunk.size()));
        if (std::fread(chunk.data(), 1, want, file.get()) != want)
            throw Failure(LS_ERR_IO, os_error("cannot read", path));
        crc = crc32c(crc, chunk.data(), want);
        left -= want;
    }
    if (crc != get32(header + 24))
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' fails its checksum: the file was damaged after it was written." + rebuild);
    if (std::fseek(file.get(), long(kHeaderSize), SEEK_SET) != 0) throw Failure(LS_ERR_IO, os_error("cannot seek", path));

    BoundedReader reader(file.get(), length);
    try {
        body(&reader);
    } catch (const Failure&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' passed its checksum but FAISS could not parse it (" +
                                          e.what() + "); it was probably written by an incompatible FAISS build." + rebuild);
    }
    if (reader.remaining != 0)
        throw Failure(LS_ERR_CORRUPT, "'" + path + "' has " + std::to_string(reader.remaining) +
                                          " unexpected bytes after the index." + rebuild);
}

} // namespace lenscale
