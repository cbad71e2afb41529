import BNCore

extension OpenCLBackend {
    public func forwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer
    ) throws {
        try submit(forwardTrainingPass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                       options: options, y: y, mean: mean, invStd: invStd))
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    public func forwardInference(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer
    ) throws {
        try submit(forwardInferencePass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                        options: options, y: y))
    }

    public func backward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        mean: OpenCLBuffer, invStd: OpenCLBuffer, options: BatchNormOptions, dx: OpenCLBuffer, dz: OpenCLBuffer?,
        dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws {
        try submit(backwardPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd,
                                options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta))
    }

    public func backwardFrozen(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws {
        try submit(backwardFrozenPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, running: running,
                                      options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta))
    }
}

/// A pass whose arguments are checked, ready to enqueue: with no events (``OpenCLBackend/submit(_:)``)
/// or chained after a wait list, returning its last kernel's event (``OpenCLBackend/submit(_:after:)``).
struct PreparedPass {
    let geometry: FeatureGeometry
    /// How the call's tensors are stored.
    let storage: ElementType
    let body: (inout KernelRunner, LaunchPlan) throws -> Void
}

extension OpenCLBackend {
    func forwardTrainingPass(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.forwardTraining(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd).addingInput(z: z), shape: shape, options: options)
        let target = RunningTarget(mean: running.mean, variance: running.variance,
                                   update: RunningUpdate(options: options, batchesTracked: running.batchesTracked,
                                                         valuesPerFeature: geometry.valuesPerFeature))
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            try runner.enqueueForwardTraining(x: x, z: z, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                              running: target, epsilon: options.epsilon, fusion: options.fusion,
                                              plan: plan)
        }
    }

    func forwardInferencePass(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.forwardInference(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance, y: y
        ).addingInput(z: z), shape: shape, options: options)
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            try runner.enqueueInference(x: x, y: y, running: running, gamma: gamma, beta: beta, z: z,
                                        fusion: options.fusion, epsilon: options.epsilon, plan: plan)
        }
    }

    func backwardPass(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        mean: OpenCLBuffer, invStd: OpenCLBuffer, options: BatchNormOptions, dx: OpenCLBuffer, dz: OpenCLBuffer?,
        dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.backward(
            dy: dy, x: x, gamma: gamma, mean: mean, invStd: invStd, dx: dx, dGamma: dGamma, dBeta: dBeta
        ).addingBackwardFusion(y: y, dz: dz, checksOutputs: true), shape: shape, options: options)
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            try runner.enqueueBackward(dy: dy, y: y, x: x, mean: mean, invStd: invStd, gamma: gamma, dx: dx, dz: dz,
                                       dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: true, plan: plan)
        }
    }

    func backwardFrozenPass(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.backwardFrozen(
            dy: dy, x: x, gamma: gamma, runningMean: running.mean, runningVariance: running.variance,
            dx: dx, dGamma: dGamma, dBeta: dBeta
        ).addingBackwardFusion(y: y, dz: dz, checksOutputs: true), shape: shape, options: options)
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            let (invStd, _) = try runner.enqueueInverseStd(variance: running.variance, plan: plan, epsilon: options.epsilon)
            try runner.enqueueBackward(dy: dy, y: y, x: x, mean: running.mean, invStd: invStd, gamma: gamma, dx: dx,
                                       dz: dz, dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: false, plan: plan)
        }
    }

    /// Enqueues a pass with no events of its own beyond what the queue needs.
    func submit(_ pass: PreparedPass) throws {
        try enqueue(pass.geometry, storage: pass.storage, pass.body)
    }

    /// Enqueues a pass whose first kernel waits for `events` and whose kernels chain by events;
    /// returns the last kernel's event. The events are checked to belong to this backend's context first.
    func submit(_ pass: PreparedPass, after events: [OpenCLEvent]) throws -> OpenCLEvent {
        try checkWaitList(events)
        return try runner.withLock { runner in
            let plan = try runner.plan(for: pass.geometry, storage: pass.storage, forcesWideIndices: forcesWideIndices)
            return try runner.chained(after: events) { try pass.body(&$0, plan) }
        }
    }

    /// Throws unless every event belongs to this backend's context.
    func checkWaitList(_ events: [OpenCLEvent]) throws {
        for (index, event) in events.enumerated() where try event.contextHandle != context.handle {
            throw BatchNormError.incompatibleOpenCLObjects(reason: "event \(index) of the wait list belongs to another context than the backend's; OpenCL waits only on events of the queue's context")
        }
    }
}
