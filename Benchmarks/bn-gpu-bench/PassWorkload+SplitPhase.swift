import BatchNorm

// The split-phase passes of synchronized batch norm (``SynchronizedBatchNorm``) as one device of a
// group of one runs them: the device's reduction, read back by the host, merged (or summed) there,
// then the normalization (or dx). Against the fused passes they show what splitting costs before
// any communication: the host round trip in the middle of the pass. The split phases fuse no
// activation, so these rows run batch norm alone.

/// One device's split-phase training forward on buffers uploaded once: local statistics, merge,
/// normalization and running update.
final class SplitForwardCall<Backend: SplitPhaseBackend>: PassCall {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions
    let x: Backend.Buffer, gamma: Backend.Buffer, beta: Backend.Buffer
    let y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    var running: RunningStatisticsBuffers<Backend.Buffer>

    init(backend: Backend, fixture: ShapeFixture, options: BatchNormOptions) throws {
        let inputs = fixture.inputs
        (self.backend, shape, self.options) = (backend, fixture.shape, options)
        let buffers = try ForwardBuffers(backend: backend, inputs: inputs)
        (x, gamma, beta, y, mean, invStd, running)
            = (buffers.x, buffers.gamma, buffers.beta, buffers.y, buffers.mean, buffers.invStd, buffers.running)
    }

    func run() throws {
        let local = try backend.localStatistics(x: x, shape: shape, options: options)
        try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta,
                                    statistics: try PartialStatistics.merged([local]), running: &running,
                                    options: options, y: y, mean: mean, invStd: invStd)
    }

    /// y, mean and invStd.
    func outputs() throws -> [[Float]] {
        [try backend.download(y), try backend.download(mean), try backend.download(invStd)]
    }
}

/// One device's split-phase backward on buffers uploaded once: local gradient sums, their total,
/// then dγ, dβ and dx, fed the CPU reference's mean and invStd.
final class SplitBackwardCall<Backend: SplitPhaseBackend>: PassCall {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions
    let dy: Backend.Buffer, x: Backend.Buffer, gamma: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    let dx: Backend.Buffer, dGamma: Backend.Buffer, dBeta: Backend.Buffer

    init(backend: Backend, fixture: ShapeFixture, options: BatchNormOptions) throws {
        let inputs = fixture.inputs
        let statistics = try fixture.referenceForward(.none, options: options)
        (self.backend, shape, self.options) = (backend, fixture.shape, options)
        dy = try backend.upload(inputs.dy, as: inputs.storage)
        x = try backend.upload(inputs.x, as: inputs.storage)
        gamma = try backend.upload(inputs.gamma)
        mean = try backend.upload(statistics.mean)
        invStd = try backend.upload(statistics.invStd)
        dx = try backend.makeBuffer(count: inputs.x.count, elementType: inputs.storage)
        dGamma = try backend.makeBuffer(count: inputs.gamma.count)
        dBeta = try backend.makeBuffer(count: inputs.gamma.count)
    }

    func run() throws {
        let sums = try backend.gradientSums(dy: dy, x: x, shape: shape, mean: mean, options: options)
        try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, sums: sums,
                             options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)
    }

    /// dx, dγ and dβ.
    func outputs() throws -> [[Float]] {
        [try backend.download(dx), try backend.download(dGamma), try backend.download(dBeta)]
    }
}
