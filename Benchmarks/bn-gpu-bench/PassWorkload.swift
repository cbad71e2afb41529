import BatchNorm

/// One pass on one shape and layout, ready to run: the same round trip on any backend (upload in
/// the row's storage, the pass, download), and the buffer-form call on OpenCL with its inputs
/// uploaded once.
struct PassWorkload {
    /// The pass.
    let pass: PassKind
    /// The shape and layout of x.
    let shape: TensorShape
    /// Uploads the inputs, runs the pass and downloads its outputs, as the array form does, on a
    /// backend; returns the outputs compared, in a fixed order (forward training: y, mean, invStd;
    /// inference: y; backward: dx, dγ, dβ, then dz for add-relu).
    let arrayCall: (any SeparateActivation) throws -> [[Float]]
    /// Uploads the inputs and allocates the outputs on `backend`, and returns the buffer-form call,
    /// which enqueues the pass and returns without waiting.
    let prepareBufferCall: (OpenCLBackend) throws -> () throws -> Void
}

/// A pass on buffers uploaded once: the work timed, and the outputs it leaves.
protocol PassCall: AnyObject {
    /// Enqueues the pass (on OpenCL, returns without waiting).
    func run() throws
    /// The outputs after the work enqueued, in ``PassWorkload/arrayCall``'s order.
    func outputs() throws -> [[Float]]
}

extension PassWorkload {
    /// The workload of `pass`.
    /// - Parameters:
    ///   - pass: The pass.
    ///   - fixture: The shape, layout and inputs, stored as the row stores its tensors.
    ///   - options: The batch-norm options of every call; the fusion comes from `activation`.
    ///   - activation: Batch norm alone (the default), or the activation fused or run separately.
    /// - Returns: The workload.
    /// - Throws: ``BatchNormError`` from the CPU reference's forward pass, which backward needs.
    static func make(_ pass: PassKind, on fixture: ShapeFixture, options: BatchNormOptions,
                     activation: RowActivation = .none) throws -> PassWorkload {
        var options = options
        options.fusion = activation.passFusion
        if pass == .backward || pass == .backwardSplit {
            // Computed here once, so that a failure of the reference stops the row before it runs.
            _ = try fixture.referenceForward(activation.operation, options: options)
        }
        func call<Backend: SeparateActivation>(on backend: Backend) throws -> any PassCall {
            switch pass {
            case .forwardTraining:
                try ForwardCall(backend: backend, fixture: fixture, options: options, activation: activation,
                                isTraining: true)
            case .forwardInference:
                try ForwardCall(backend: backend, fixture: fixture, options: options, activation: activation,
                                isTraining: false)
            case .backward:
                try BackwardCall(backend: backend, fixture: fixture, options: options, activation: activation)
            case .forwardTrainingSplit:
                try SplitForwardCall(backend: backend, fixture: fixture, options: options)
            case .backwardSplit:
                try SplitBackwardCall(backend: backend, fixture: fixture, options: options)
            }
        }
        return PassWorkload(
            pass: pass, shape: fixture.shape,
            arrayCall: { backend in
                let call = try call(on: backend)
                try call.run()
                return try call.outputs()
            },
            prepareBufferCall: { backend in
                let call = try call(on: backend)
                return { try call.run() }
            })
    }
}
