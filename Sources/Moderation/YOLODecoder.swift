import Inference

/// Decodes a YOLOv8 detection head: `[4 + C, N]` per image, rows `cx, cy, w, h` in model-input
/// pixels followed by one (already sigmoid) score per class, N candidate boxes in columns.
///
/// Each candidate keeps only its best class, as Ultralytics and nudenet do; candidates at or
/// above `confidence` survive, then greedy NMS runs per class, so a face box never hides an
/// overlapping box of another class that the policy scores separately.
public struct YOLODecoder: Sendable, Equatable {
    /// The lowest class score a box may have to be kept.
    public var confidence: Float
    /// Boxes of one class overlapping a better one by more than this are dropped.
    public var iouThreshold: Float

    /// nudenet's own score threshold and NMS overlap.
    public init(confidence: Float = 0.25, iouThreshold: Float = 0.45) {
        self.confidence = confidence
        self.iouThreshold = iouThreshold
    }

    /// Decodes one image's head. `output` is `[4 + C, N]` (or `[1, 4 + C, N]`).
    public func decode(
        _ output: Tensor, letterbox: Letterbox, labels: [String], mirrored: Bool = false
    ) throws(DetectorError) -> DetectionResult {
        let shape = output.shape.count == 3 && output.shape[0] == 1 ? Array(output.shape.dropFirst()) : output.shape
        guard shape.count == 2, shape[0] == 4 + labels.count, shape[1] > 0 else {
            throw .unexpectedOutput(shape: output.shape, classes: labels.count)
        }
        let classes = labels.count, count = shape[1]
        let data = output.data
        var classMax = [Float](repeating: 0, count: classes)
        var candidates: [Detection] = []
        for i in 0..<count {
            var best = 0
            var bestScore = -Float.infinity
            for c in 0..<classes {
                let score = data[(4 + c) * count + i]
                if score > bestScore {
                    bestScore = score
                    best = c
                }
                if score > classMax[c] { classMax[c] = score }
            }
            guard bestScore >= confidence else { continue }
            var cx = data[i]
            if mirrored { cx = Float(letterbox.size) - cx }
            let box = letterbox.originalBox(cx: cx, cy: data[count + i], w: data[2 * count + i], h: data[3 * count + i])
            candidates.append(Detection(classIndex: best, label: labels[best], score: bestScore, box: box))
        }
        return DetectionResult(detections: nonMaximumSuppression(candidates), classMaxScores: classMax)
    }

    /// Greedy per-class NMS; the result is ordered by score (then class) descending.
    public func nonMaximumSuppression(_ candidates: [Detection]) -> [Detection] {
        let ordered = candidates.sorted { $0.score > $1.score || ($0.score == $1.score && $0.classIndex < $1.classIndex) }
        var kept: [Detection] = []
        for candidate in ordered
        where !kept.contains(where: { $0.classIndex == candidate.classIndex && $0.box.iou(candidate.box) > iouThreshold }) {
            kept.append(candidate)
        }
        return kept
    }
}
