import ImageDecoding
import Inference

extension ModelInputSpec {
    /// The decoder-side preprocessing for this model input.
    ///
    /// Classification models resize the shorter side and crop the centre; other rules (the
    /// detector's letterbox) have their own preprocessing and are refused here.
    public func preprocessing() throws(ClassificationError) -> Preprocessing {
        guard resize.rule == .shorterSide, crop == .center, let shorterSide = resize.shorterSide else {
            throw .unsupportedModel("input rule \(resize.rule.rawValue) with crop \(crop.rawValue) is not a classification input")
        }
        return Preprocessing(
            inputSize: size,
            shorterSide: shorterSide,
            filter: resize.filter == .bicubic ? .bicubic : .bilinear,
            channelOrder: color == .rgb ? .rgb : .bgr,
            mean: mean,
            std: std
        )
    }
}
