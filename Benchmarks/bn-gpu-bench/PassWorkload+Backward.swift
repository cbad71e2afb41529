import BatchNorm

/// Backward for a training forward pass on buffers uploaded once in the row's storage, fed the same
/// mean, invStd and (with an activation) forward output y on every backend, the CPU reference's
/// (``ShapeFixture/referenceForward(_:options:)``), so that only the backward computation is
/// compared. Fused, the pass masks dy by y's sign and writes dz for add-relu; unfused, the separate
/// kernel writes the masked dy (and dz) first, and the pass reads it as its dy. After a
/// renormalizing forward pass it takes the reference's r and d too (`.renormalized`).
final class BackwardCall<Backend: SeparateActivation>: PassCall {
    let backend: Backend, shape: TensorShape, options: BatchNormOptions
    let dy: Backend.Buffer, x: Backend.Buffer, gamma: Backend.Buffer
    /// The reference forward pass's statistics, uploaded.
    let statistics: BackwardStatistics<Backend.Buffer>
    /// The fused forward pass's output, with an activation.
    let y: Backend.Buffer?
    /// The masked dy of an unfused row.
    let masked: Backend.Buffer?
    let dx: Backend.Buffer, dz: Backend.Buffer?, dGamma: Backend.Buffer, dBeta: Backend.Buffer

    /// Uploads the inputs and allocates the outputs.
    /// - Parameters:
    ///   - backend: Where the pass runs.
    ///   - fixture: The shape, the stored inputs and the reference forward pass.
    ///   - options: The options, whose fusion is `activation.passFusion`.
    ///   - activation: How the activation runs.
    /// - Throws: ``BatchNormError`` from the reference's forward pass or the uploads.
    init(backend: Backend, fixture: ShapeFixture, options: BatchNormOptions, activation: RowActivation) throws {
        let inputs = fixture.inputs, storage = inputs.storage, count = inputs.x.count
        let forward = try fixture.referenceForward(activation.operation, options: options)
        (self.backend, shape, self.options) = (backend, fixture.shape, options)
        dy = try backend.upload(inputs.dy, as: storage)
        x = try backend.upload(inputs.x, as: storage)
        gamma = try backend.upload(inputs.gamma)
        statistics = try forward.statistics.map { try backend.upload($0) }
        y = activation.operation == .none ? nil : try backend.upload(forward.y, as: storage)
        masked = activation.isUnfused ? try backend.makeBuffer(count: count, elementType: storage) : nil
        dx = try backend.makeBuffer(count: count, elementType: storage)
        dz = activation.operation.addsInput ? try backend.makeBuffer(count: count, elementType: storage) : nil
        dGamma = try backend.makeBuffer(count: inputs.gamma.count)
        dBeta = try backend.makeBuffer(count: inputs.gamma.count)
    }

    func run() throws {
        if let masked, let y {
            try backend.reluBackward(gradient: dy, output: y, into: masked, also: dz)
            try backend.backward(dy: masked, y: nil, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                 options: options, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        } else {
            try backend.backward(dy: dy, y: y, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                 options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
        }
    }

    /// dx, dγ, dβ, then dz for add-relu.
    func outputs() throws -> [[Float]] {
        [try backend.download(dx), try backend.download(dGamma), try backend.download(dBeta)]
            + (try dz.map { [try backend.download($0)] } ?? [])
    }
}
