import Catalog
import Foundation

/// The header of a 2-D little-endian `.npy` file (format version 1.0), padded to a fixed 128
/// bytes so it can be rewritten in place as rows are appended.
///
/// Rows go after the header as they are computed; the header's row count is rewritten after each
/// batch, so the file is a valid array at every checkpoint. Trailing rows past the count (a
/// kill between the two writes) are ignored by numpy's reader and cut off by a resume.
enum NPYHeader {
    static let length = 128

    static func descriptor(_ dtype: EmbeddingDType) -> String {
        switch dtype {
        case .float32: "<f4"
        case .float16: "<f2"
        }
    }

    static func bytes(rows: Int, columns: Int, dtype: EmbeddingDType) -> Data {
        let dictionary = "{'descr': '\(descriptor(dtype))', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let prefix = 10  // magic (6), version (2), header length (2)
        let padded = dictionary.padding(toLength: length - prefix - 1, withPad: " ", startingAt: 0) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = UInt16(padded.utf8.count)
        data.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        data.append(contentsOf: Array(padded.utf8))
        return data
    }
}
