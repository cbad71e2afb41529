import BatchNorm

/// One shape in one layout with its inputs, shared by the rows of every pass on it.
final class ShapeFixture {
    /// The shape and layout of x.
    let shape: TensorShape
    /// x, dy, γ, β and running statistics.
    let inputs: SeededInputs
    private var statistics: ForwardTrainingResult?

    /// - Parameters:
    ///   - shape: The shape and layout.
    ///   - inputs: Inputs drawn for the shape.
    init(shape: TensorShape, inputs: SeededInputs) {
        self.shape = shape
        self.inputs = inputs
    }

    /// The CPU reference's training forward pass on the inputs, computed on first use: the mean
    /// and invStd every backend's backward pass is fed.
    /// - Parameter options: The batch-norm options.
    /// - Returns: y, mean and invStd.
    /// - Throws: ``BatchNormError`` from the reference.
    func referenceStatistics(options: BatchNormOptions) throws -> ForwardTrainingResult {
        if let statistics { return statistics }
        var running = inputs.running
        let result = try CPUBackend().forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                      beta: inputs.beta, running: &running, options: options)
        statistics = result
        return result
    }
}
