import Foundation
import TestSupport

/// A temporary folder holding named files with the given bytes.
struct Scratch {
    let directory: URL

    init(_ files: [String: [UInt8]] = [:]) throws {
        directory = try TestPaths.temporaryDirectory()
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}
