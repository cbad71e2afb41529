import BNCore

/// The passes as an engine that drives OpenCL itself calls them: each takes a wait list, chains its
/// kernels by events (no host wait inside a pass or between passes) and returns its last kernel's
/// event; the `async` forms await that event through an event callback, so no thread of Swift's
/// cooperative pool blocks. Arguments are checked before anything is enqueued, as in the other forms.
extension OpenCLBackend {
    /// ``forwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:)`` after `events`.
    /// The corresponding OpenCL call is `clEnqueueNDRangeKernel`, with wait lists.
    /// z (and, in the backward forms, y and dz) are the fused operation's tensors, nil by default.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the synchronous form, and `BatchNormError.incompatibleOpenCLObjects` for an event
    ///   of another context.
    public func enqueueForwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer? = nil, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        let event = try submit(forwardTrainingPass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                                   options: options, y: y, mean: mean, invStd: invStd), after: events)
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
        return event
    }

    /// ``forwardInference(x:z:shape:gamma:beta:running:options:y:)`` after `events`.
    /// The corresponding OpenCL call is `clEnqueueNDRangeKernel`, with wait lists.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the synchronous form, and `BatchNormError.incompatibleOpenCLObjects`.
    public func enqueueForwardInference(
        x: OpenCLBuffer, z: OpenCLBuffer? = nil, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        try submit(forwardInferencePass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running, options: options,
                                        y: y), after: events)
    }

    /// ``backward(dy:y:x:shape:gamma:mean:invStd:options:dx:dz:dGamma:dBeta:)`` after `events`.
    /// The corresponding OpenCL call is `clEnqueueNDRangeKernel`, with wait lists.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the synchronous form, and `BatchNormError.incompatibleOpenCLObjects`.
    public func enqueueBackward(
        dy: OpenCLBuffer, y: OpenCLBuffer? = nil, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        mean: OpenCLBuffer, invStd: OpenCLBuffer, options: BatchNormOptions, dx: OpenCLBuffer, dz: OpenCLBuffer? = nil,
        dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        try submit(backwardPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd,
                                options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta), after: events)
    }

    /// ``backwardFrozen(dy:y:x:shape:gamma:running:options:dx:dz:dGamma:dBeta:)`` after `events`.
    /// The corresponding OpenCL call is `clEnqueueNDRangeKernel`, with wait lists.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the synchronous form, and `BatchNormError.incompatibleOpenCLObjects`.
    public func enqueueBackwardFrozen(
        dy: OpenCLBuffer, y: OpenCLBuffer? = nil, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer? = nil, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        try submit(backwardFrozenPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, running: running,
                                      options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta), after: events)
    }

    // MARK: async

    /// The training forward pass after `events`, resuming when its last kernel has finished.
    /// - Parameter events: Commands the pass waits for; `[]` for none.
    /// - Throws: As ``enqueueForwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:waitingFor:)``,
    ///   and `BatchNormError.openCLCallFailed` when a kernel fails on the device.
    public func forwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer? = nil, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, waitingFor events: [OpenCLEvent]
    ) async throws {
        try await enqueueForwardTraining(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: &running, options: options,
                                         y: y, mean: mean, invStd: invStd, waitingFor: events).completion()
    }

    /// The inference forward pass after `events`, resuming when its last kernel has finished.
    /// - Parameter events: Commands the pass waits for; `[]` for none.
    /// - Throws: As ``enqueueForwardInference(x:z:shape:gamma:beta:running:options:y:waitingFor:)``, and
    ///   `BatchNormError.openCLCallFailed` when a kernel fails on the device.
    public func forwardInference(
        x: OpenCLBuffer, z: OpenCLBuffer? = nil, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) async throws {
        try await enqueueForwardInference(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running, options: options,
                                          y: y, waitingFor: events).completion()
    }

    /// The backward pass after `events`, resuming when its last kernel has finished.
    /// - Parameter events: Commands the pass waits for; `[]` for none.
    /// - Throws: As ``enqueueBackward(dy:y:x:shape:gamma:mean:invStd:options:dx:dz:dGamma:dBeta:waitingFor:)``,
    ///   and `BatchNormError.openCLCallFailed` when a kernel fails on the device.
    public func backward(
        dy: OpenCLBuffer, y: OpenCLBuffer? = nil, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        mean: OpenCLBuffer, invStd: OpenCLBuffer, options: BatchNormOptions, dx: OpenCLBuffer, dz: OpenCLBuffer? = nil,
        dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, waitingFor events: [OpenCLEvent]
    ) async throws {
        try await enqueueBackward(dy: dy, y: y, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd,
                                  options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta,
                                  waitingFor: events).completion()
    }

    /// The frozen-statistics backward pass after `events`, resuming when its last kernel has finished.
    /// - Parameter events: Commands the pass waits for; `[]` for none.
    /// - Throws: As ``enqueueBackwardFrozen(dy:y:x:shape:gamma:running:options:dx:dz:dGamma:dBeta:waitingFor:)``,
    ///   and `BatchNormError.openCLCallFailed` when a kernel fails on the device.
    public func backwardFrozen(
        dy: OpenCLBuffer, y: OpenCLBuffer? = nil, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer? = nil, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) async throws {
        try await enqueueBackwardFrozen(dy: dy, y: y, x: x, shape: shape, gamma: gamma, running: running,
                                        options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta,
                                        waitingFor: events).completion()
    }
}
