import Foundation
import SimilaritySearch
import Testing
import TestSupport

/// Damaged, foreign and missing files must come back as typed errors, never a crash.
@Suite final class CorruptFileTests {
    let directory: URL

    init() throws {
        directory = try TestPaths.temporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func validHammingFile() throws -> URL {
        var rng = SeededGenerator(seed: 41)
        let index = HammingIndex()
        try index.add(ids: (0..<500).map(Int64.init), codes: (0..<500).map { _ in rng.next() })
        let file = url("valid.lsindex")
        try index.save(to: file)
        return file
    }

    func expectCorrupt(_ file: URL, mentioning words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        for load in [{ _ = try HammingIndex.load(from: file) }, { _ = try VectorIndex.load(from: file) }, { _ = try PCA.load(from: file) }] {
            let error = #expect(throws: SearchError.self, sourceLocation: sourceLocation) { try load() }
            guard case .corruptFile = error else {
                Issue.record("expected corruptFile, got \(String(describing: error))", sourceLocation: sourceLocation)
                continue
            }
        }
        let error = #expect(throws: SearchError.self, sourceLocation: sourceLocation) { try HammingIndex.load(from: file) }
        for word in words { #expect(error?.description.contains(word) == true, "\(String(describing: error))", sourceLocation: sourceLocation) }
    }

    @Test func randomBytesAreNotAnIndex() throws {
        let file = url("random.lsindex")
        try Data(BadInputs.randomBytes(count: 4_096)).write(to: file)
        expectCorrupt(file, mentioning: ["not a Lenscale index file"])
        try Data().write(to: url("empty.lsindex"))
        expectCorrupt(url("empty.lsindex"), mentioning: ["too short"])
        try Data(BadInputs.text).write(to: url("text.lsindex"))
        expectCorrupt(url("text.lsindex"))
    }

    @Test func truncatedFileIsDetected() throws {
        let file = try validHammingFile()
        let bytes = try Data(contentsOf: file)
        for keep in [10, 31, 32, 100, bytes.count - 1] {
            try bytes.prefix(keep).write(to: file)
            expectCorrupt(file)
        }
    }

    @Test func flippedBytesFailTheChecksums() throws {
        let file = try validHammingFile()
        let original = try Data(contentsOf: file)
        for position in [9, 20, 40, original.count / 2, original.count - 1] {
            var bytes = original
            bytes[position] ^= 0x10
            try bytes.write(to: file)
            expectCorrupt(file)
        }
        try original.write(to: file)
        #expect(try HammingIndex.load(from: file).count == 500)
    }

    @Test func anotherKindOfIndexIsRejectedByName() throws {
        let file = try validHammingFile()
        let error = #expect(throws: SearchError.self) { try VectorIndex.load(from: file) }
        #expect(error?.description.contains("holds a Hamming index, not a vector index") == true, "\(String(describing: error))")
        #expect(throws: SearchError.self) { try PCA.load(from: file) }
    }

    /// An intact envelope around a payload FAISS cannot parse: the parse error is contained.
    @Test func checksummedGarbageIsContained() throws {
        let valid = try Data(contentsOf: try validHammingFile())
        let payloads: [[UInt8]] = [
            BadInputs.randomBytes(count: 300),
            Array(valid.dropFirst(32).prefix(60)),  // a real FAISS payload, cut short
            Array(valid.dropFirst(32)) + [0, 0, 0], // trailing bytes
        ]
        for (n, payload) in payloads.enumerated() {
            let file = url("garbage-\(n).lsindex")
            try Data(Self.envelope(kind: 1, payload: payload)).write(to: file)
            let error = #expect(throws: SearchError.self) { try HammingIndex.load(from: file) }
            guard case .corruptFile = error else { Issue.record("payload \(n): \(String(describing: error))"); continue }
        }
    }

    @Test func missingAndUnwritablePathsAreIOErrors() throws {
        for load in [{ _ = try HammingIndex.load(from: self.url("absent")) }, { _ = try VectorIndex.load(from: self.directory) }] {
            let error = #expect(throws: SearchError.self) { try load() }
            guard case .io = error else { Issue.record("expected io, got \(String(describing: error))"); continue }
        }
        let index = try VectorIndex(dimension: 3)
        let error = #expect(throws: SearchError.self) { try index.save(to: self.url("no/such/dir/x.lsindex")) }
        guard case .io(let message) = error else { Issue.record("expected io, got \(String(describing: error))"); return }
        #expect(message.contains("cannot create"))
        let remote = #expect(throws: SearchError.self) { try index.save(to: URL(string: "https://example.com/x.lsindex")!) }
        guard case .io = remote else { Issue.record("expected io, got \(String(describing: remote))"); return }
    }

    /// The 32-byte header described in Sources/CFAISS/ls_container.h, built independently here.
    static func envelope(kind: UInt32, payload: [UInt8]) -> [UInt8] {
        var header = Array("LSCALEIX".utf8)
        header += le(UInt32(1)) + le(kind) + le(UInt64(payload.count)) + le(crc32c(payload))
        header += le(crc32c(header))
        return header + payload
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
