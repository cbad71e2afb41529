import BatchNorm

/// One shape in one layout with its inputs, shared by the rows of every pass on it.
final class ShapeFixture {
    /// The shape and layout of x.
    let shape: TensorShape
    /// x, dy, z, γ, β and running statistics, the tensors stored as the rows store them.
    let inputs: SeededInputs
    private var forwards: [ReferenceKey: ForwardTrainingResult] = [:]

    /// What a reference forward pass depends on besides the inputs.
    private struct ReferenceKey: Hashable {
        let operation: FusedOperation
        let renormalization: Renormalization?
    }

    /// - Parameters:
    ///   - shape: The shape and layout.
    ///   - inputs: Inputs drawn for the shape, in the rows' storage (``SeededInputs/stored(as:)``).
    init(shape: TensorShape, inputs: SeededInputs) {
        self.shape = shape
        self.inputs = inputs
    }

    /// The CPU reference's training forward pass on the stored inputs with `operation` fused,
    /// computed on first use: the mean, invStd, output y and, when renormalized, r and d that every
    /// backend's backward pass is fed.
    /// - Parameters:
    ///   - operation: The fused activation (add-relu reads z).
    ///   - options: The batch-norm options; their fusion is replaced by `operation`.
    /// - Returns: y (in the inputs' storage), mean and invStd, and r and d of a renormalized pass.
    /// - Throws: ``BatchNormError`` from the reference.
    func referenceForward(_ operation: FusedOperation, options: BatchNormOptions) throws -> ForwardTrainingResult {
        let key = ReferenceKey(operation: operation, renormalization: options.renormalization)
        if let forward = forwards[key] { return forward }
        var options = options
        options.fusion = operation
        let call = try ForwardCall(backend: CPUBackend(), fixture: self, options: options,
                                   activation: RowActivation(operation: operation, isUnfused: false), isTraining: true)
        try call.run()
        let outputs = try call.outputs()
        let forward = ForwardTrainingResult(y: outputs[0], mean: outputs[1], invStd: outputs[2],
                                            corrections: outputs.count > 3 ? RenormCorrections(r: outputs[3], d: outputs[4]) : nil)
        forwards[key] = forward
        return forward
    }
}
