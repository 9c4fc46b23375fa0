/// How ONNX Runtime should run a model: threads, execution mode and graph optimisation.
///
/// Exposed because the right thread count depends on the deployment, not the model: on our 2-core
/// machines 2 intra-op threads nearly double throughput when the machine is quiet, but collapse
/// when decoding or other requests compete for the cores, where 1 thread per session holds up.
public struct SessionOptions: Sendable, Equatable {
    /// ONNX Runtime's graph rewrites before the first run.
    public enum GraphOptimization: Sendable, Equatable {
        case disabled
        case basic
        case extended
        /// Everything, including layout changes; what Python ORT uses by default.
        case all
    }

    /// Whether independent graph branches run in parallel (only then do inter-op threads matter).
    public enum ExecutionMode: Sendable, Equatable {
        case sequential
        case parallel
    }

    /// Threads used inside one operator (a convolution's tiles); 0 lets ORT choose (one per core).
    public var intraOpThreads: Int
    /// Threads used across independent branches in `.parallel` mode; 0 lets ORT choose.
    public var interOpThreads: Int
    public var executionMode: ExecutionMode
    public var graphOptimization: GraphOptimization
    /// Whether idle intra-op threads busy-wait for the next operator. Spinning saves latency on an
    /// idle machine but burns cores that decoders could use; turn it off when sharing the CPU.
    public var allowSpinning: Bool

    public init(
        intraOpThreads: Int = 0,
        interOpThreads: Int = 0,
        executionMode: ExecutionMode = .sequential,
        graphOptimization: GraphOptimization = .all,
        allowSpinning: Bool = true
    ) {
        self.intraOpThreads = intraOpThreads
        self.interOpThreads = interOpThreads
        self.executionMode = executionMode
        self.graphOptimization = graphOptimization
        self.allowSpinning = allowSpinning
    }
}
