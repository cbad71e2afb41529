import BNCore
import BNSynchronized

/// One member's synchronized forward and backward pass on its rows of the batch, with tensors
/// stored as `storage`; with no communicator, the single-device (fused) passes on them.
public struct MemberStep: Sendable {
    /// y of the member's rows (empty for an empty part).
    public var y: [Float]
    /// dx of the member's rows (empty for an empty part).
    public var dx: [Float]
    /// mean, invStd, running.mean, running.variance, dGamma and dBeta, by name.
    public var perFeature: [String: [Float]]

    public static func run<Backend: SplitPhaseBackend>(
        backend: Backend, inputs: TestInputs, shape: TensorShape, rows: Range<Int>,
        communicator: (any StatisticsCommunicator)?, options: BatchNormOptions, storage: ElementType = .float32
    ) async throws -> MemberStep {
        let (part, elements) = shape.slice(rows: rows)
        let features = inputs.gamma.count
        let placeholder = [Float](repeating: 0, count: 1)
        let x = try backend.upload(elements.isEmpty ? placeholder : Array(inputs.x[elements]), as: storage)
        let dy = try backend.upload(elements.isEmpty ? placeholder : Array(inputs.dy[elements]), as: storage)
        let y = try backend.makeBuffer(count: max(elements.count, 1), elementType: storage)
        let dx = try backend.makeBuffer(count: max(elements.count, 1), elementType: storage)
        let gamma = try backend.upload(inputs.gamma), beta = try backend.upload(inputs.beta)
        let mean = try backend.makeBuffer(count: features), invStd = try backend.makeBuffer(count: features)
        let dGamma = try backend.makeBuffer(count: features), dBeta = try backend.makeBuffer(count: features)
        var running = RunningStatisticsBuffers(mean: try backend.upload(inputs.running.mean),
                                               variance: try backend.upload(inputs.running.variance))
        if let communicator {
            let sync = SynchronizedBatchNorm(backend: backend, communicator: communicator)
            try await sync.forwardTraining(x: x, shape: part, gamma: gamma, beta: beta, running: &running, options: options,
                                           y: y, mean: mean, invStd: invStd)
            try await sync.backward(dy: dy, x: x, shape: part, gamma: gamma, mean: mean, invStd: invStd, options: options,
                                    dx: dx, dGamma: dGamma, dBeta: dBeta)
        } else {
            try backend.forwardTraining(x: x, z: nil, shape: part, gamma: gamma, beta: beta, running: &running, options: options,
                                        y: y, mean: mean, invStd: invStd)
            try backend.backward(dy: dy, y: nil, x: x, shape: part, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd), options: options,
                                 dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        let isEmpty = elements.isEmpty
        return MemberStep(
            y: isEmpty ? [] : try backend.download(y), dx: isEmpty ? [] : try backend.download(dx),
            perFeature: ["mean": try backend.download(mean), "invStd": try backend.download(invStd),
                         "running.mean": try backend.download(running.mean),
                         "running.variance": try backend.download(running.variance),
                         "dGamma": try backend.download(dGamma), "dBeta": try backend.download(dBeta)])
    }
}
