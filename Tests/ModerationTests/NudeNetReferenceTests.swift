import Foundation
import Inference
import Moderation
import Testing
import TestSupport

/// Holds the Swift detector to the `nudenet` package itself (tools/nudenet_reference.py runs it
/// on the same photos): the raw head on the same input tensor, the decoding and per-class NMS at
/// a low threshold, nudenet's own detections, and our letterbox against its OpenCV one. The photos
/// are safe, so low thresholds are what give the decoder boxes to be compared on.
struct ReferenceFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

@Suite(.serialized) struct NudeNetReferenceTests {
    struct Record: Decodable {
        struct Box: Decodable {
            let `class`: String
            let score: Float
            let box: [Float]
            let class_index: Int?
        }
        let path: String
        let width: Int
        let height: Int
        let nudenet: [Box]
        let decoded: [Box]
        let class_max: [Float]
    }

    static let confidence: Float = 0.05

    /// Runs the reference once for all photos; every test of the suite awaits the same run.
    static let reference = Task<(records: [Record], directory: URL), any Error> {
        let directory = try TestPaths.temporaryDirectory()
        let photos = try LabelledPhotos.all.map(\.url)
        let result = try await runProcess(TestPaths.python, [
            TestPaths.repositoryRoot.appendingPathComponent("tools/nudenet_reference.py").path,
            "--model", try ModerationFixtures.detectorSpec.fileURL.path, "--out", directory.path,
            "--confidence", String(confidence),
        ] + photos.map(\.path))
        guard result.status == 0 else {
            throw ReferenceFailure(message: "nudenet_reference.py exited \(result.status): \(result.stderr)")
        }
        let records = try result.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(Record.self, from: Data($0.utf8))
        }
        // One record a photo, or the tests below would compare nothing and pass.
        guard records.count == photos.count else {
            throw ReferenceFailure(message: "nudenet_reference.py gave \(records.count) records for \(photos.count) photos: \(result.stderr)")
        }
        return (records, directory)
    }

    func reference() async throws -> (records: [Record], directory: URL) {
        try await Self.reference.value
    }

    @Test func rawOutputMatchesOnTheSameInput() async throws {
        let (records, directory) = try await reference()
        #expect(try records.count == LabelledPhotos.all.count)
        let detector = try ModerationFixtures.detector()
        var worst: Float = 0
        for index in records.indices {
            let input = try NPY.readFloat32(directory.appendingPathComponent("\(index).input.npy"))
            let expected = try NPY.readFloat32(directory.appendingPathComponent("\(index).output.npy"))
            let output = try detector.run(Tensor(shape: [1, 3, 320, 320], data: input))
            #expect(output.shape == [1, 22, 2100])
            try #require(output.data.count == expected.count)
            worst = max(worst, zip(output.data, expected).map { abs($0 - $1) }.max() ?? 0)
        }
        // Same ORT build and input: only thread scheduling could differ.
        #expect(worst < 1e-3, "largest difference \(worst)")
    }

    @Test func decodingAndPerClassNMSMatchTheReference() async throws {
        let (records, directory) = try await reference()
        let decoder = YOLODecoder(confidence: Self.confidence, iouThreshold: 0.45)
        let labels = ModerationFixtures.detectorLabels
        var compared = 0
        for (index, record) in records.enumerated() {
            let raw = try NPY.readFloat32(directory.appendingPathComponent("\(index).output.npy"))
            let letterbox = Letterbox(size: 320, imageWidth: record.width, imageHeight: record.height)
            let result = try decoder.decode(Tensor(shape: [1, 22, 2100], data: raw), letterbox: letterbox, labels: labels)
            #expect(result.detections.count == record.decoded.count, "\(record.path)")
            for (ours, theirs) in zip(result.detections, record.decoded) {
                #expect(ours.label == theirs.class && ours.classIndex == theirs.class_index, "\(record.path)")
                #expect(abs(ours.score - theirs.score) < 1e-5)
                let box = [ours.box.x, ours.box.y, ours.box.width, ours.box.height]
                #expect(zip(box, theirs.box).allSatisfy { abs($0 - $1) < 0.01 }, "\(record.path): \(box) vs \(theirs.box)")
                compared += 1
            }
            #expect(zip(result.classMaxScores, record.class_max).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        // The photos are safe, but at 0.05 faces, feet and false positives still give boxes.
        #expect(compared >= 10, "only \(compared) boxes compared")
    }

    /// nudenet's own answer (class-agnostic NMS, integer boxes) must be among ours at its thresholds.
    @Test func findsEverythingNudenetFinds() async throws {
        let (records, directory) = try await reference()
        let decoder = YOLODecoder()  // nudenet's 0.25 / 0.45
        var found = 0
        for (index, record) in records.enumerated() {
            let raw = try NPY.readFloat32(directory.appendingPathComponent("\(index).output.npy"))
            let letterbox = Letterbox(size: 320, imageWidth: record.width, imageHeight: record.height)
            let ours = try decoder.decode(Tensor(shape: [1, 22, 2100], data: raw), letterbox: letterbox,
                                          labels: ModerationFixtures.detectorLabels).detections
            for theirs in record.nudenet {
                let box = Detection.Box(x: theirs.box[0], y: theirs.box[1], width: theirs.box[2], height: theirs.box[3])
                let match = ours.first { $0.label == theirs.class && $0.box.iou(box) > 0.95 && abs($0.score - theirs.score) < 1e-5 }
                #expect(match != nil, "\(record.path): nudenet's \(theirs.class) \(theirs.score) \(theirs.box) not found in \(ours)")
                found += 1
            }
        }
        // grace_hopper.jpg's face and egret.jpg's false positive.
        #expect(found >= 2)
    }

    /// Our decode + letterbox against nudenet's cv2 pipeline, end to end from the file.
    @Test func preprocessingAndScoresFromFilesAgree() async throws {
        let (records, directory) = try await reference()
        let detector = try ModerationFixtures.detector(decoder: YOLODecoder(confidence: 0.25))
        var meanErrors: [Float] = []
        for (index, record) in records.enumerated() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: record.path)))
            let image = try detector.imageDecoder.decode(bytes).image
            #expect(image.width == record.width && image.height == record.height)
            let ours = Letterbox(size: 320, imageWidth: image.width, imageHeight: image.height).tensor(for: image)
            let theirs = try NPY.readFloat32(directory.appendingPathComponent("\(index).input.npy"))
            try #require(ours.count == theirs.count)
            let mean = zip(ours, theirs).map { abs($0 - $1) }.reduce(0, +) / Float(ours.count)
            meanErrors.append(mean)
            // JPEG decoders and cv2's fixed-point resize differ by a level here and there.
            #expect(mean < 2.0 / 255, "\(record.path): mean |Δ| \(mean * 255) levels")
            let result = try detector.detect(bytes: bytes)
            for (ours, theirs) in zip(result.classMaxScores, record.class_max) {
                #expect(abs(ours - theirs) < 0.05, "\(record.path): class max \(ours) vs \(theirs)")
            }
            for theirs in record.nudenet {
                let box = Detection.Box(x: theirs.box[0], y: theirs.box[1], width: theirs.box[2], height: theirs.box[3])
                #expect(result.detections.contains { $0.label == theirs.class && $0.box.iou(box) > 0.8 },
                        "\(record.path): \(theirs.class) missing from \(result.detections)")
            }
        }
        #expect(meanErrors.count == records.count)
        print("letterbox mean |Δ| in levels, worst:", (meanErrors.max() ?? 0) * 255)
    }

    @Test func mirroredPassMapsBoxesBack() throws {
        let detector = try ModerationFixtures.detector()
        let bytes = try [UInt8](Data(contentsOf: TestPaths.sharedImage("grace_hopper.jpg")))
        let image = try detector.imageDecoder.decode(bytes).image
        let passes = try detector.detect(image, passes: [false, true])
        let face = try #require(passes[0].detections.first { $0.label == "FACE_FEMALE" })
        let mirrored = try #require(passes[1].detections.first { $0.label == "FACE_FEMALE" })
        // The same face in the same place: the portrait is roughly symmetric.
        #expect(face.box.iou(mirrored.box) > 0.7, "\(face.box) vs \(mirrored.box)")
    }

    @Test func runsAtHigherResolution() throws {
        let detector = try ModerationFixtures.detector(size: 640)
        let bytes = try [UInt8](Data(contentsOf: TestPaths.sharedImage("grace_hopper.jpg")))
        let result = try detector.detect(bytes: bytes)
        #expect(result.classMaxScores.count == 18)
        #expect(result.detections.allSatisfy { $0.box.x >= 0 && $0.box.x + $0.box.width <= 512.01 })
    }

    @Test func badInputIsAnErrorNotACrash() throws {
        let detector = try ModerationFixtures.detector()
        #expect(throws: DetectorError.self) { try detector.detect(bytes: []) }
        #expect(throws: DetectorError.self) { try detector.detect(bytes: Array("not an image".utf8)) }
        let bytes = try [UInt8](Data(contentsOf: TestPaths.sharedImage("coffee.png")))
        #expect(throws: DetectorError.self) { try detector.detect(bytes: Array(bytes.prefix(200))) }
        // A head of the wrong shape.
        let letterbox = Letterbox(size: 320, imageWidth: 10, imageHeight: 10)
        #expect(throws: DetectorError.self) {
            try YOLODecoder().decode(Tensor(shape: [1, 20, 5], repeating: 0), letterbox: letterbox, labels: ModerationFixtures.detectorLabels)
        }
    }
}
