/// A minimal XML reader for S3's answers (listings and error documents).
///
/// Hand-written rather than Foundation's XMLParser because on Linux that lives in FoundationXML,
/// which needs libxml2 at run time, a dependency our Debian images would have to grow for two
/// small, flat documents. It keeps element names (namespace prefixes dropped) and text, decodes
/// entities and CDATA, and skips the prolog, comments, processing instructions and attributes.
struct XMLElementTree: Sendable, Equatable {
    var name: String
    var text: String = ""
    var children: [XMLElementTree] = []

    func child(_ name: String) -> XMLElementTree? { children.first { $0.name == name } }
    func children(_ name: String) -> [XMLElementTree] { children.filter { $0.name == name } }

    /// Parses a whole document and returns its root element.
    static func parse(_ bytes: [UInt8]) throws(StorageError) -> XMLElementTree {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }
}
