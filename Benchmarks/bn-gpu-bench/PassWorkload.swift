import BatchNorm

/// One pass on one shape and layout, ready to run: the same array-form call on any backend, and the
/// buffer-form call on OpenCL with its inputs uploaded once.
struct PassWorkload {
    /// The pass.
    let pass: PassKind
    /// The shape and layout of x.
    let shape: TensorShape
    /// The array-form call on a backend; returns the outputs compared, in a fixed order (forward
    /// training: y, mean, invStd; inference: y; backward: dx, dγ, dβ).
    let arrayCall: (any BatchNormBackend) throws -> [[Float]]
    /// Uploads the inputs and allocates the outputs on `backend`, and returns the buffer-form call,
    /// which enqueues the pass and returns without waiting.
    let prepareBufferCall: (OpenCLBackend) throws -> () throws -> Void
}

extension PassWorkload {
    /// The workload of `pass`.
    /// - Parameters:
    ///   - pass: The pass.
    ///   - fixture: The shape, layout and inputs.
    ///   - options: The batch-norm options of every call.
    /// - Returns: The workload.
    /// - Throws: ``BatchNormError`` from the CPU reference's forward pass, which backward needs.
    static func make(_ pass: PassKind, on fixture: ShapeFixture, options: BatchNormOptions) throws -> PassWorkload {
        switch pass {
        case .forwardTraining:
            forwardTraining(shape: fixture.shape, inputs: fixture.inputs, options: options)
        case .forwardInference:
            forwardInference(shape: fixture.shape, inputs: fixture.inputs, options: options)
        case .backward:
            try backward(shape: fixture.shape, inputs: fixture.inputs,
                         statistics: fixture.referenceStatistics(options: options), options: options)
        case .forwardTrainingSplit:
            forwardTrainingSplit(shape: fixture.shape, inputs: fixture.inputs, options: options)
        case .backwardSplit:
            try backwardSplit(shape: fixture.shape, inputs: fixture.inputs,
                              statistics: fixture.referenceStatistics(options: options), options: options)
        }
    }
}
