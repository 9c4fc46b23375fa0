@testable import Storage
import Testing

@Suite struct ObjectKeyTests {
    @Test(arguments: [
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "photos/2024/a.jpg",
        "a",
        ".hidden/x",
        "名前/写真.jpg",
        "with space/and+plus=eq&amp$",
        String(repeating: "k", count: 1024),
    ])
    func acceptsSafeKeys(key: String) throws {
        try ObjectKey.validate(key)
    }

    @Test(arguments: [
        ("", "empty"),
        ("/etc/passwd", "starts with '/'"),
        ("..", "'..'"),
        ("a/../b", "'..'"),
        ("./a", "'.'"),
        ("a//b", "empty segment"),
        ("a/", "empty segment"),
        ("a\u{0}b", "NUL"),
        ("a\nb", "control character"),
        (String(repeating: "k", count: 1025), "1025 bytes"),
        (String(repeating: "é", count: 513), "1026 bytes"),
        ("x/.lenscale-partial-123", "reserved"),
    ])
    func rejectsUnsafeKeys(key: String, reasonFragment: String) {
        #expect {
            try ObjectKey.validate(key)
        } throws: { error in
            guard case .invalidKey(let rejected, let reason) = error as? StorageError else { return false }
            return rejected == key && reason.contains(reasonFragment)
        }
    }

    @Test func contentKeyIsLowercaseHexSHA256() {
        // SHA-256("abc") from FIPS 180-2.
        #expect(ObjectKey.contentKey(for: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ObjectKey.isContentKey("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(!ObjectKey.isContentKey("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
        #expect(!ObjectKey.isContentKey("ba7816bf"))
    }

    @Test func contentKeysMustMatchTheirBytes() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(throws: StorageError.contentMismatch(key: abc, actual: ObjectKey.contentKey(for: [1]))) {
            try ObjectKey.verifyContent([1], key: abc)
        }
        #expect((try? ObjectKey.verifyContent(Array("abc".utf8), key: abc)) == abc)
    }

    /// S3 lists in UTF-8 byte order; Swift's `<` on strings does not always agree.
    @Test func ordersByUTF8Bytes() {
        #expect(ObjectKey.precedes("a-c", "a/b"))
        #expect(ObjectKey.precedes("Z", "a"))
        // U+FF21 (3 UTF-8 bytes) sorts after U+00E9 (2 bytes) bytewise.
        #expect(ObjectKey.precedes("\u{E9}", "\u{FF21}"))
        #expect(!ObjectKey.precedes("b", "b"))
    }

    @Test func errorDescriptionsSayWhatToDo() {
        let description = StorageError.invalidKey(key: "a\u{0}", reason: "it contains a NUL byte").description
        #expect(description.contains("\\0"))
        #expect(description.contains("use a relative path"))
        #expect(StorageError.notFound("k").description.contains("put the object first"))
        #expect(StorageError.http(status: 403, code: "SignatureDoesNotMatch", message: "m").description.contains("AWS_SECRET_ACCESS_KEY"))
    }
}
