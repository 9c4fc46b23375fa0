import Foundation

/// Embedding elements to and from the little-endian bytes stored in BLOB / BYTEA columns.
///
/// Little-endian explicitly, not "host order", so a database written on one machine reads the
/// same on any other.
enum VectorCoding {
    static func encode(_ floats: [Float], as dtype: EmbeddingDType) -> Data {
        var data = Data(capacity: floats.count * dtype.byteWidth)
        switch dtype {
        case .float32:
            for value in floats {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        case .float16:
            for value in floats {
                withUnsafeBytes(of: HalfFloat.bits(from: value).littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Decodes whole elements; a trailing partial element (only possible in a record built by hand
    /// with the wrong length) is ignored.
    static func decode(_ data: Data, as dtype: EmbeddingDType) -> [Float] {
        let count = data.count / dtype.byteWidth
        return data.withUnsafeBytes { raw in
            switch dtype {
            case .float32:
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            case .float16:
                (0..<count).map { HalfFloat.float(from: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            }
        }
    }
}
