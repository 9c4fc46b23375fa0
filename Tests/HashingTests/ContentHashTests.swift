import Hashing
import Testing

@Suite struct ContentHashTests {
    @Test func matchesTheFIPSVectors() {
        #expect(ContentHash(of: [UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func incrementalEqualsOneShot() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = ContentHasher()
        for start in stride(from: 0, to: data.count, by: 4096) { hasher.update(Array(data[start..<min(start + 4096, data.count)])) }
        #expect(hasher.finalize() == ContentHash(of: data))
    }

    @Test func parsesHexStrictly() {
        let hash = ContentHash(of: Array("abc".utf8))
        #expect(ContentHash(hex: hash.hex) == hash)
        #expect(ContentHash(hex: hash.hex.uppercased()) == hash)
        #expect(ContentHash(hex: String(hash.hex.dropLast())) == nil)
        #expect(ContentHash(hex: String(hash.hex.dropLast()) + "g") == nil)
        #expect(ContentHash(hex: "../../etc/passwd") == nil)
    }
}
