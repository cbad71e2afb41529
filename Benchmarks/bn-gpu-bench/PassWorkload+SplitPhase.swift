import BatchNorm

/// The split-phase passes of synchronized batch norm (``SynchronizedBatchNorm``) as one device of a
/// group of one runs them: the device's reduction, read back by the host, merged (or summed) there,
/// then the normalization (or dx). Against the fused passes they show what splitting costs before
/// any communication: the host round trip in the middle of the pass.
extension PassWorkload {
    /// Split-phase training forward: local statistics, merge, normalization and running update.
    static func forwardTrainingSplit(shape: TensorShape, inputs: SeededInputs, options: BatchNormOptions) -> PassWorkload {
        PassWorkload(
            pass: .forwardTrainingSplit, shape: shape,
            arrayCall: { backend in try splitForward(on: backend, shape: shape, inputs: inputs, options: options) },
            prepareBufferCall: { backend in
                let call = try SplitForwardCall(backend: backend, shape: shape, inputs: inputs, options: options)
                return { try call.run() }
            })
    }

    /// Split-phase backward: local gradient sums, their total, then dγ, dβ and dx.
    static func backwardSplit(shape: TensorShape, inputs: SeededInputs, statistics: ForwardTrainingResult,
                              options: BatchNormOptions) -> PassWorkload {
        PassWorkload(
            pass: .backwardSplit, shape: shape,
            arrayCall: { backend in
                try splitBackward(on: backend, shape: shape, inputs: inputs, statistics: statistics, options: options)
            },
            prepareBufferCall: { backend in
                let call = try SplitBackwardCall(backend: backend, shape: shape, inputs: inputs, statistics: statistics,
                                                 options: options)
                return { try call.run() }
            })
    }

    /// The array-form equivalent: upload, the split forward, download y, mean and invStd.
    private static func splitForward<Backend: BatchNormBackend>(
        on backend: Backend, shape: TensorShape, inputs: SeededInputs, options: BatchNormOptions
    ) throws -> [[Float]] {
        let call = try SplitForwardCall(backend: backend, shape: shape, inputs: inputs, options: options)
        try call.run()
        return [try backend.download(call.y), try backend.download(call.mean), try backend.download(call.invStd)]
    }

    /// The array-form equivalent: upload, the split backward, download dx, dγ and dβ.
    private static func splitBackward<Backend: BatchNormBackend>(
        on backend: Backend, shape: TensorShape, inputs: SeededInputs, statistics: ForwardTrainingResult,
        options: BatchNormOptions
    ) throws -> [[Float]] {
        let call = try SplitBackwardCall(backend: backend, shape: shape, inputs: inputs, statistics: statistics,
                                         options: options)
        try call.run()
        return [try backend.download(call.dx), try backend.download(call.dGamma), try backend.download(call.dBeta)]
    }
}

/// One device's split-phase training forward on buffers uploaded once.
private final class SplitForwardCall<Backend: BatchNormBackend> {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions
    let x: Backend.Buffer, gamma: Backend.Buffer, beta: Backend.Buffer
    let y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    var running: RunningStatisticsBuffers<Backend.Buffer>

    init(backend: Backend, shape: TensorShape, inputs: SeededInputs, options: BatchNormOptions) throws {
        (self.backend, self.shape, self.options) = (backend, shape, options)
        x = try backend.upload(inputs.x)
        gamma = try backend.upload(inputs.gamma)
        beta = try backend.upload(inputs.beta)
        running = try backend.upload(inputs.running)
        y = try backend.makeBuffer(count: inputs.x.count)
        mean = try backend.makeBuffer(count: inputs.gamma.count)
        invStd = try backend.makeBuffer(count: inputs.gamma.count)
    }

    func run() throws {
        let local = try backend.localStatistics(x: x, shape: shape, options: options)
        try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta,
                                    statistics: try PartialStatistics.merged([local]), running: &running,
                                    options: options, y: y, mean: mean, invStd: invStd)
    }
}

/// One device's split-phase backward on buffers uploaded once.
private final class SplitBackwardCall<Backend: BatchNormBackend> {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions
    let dy: Backend.Buffer, x: Backend.Buffer, gamma: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    let dx: Backend.Buffer, dGamma: Backend.Buffer, dBeta: Backend.Buffer

    init(backend: Backend, shape: TensorShape, inputs: SeededInputs, statistics: ForwardTrainingResult,
         options: BatchNormOptions) throws {
        (self.backend, self.shape, self.options) = (backend, shape, options)
        dy = try backend.upload(inputs.dy)
        x = try backend.upload(inputs.x)
        gamma = try backend.upload(inputs.gamma)
        mean = try backend.upload(statistics.mean)
        invStd = try backend.upload(statistics.invStd)
        dx = try backend.makeBuffer(count: inputs.x.count)
        dGamma = try backend.makeBuffer(count: inputs.gamma.count)
        dBeta = try backend.makeBuffer(count: inputs.gamma.count)
    }

    func run() throws {
        let sums = try backend.gradientSums(dy: dy, x: x, shape: shape, mean: mean, options: options)
        try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, sums: sums,
                             options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}
