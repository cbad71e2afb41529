import BNCore

/// Each pass in two forms over one prepared pass: the protocol's, which enqueues and returns, and
/// the form an engine that drives OpenCL itself calls, which takes a wait list, chains its kernels
/// by events (no host wait inside a pass or between passes) and returns its last kernel's event.
/// Await that event's ``OpenCLEvent/completion()`` to wait without blocking a thread of Swift's
/// cooperative pool. Arguments are checked before anything is enqueued, in both forms.
extension OpenCLBackend {
    public func forwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, corrections: RenormCorrections<OpenCLBuffer>?
    ) throws {
        try submit(forwardTrainingPass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                       options: options, y: y, mean: mean, invStd: invStd, corrections: corrections))
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    /// ``forwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:corrections:)`` after
    /// `events`, as `clEnqueueNDRangeKernel` takes a wait list.
    /// - Parameters:
    ///   - corrections: r and d of a renormalizing pass; nil (the default) for batch norm.
    ///   - events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the protocol's form, and ``BatchNormError/incompatibleOpenCLObjects(reason:)`` for
    ///   an event of another context.
    @discardableResult
    public func forwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, corrections: RenormCorrections<OpenCLBuffer>? = nil,
        waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        let event = try submit(forwardTrainingPass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                                   options: options, y: y, mean: mean, invStd: invStd,
                                                   corrections: corrections), after: events)
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
        return event
    }

    public func forwardInference(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer
    ) throws {
        try submit(forwardInferencePass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                        options: options, y: y))
    }

    /// ``forwardInference(x:z:shape:gamma:beta:running:options:y:)`` after `events`.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the protocol's form, and ``BatchNormError/incompatibleOpenCLObjects(reason:)`` for
    ///   an event of another context.
    @discardableResult
    public func forwardInference(
        x: OpenCLBuffer, z: OpenCLBuffer?, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        try submit(forwardInferencePass(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                        options: options, y: y), after: events)
    }

    public func backward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        statistics: BackwardStatistics<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws {
        try submit(backwardPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta))
    }

    /// ``backward(dy:y:x:shape:gamma:statistics:options:dx:dz:dGamma:dBeta:)`` after `events`.
    /// - Parameter events: Commands the pass's first kernel waits for, of this backend's context.
    /// - Returns: The event of the pass's last kernel.
    /// - Throws: As the protocol's form, and ``BatchNormError/incompatibleOpenCLObjects(reason:)`` for
    ///   an event of another context.
    @discardableResult
    public func backward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        statistics: BackwardStatistics<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        waitingFor events: [OpenCLEvent]
    ) throws -> OpenCLEvent {
        try submit(backwardPass(dy: dy, y: y, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta), after: events)
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
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, corrections: RenormCorrections<OpenCLBuffer>?
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.forwardTraining(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd).addingInput(z: z)
            .renormalizing(corrections, checksOutputs: true, batchesTracked: running.batchesTracked),
            shape: shape, options: options)
        let target = RunningTarget(mean: running.mean, variance: running.variance,
                                   update: RunningUpdate(options: options, batchesTracked: running.batchesTracked,
                                                         valuesPerFeature: geometry.valuesPerFeature))
        guard geometry.groups == 1 else {
            return try virtualBatchesForward(x: x, z: z, geometry: geometry, gamma: gamma, beta: beta, target: target,
                                             options: options, y: y, mean: mean, invStd: invStd, corrections: corrections)
        }
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            let renorm = try runner.renormTarget(corrections, limits: options.renormalization,
                                                 features: geometry.features)
            try runner.enqueueForwardTraining(x: x, z: z, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                              running: target, renorm: renorm, epsilon: options.epsilon,
                                              fusion: options.fusion, plan: plan)
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
        statistics: BackwardStatistics<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws -> PreparedPass {
        let geometry = try checked(Operands.backward(
            dy: dy, x: x, gamma: gamma, statistics: statistics, dx: dx, dGamma: dGamma, dBeta: dBeta
        ).addingBackwardFusion(y: y, dz: dz, checksOutputs: true), shape: shape, options: options)
        guard geometry.groups == 1 else {
            return try virtualBatchesBackward(dy: dy, y: y, x: x, geometry: geometry, gamma: gamma, statistics: statistics,
                                              dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
        }
        return PreparedPass(geometry: geometry, storage: x.elementType) { runner, plan in
            let (mean, invStd) = switch statistics {
            case .batch(let mean, let invStd), .renormalized(let mean, let invStd, _, _): (mean, invStd)
            case .running(let mean, let variance):
                (mean, try runner.enqueueInverseStd(variance: variance, plan: plan, epsilon: options.epsilon).0)
            }
            try runner.enqueueBackward(dy: dy, y: y, x: x, mean: mean, invStd: invStd, gamma: gamma, dx: dx, dz: dz,
                                       dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: statistics.isBatch,
                                       corrections: statistics.corrections, plan: plan)
        }
    }

    /// Enqueues a pass with no events of its own beyond what the queue needs, after searching its
    /// class's launch settings if this is the class's first use (``searchOnFirstUse(_:)``).
    func submit(_ pass: PreparedPass) throws {
        searchOnFirstUse(pass.geometry)
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
