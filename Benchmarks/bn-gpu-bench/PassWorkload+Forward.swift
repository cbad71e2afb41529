import BatchNorm

/// A forward pass on buffers uploaded once in the row's storage: training (batch statistics, y and
/// the running update, in place on every run) or inference (y from the running statistics). With
/// a fused activation the pass writes relu(bn(x)) or relu(bn(x) + z); unfused, the pass writes
/// bn(x) and the separate activation then overwrites y in place, as an in-place ReLU does. A
/// renormalizing training pass (`options.renormalization`) also writes r and d.
final class ForwardCall<Backend: SeparateActivation>: PassCall {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions, activation: RowActivation
    let isTraining: Bool
    let x: Backend.Buffer, z: Backend.Buffer?, gamma: Backend.Buffer, beta: Backend.Buffer
    let y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    let corrections: RenormCorrections<Backend.Buffer>?
    var running: RunningStatisticsBuffers<Backend.Buffer>

    /// Uploads the inputs and allocates the outputs.
    /// - Parameters:
    ///   - backend: Where the pass runs.
    ///   - fixture: The shape and the stored inputs.
    ///   - options: The options, whose fusion is `activation.passFusion`.
    ///   - activation: How the activation runs.
    ///   - isTraining: Training (batch statistics) or inference.
    /// - Throws: ``BatchNormError`` from the uploads.
    init(backend: Backend, fixture: ShapeFixture, options: BatchNormOptions, activation: RowActivation,
         isTraining: Bool) throws {
        let inputs = fixture.inputs
        (self.backend, shape, self.options, self.activation, self.isTraining)
            = (backend, fixture.shape, options, activation, isTraining)
        let buffers = try ForwardBuffers(backend: backend, inputs: inputs)
        (x, gamma, beta, y, mean, invStd, running)
            = (buffers.x, buffers.gamma, buffers.beta, buffers.y, buffers.mean, buffers.invStd, buffers.running)
        z = activation.operation.addsInput ? try inputs.z.map { try backend.upload($0, as: inputs.storage) } : nil
        let features = inputs.gamma.count
        corrections = isTraining && options.renormalization != nil
            ? RenormCorrections(r: try backend.makeBuffer(count: features), d: try backend.makeBuffer(count: features))
            : nil
        // renormalization compares with running statistics of earlier batches: count the drawn ones as one
        running.batchesTracked = max(running.batchesTracked, 1)
    }

    func run() throws {
        let passZ = activation.isUnfused ? nil : z
        if isTraining {
            try backend.forwardTraining(x: x, z: passZ, shape: shape, gamma: gamma, beta: beta, running: &running,
                                        options: options, y: y, mean: mean, invStd: invStd, corrections: corrections)
        } else {
            try backend.forwardInference(x: x, z: passZ, shape: shape, gamma: gamma, beta: beta, running: running,
                                         options: options, y: y)
        }
        if activation.isUnfused {
            try backend.relu(y, adding: z, into: y)
        }
    }

    /// y, then for training the mean and invStd, then r and d when renormalized.
    func outputs() throws -> [[Float]] {
        [try backend.download(y)] + (isTraining ? [try backend.download(mean), try backend.download(invStd)] : [])
            + (try corrections.map { [try backend.download($0.r), try backend.download($0.d)] } ?? [])
    }
}

/// The buffers of a forward pass, uploaded in the inputs' storage: x, γ, β and the running
/// statistics, and room for y, the mean and invStd.
struct ForwardBuffers<Backend: BatchNormBackend> {
    let x: Backend.Buffer, gamma: Backend.Buffer, beta: Backend.Buffer
    let y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    let running: RunningStatisticsBuffers<Backend.Buffer>

    init(backend: Backend, inputs: SeededInputs) throws {
        x = try backend.upload(inputs.x, as: inputs.storage)
        gamma = try backend.upload(inputs.gamma)
        beta = try backend.upload(inputs.beta)
        running = try backend.upload(inputs.running)
        y = try backend.makeBuffer(count: inputs.x.count, elementType: inputs.storage)
        mean = try backend.makeBuffer(count: inputs.gamma.count)
        invStd = try backend.makeBuffer(count: inputs.gamma.count)
    }
}
