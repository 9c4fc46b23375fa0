import Classification
import Foundation
import Testing
import TestSupport

@Suite struct AccuracyTests {
    /// The project's accuracy bar: an acceptable class in the top 5 for at least 21 of the 23 photos.
    @Test(arguments: ["efficientnet-lite0", "efficientnet-lite2"])
    func topFiveFindsTheLabelledClass(model: String) throws {
        let photos = try LabelledPhotos.all
        #expect(photos.count == 23)
        var misses: [String] = []
        for photo in photos {
            let prediction = try Classifiers.classify(photo.url, model: model)
            if photo.acceptable.isDisjoint(with: prediction.labels.map(\.index)) {
                misses.append("\(photo.file): \(prediction.labels.map(\.name))")
            }
        }
        #expect(photos.count - misses.count >= 21, "\(model) missed \(misses.count): \(misses)")
    }

    @Test func knownPhotosGetTheirClassFirst() throws {
        let cat = try Classifiers.classify(TestPaths.sharedImage("chelsea.png"), model: "efficientnet-lite0")
        #expect([281, 282, 285].contains(cat.labels[0].index), "chelsea: \(cat.labels)")
        let coffee = try Classifiers.classify(TestPaths.sharedImage("coffee.png"), model: "efficientnet-lite0")
        #expect(coffee.labels[0].index == 967 && coffee.labels[0].score > 0.8, "coffee: \(coffee.labels)")
        #expect(cat.labels.map(\.score) == cat.labels.map(\.score).sorted(by: >))
        #expect(cat.labels.map(\.score).reduce(0, +) <= 1.0001)
    }

    /// Every valid oddity (CMYK, palette, 16-bit, EXIF-rotated, 4000 px, 64 px...) still shows
    /// the class of the photo it was made from.
    @Test(arguments: try Fixture.all)
    func validOdditiesClassify(_ fixture: Fixture) throws {
        let source = try LabelledPhotos.named(fixture.source)
        let prediction = try Classifiers.classify(fixture.url, model: "efficientnet-lite0")
        #expect(!source.acceptable.isDisjoint(with: prediction.labels.map(\.index)),
                "\(fixture.file) (\(fixture.note)): \(prediction.labels.map(\.name))")
    }
}
