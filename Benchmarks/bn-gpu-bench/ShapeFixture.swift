import BatchNorm

/// One shape in one layout with its inputs, shared by the rows of every pass on it.
final class ShapeFixture {
    /// The shape and layout of x.
    let shape: TensorShape
    /// x, dy, z, γ, β and running statistics, the tensors stored as the rows store them.
    let inputs: SeededInputs
    private var forwards: [FusedOperation: ForwardTrainingResult] = [:]

    /// - Parameters:
    ///   - shape: The shape and layout.
    ///   - inputs: Inputs drawn for the shape, in the rows' storage (``SeededInputs/stored(as:)``).
    init(shape: TensorShape, inputs: SeededInputs) {
        self.shape = shape
        self.inputs = inputs
    }

    /// The CPU reference's training forward pass on the stored inputs with `operation` fused,
    /// computed on first use: the mean, invStd and output y every backend's backward pass is fed.
    /// - Parameters:
    ///   - operation: The fused activation (add-relu reads z).
    ///   - options: The batch-norm options; their fusion is replaced by `operation`.
    /// - Returns: y (in the inputs' storage), mean and invStd.
    /// - Throws: ``BatchNormError`` from the reference.
    func referenceForward(_ operation: FusedOperation, options: BatchNormOptions) throws -> ForwardTrainingResult {
        if let forward = forwards[operation] { return forward }
        var options = options
        options.fusion = operation
        let call = try ForwardCall(backend: CPUBackend(), fixture: self, options: options,
                                   activation: RowActivation(operation: operation, isUnfused: false), isTraining: true)
        try call.run()
        let outputs = try call.outputs()
        let forward = ForwardTrainingResult(y: outputs[0], mean: outputs[1], invStd: outputs[2])
        forwards[operation] = forward
        return forward
    }
}
