import Hashing
import ImageDecoding

enum ContentHashHex {
    static func of(_ text: String) -> String { ContentHash(of: Array(text.utf8)).hex }
}

/// A header for outcomes built by hand; the output files never read it.
enum ImageHeaderStub {
    static let header = ImageHeader(format: .jpeg, width: 1, height: 1)
}
