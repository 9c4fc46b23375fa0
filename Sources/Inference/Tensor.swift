/// A dense float32 tensor: a shape and its elements in row-major (C) order.
///
/// This is the only form model input and output takes on the Swift side. It is a plain value so it
/// can cross tasks and threads freely, and its storage is contiguous so ONNX Runtime can read the
/// input in place, without a copy.
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public let data: [Float]

    /// `data.count` must equal the product of `shape`: a mismatch is a programming error.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor dimensions must not be negative: \(shape)")
        precondition(
            data.count == Self.elementCount(of: shape),
            "Tensor of shape \(shape) needs \(Self.elementCount(of: shape)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of `shape` with every element `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, data: [Float](repeating: value, count: Self.elementCount(of: shape)))
    }

    public var elementCount: Int { data.count }

    /// The size of the first (batch) dimension.
    public var batchCount: Int { shape.first ?? 1 }

    /// Entry `index` along the first (batch) dimension, with that dimension dropped: item 3 of
    /// logits `[8, 1000]` is `[1000]`.
    public func item(_ index: Int) -> Tensor {
        precondition(!shape.isEmpty && shape[0] > index && index >= 0, "item \(index) is outside \(shape)")
        let rest = Array(shape.dropFirst())
        let stride = Self.elementCount(of: rest)
        return Tensor(shape: rest, data: Array(data[index * stride..<(index + 1) * stride]))
    }

    /// Stacks tensors of one shape along a new first dimension: N images `[3, S, S]` become the
    /// batch `[N, 3, S, S]` a model runs on.
    public static func stack(_ items: [Tensor]) -> Tensor {
        precondition(!items.isEmpty, "cannot stack zero tensors")
        let itemShape = items[0].shape
        precondition(items.allSatisfy { $0.shape == itemShape }, "stacked tensors must share one shape")
        var data = [Float]()
        data.reserveCapacity(items.count * items[0].elementCount)
        for item in items {
            data.append(contentsOf: item.data)
        }
        return Tensor(shape: [items.count] + itemShape, data: data)
    }

    static func elementCount(of shape: [Int]) -> Int {
        shape.reduce(1, *)
    }
}
