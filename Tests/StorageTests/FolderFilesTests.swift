import Foundation
import Storage
import Testing
import TestSupport

/// The one folder walk every command uses: what it picks up and what it leaves.
@Suite struct FolderFilesTests {
    @Test func picksImagesAndLinksToThemSortedAndSkipsTheRest() throws {
        let root = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FileManager.default
        try files.createDirectory(at: root.appendingPathComponent("b/deeper"), withIntermediateDirectories: true)
        try files.createDirectory(at: root.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        for name in ["a.JPG", "b/deeper/c.heic", "b/notes.txt", ".hidden/d.png", ".e.png", "outside.png"] {
            try Data([1]).write(to: root.appendingPathComponent(name))
        }
        // A link to a file counts under its own name; a link to a folder (here, a cycle) is not followed.
        try files.createSymbolicLink(atPath: root.appendingPathComponent("b/link.png").path, withDestinationPath: root.appendingPathComponent("outside.png").path)
        try files.createSymbolicLink(atPath: root.appendingPathComponent("b/loop").path, withDestinationPath: root.path)
        try files.createSymbolicLink(atPath: root.appendingPathComponent("dangling.png").path, withDestinationPath: "/nonexistent/x.png")

        let found = FolderFiles.under(root.path, extensions: ["jpg", "png", "heic"])
        #expect(found == ["a.JPG", "b/deeper/c.heic", "b/link.png", "outside.png"].map { root.path + "/" + $0 })
        #expect(FolderFiles.under(root.path + "/", extensions: ["heic"]) == [root.path + "/b/deeper/c.heic"])
        #expect(FolderFiles.under(root.path + "/missing", extensions: ["png"]).isEmpty)
    }
}
