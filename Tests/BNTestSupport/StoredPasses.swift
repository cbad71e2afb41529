import BNCore
import BNCPU
import BNGPU

/// What a forward pass of ``StoredPasses`` returns.
public struct StoredForward: Sendable, Equatable {
    public var y: [Float]
    public var mean: [Float]
    public var invStd: [Float]
    public var running: RunningStatistics
    /// r and d, when the options renormalize.
    public var corrections: RenormCorrections<[Float]>? = nil

    /// The statistics the backward pass of this forward pass takes.
    public var statistics: BackwardStatistics<[Float]> {
        guard let corrections else { return .batch(mean: mean, invStd: invStd) }
        return .renormalized(mean: mean, invStd: invStd, r: corrections.r, d: corrections.d)
    }
}

/// What a backward pass of ``StoredPasses`` returns.
public struct StoredBackward: Sendable, Equatable {
    public var dx: [Float]
    public var dz: [Float]?
    public var dGamma: [Float]
    public var dBeta: [Float]
}

/// ``StoredPasses`` on any backend, so that one closure can run on each.
public protocol StoredPassRunning {
    func forwardTraining(x: [Float], z: [Float]?, gamma: [Float], beta: [Float], running: RunningStatistics) throws -> StoredForward
    func forwardInference(x: [Float], z: [Float]?, gamma: [Float], beta: [Float], running: RunningStatistics) throws -> [Float]
    func backward(dy: [Float], y: [Float]?, x: [Float], gamma: [Float], statistics: BackwardStatistics<[Float]>) throws -> StoredBackward
}

/// The four passes on one backend's buffers with tensors stored as `storage` and the fused
/// operation of `options.fusion`, taking and returning `Float` arrays (16-bit outputs widen exactly):
/// what the storage and fusion suites compare across backends and against float64.
public struct StoredPasses<Backend: BatchNormBackend>: StoredPassRunning {
    public let backend: Backend
    public let storage: ElementType
    public let shape: TensorShape
    public let options: BatchNormOptions

    /// Given every buffer the passes make, so that a caller can keep them alive (the Oclgrind
    /// check does: a released buffer's shadow state misleads Oclgrind); nil lets them go.
    public let keep: ((Backend.Buffer) -> Void)?

    public init(_ backend: Backend, storage: ElementType, shape: TensorShape, options: BatchNormOptions,
                keep: ((Backend.Buffer) -> Void)? = nil) {
        self.backend = backend
        self.storage = storage
        self.shape = shape
        self.options = options
        self.keep = keep
    }

    /// A new buffer, handed to ``keep``.
    private func buffer(count: Int, elementType: ElementType = .float32) throws -> Backend.Buffer {
        let buffer = try backend.makeBuffer(count: count, elementType: elementType)
        keep?(buffer)
        return buffer
    }

    /// `values` in a new buffer, handed to ``keep``.
    private func upload(_ values: [Float], as storage: ElementType = .float32) throws -> Backend.Buffer {
        let buffer = try backend.upload(values, as: storage)
        keep?(buffer)
        return buffer
    }

    /// `running` in new buffers, handed to ``keep``.
    private func upload(_ running: RunningStatistics) throws -> RunningStatisticsBuffers<Backend.Buffer> {
        let buffers = try backend.upload(running)
        keep?(buffers.mean)
        keep?(buffers.variance)
        return buffers
    }

    public func forwardTraining(x: [Float], z: [Float]?, gamma: [Float], beta: [Float],
                                running: RunningStatistics) throws -> StoredForward {
        let count = x.count
        // one value per group and feature: one group but for virtual batches
        let statistics = gamma.count * (options.virtualBatchSize.map { shape.n / $0 } ?? 1)
        let y = try buffer(count: count, elementType: storage)
        let mean = try buffer(count: statistics), invStd = try buffer(count: statistics)
        let corrections = options.renormalization == nil ? nil
            : RenormCorrections(r: try buffer(count: statistics), d: try buffer(count: statistics))
        var runningBuffers = try upload(running)
        try backend.forwardTraining(x: try tensor(x), z: try z.map(tensor), shape: shape, gamma: try upload(gamma),
                                    beta: try upload(beta), running: &runningBuffers, options: options,
                                    y: y, mean: mean, invStd: invStd, corrections: corrections)
        return StoredForward(y: try backend.download(y), mean: try backend.download(mean), invStd: try backend.download(invStd),
                             running: try backend.download(runningBuffers),
                             corrections: try corrections.map {
                                 RenormCorrections(r: try backend.download($0.r), d: try backend.download($0.d))
                             })
    }

    public func forwardInference(x: [Float], z: [Float]?, gamma: [Float], beta: [Float],
                                 running: RunningStatistics) throws -> [Float] {
        let y = try buffer(count: x.count, elementType: storage)
        try backend.forwardInference(x: try tensor(x), z: try z.map(tensor), shape: shape, gamma: try upload(gamma),
                                     beta: try upload(beta), running: try upload(running),
                                     options: options, y: y)
        return try backend.download(y)
    }

    /// The backward pass with the batch statistics of a training pass or frozen running ones.
    public func backward(dy: [Float], y: [Float]?, x: [Float], gamma: [Float],
                         statistics: BackwardStatistics<[Float]>) throws -> StoredBackward {
        let outputs = try gradientBuffers(count: x.count, features: gamma.count)
        try backend.backward(dy: try tensor(dy), y: try y.map(tensor), x: try tensor(x), shape: shape,
                             gamma: try upload(gamma), statistics: try statistics.map { try upload($0) },
                             options: options, dx: outputs.dx, dz: outputs.dz,
                             dGamma: outputs.dGamma, dBeta: outputs.dBeta)
        return try download(outputs)
    }

    private func tensor(_ values: [Float]) throws -> Backend.Buffer {
        try upload(values, as: storage)
    }

    private typealias Outputs = (dx: Backend.Buffer, dz: Backend.Buffer?, dGamma: Backend.Buffer, dBeta: Backend.Buffer)

    private func gradientBuffers(count: Int, features: Int) throws -> Outputs {
        (try buffer(count: count, elementType: storage),
         options.fusion.addsInput ? try buffer(count: count, elementType: storage) : nil,
         try buffer(count: features), try buffer(count: features))
    }

    private func download(_ outputs: Outputs) throws -> StoredBackward {
        StoredBackward(dx: try backend.download(outputs.dx), dz: try outputs.dz.map { try backend.download($0) },
                 dGamma: try backend.download(outputs.dGamma), dBeta: try backend.download(outputs.dBeta))
    }
}

/// The same passes on the CPU reference and on the shared OpenCL backend, each result named by its
/// backend (`cpu`, `opencl`).
/// - Parameters:
///   - storage: How tensors are stored.
///   - shape: The shape of x.
///   - options: The options of every call (the fusion included).
///   - body: The passes to run.
/// - Returns: Each backend's name and result.
public func onBothBackends<Result>(
    storage: ElementType, shape: TensorShape, options: BatchNormOptions, _ body: (any StoredPassRunning) throws -> Result
) throws -> [(backend: String, result: Result)] {
    [("cpu", try body(StoredPasses(CPUBackend(), storage: storage, shape: shape, options: options))),
     ("opencl", try body(StoredPasses(try TestBackends.openCL(), storage: storage, shape: shape, options: options)))]
}
