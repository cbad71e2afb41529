import BNCore

/// Batch norm over a batch split across devices or processes, as PyTorch's `SyncBatchNorm`: every
/// member normalizes with the statistics of the whole batch and gets the gradients of the whole
/// batch, so N members compute what one device would on the concatenated batch.
///
/// Each member makes one over its own backend and its member of a ``StatisticsCommunicator`` group,
/// and every member calls the same passes in the same order. A pass runs the split phases of its
/// backend around one collective:
///
/// - forward: ``SplitPhaseBackend/localStatistics(x:shape:options:)`` → ``StatisticsCommunicator/allGather(_:)``
///   → ``PartialStatistics/merged(_:)`` in rank order →
///   ``SplitPhaseBackend/forwardTraining(x:shape:gamma:beta:statistics:running:options:y:mean:invStd:)``;
/// - backward: ``SplitPhaseBackend/gradientSums(dy:x:shape:mean:options:)`` →
///   ``StatisticsCommunicator/allReduceSum(_:)`` →
///   ``SplitPhaseBackend/backward(dy:x:shape:gamma:mean:invStd:sums:options:dx:dGamma:dBeta:)``.
///
/// A member whose part is empty passes a shape with `n` = 0: it takes part with count 0, reads and
/// writes no tensor (x, y, dy and dx may then be any buffers of the backend), and still receives
/// the merged mean, invStd, running statistics, dγ and dβ.
///
/// A member that throws before a collective leaves the others waiting in it: the engine must end
/// the group (MPI: `MPI_Abort`). Errors that depend on the merged values (too few values in the
/// whole batch) are thrown by every member alike.
public struct SynchronizedBatchNorm<Backend: SplitPhaseBackend>: Sendable {
    /// The backend of this member's device.
    public let backend: Backend
    /// This member of the group.
    public let communicator: any StatisticsCommunicator

    /// - Parameters:
    ///   - backend: The backend of this member's device.
    ///   - communicator: This member of the group.
    public init(backend: Backend, communicator: any StatisticsCommunicator) {
        self.backend = backend
        self.communicator = communicator
    }

    /// A training forward pass with the statistics of every member's part together.
    /// - Parameters:
    ///   - x: This member's part of the batch.
    ///   - shape: The shape of x; `n` = 0 for an empty part.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Running statistics, updated in place with the whole batch's statistics.
    ///   - options: ε, momentum and its convention, the stored variance, the mode.
    ///   - y: Receives this member's output.
    ///   - mean: Receives the whole batch's mean.
    ///   - invStd: Receives the whole batch's `1/√(σ² + ε)`.
    /// - Returns: The merged statistics.
    /// - Throws: ``BatchNormError`` from the checks, the device or the communicator.
    @discardableResult
    public func forwardTraining(
        x: Backend.Buffer, shape: TensorShape, gamma: Backend.Buffer?, beta: Backend.Buffer?,
        running: inout RunningStatisticsBuffers<Backend.Buffer>, options: BatchNormOptions,
        y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    ) async throws -> PartialStatistics {
        let part = try Part(shape: shape, options: options)
        let local = part.isEmpty
            ? PartialStatistics.empty(features: part.geometry.features)
            : try backend.localStatistics(x: x, shape: shape, options: options)
        let merged = try PartialStatistics.merged(try await communicator.allGather(local))
        guard part.isEmpty else {
            try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta, statistics: merged,
                                        running: &running, options: options, y: y, mean: mean, invStd: invStd)
            return merged
        }
        try merged.checkMerged(for: part.geometry)
        try part.checkFeatures(["gamma": gamma, "beta": beta, "running.mean": running.mean,
                                "running.variance": running.variance, "mean": mean, "invStd": invStd])
        let normalization = merged.normalization(epsilon: options.epsilon)
        try backend.write(normalization.mean.map(Float.init), to: mean)
        try backend.write(normalization.invStd.map(Float.init), to: invStd)
        try backend.updateRunning(&running, with: merged, options: options)
        return merged
    }

    /// A backward pass for ``forwardTraining(x:shape:gamma:beta:running:options:y:mean:invStd:)``
    /// with the gradient sums of every member's part together.
    /// - Parameters:
    ///   - dy: The gradient with respect to this member's y.
    ///   - x: This member's part of the batch.
    ///   - shape: The shape of x and dy; `n` = 0 for an empty part.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The mean the forward pass wrote.
    ///   - invStd: The inverse standard deviation the forward pass wrote.
    ///   - options: The mode.
    ///   - dx: Receives this member's input gradient.
    ///   - dGamma: Receives the whole batch's dγ.
    ///   - dBeta: Receives the whole batch's dβ.
    /// - Throws: ``BatchNormError`` from the checks, the device or the communicator.
    public func backward(
        dy: Backend.Buffer, x: Backend.Buffer, shape: TensorShape, gamma: Backend.Buffer?, mean: Backend.Buffer,
        invStd: Backend.Buffer, options: BatchNormOptions, dx: Backend.Buffer, dGamma: Backend.Buffer,
        dBeta: Backend.Buffer
    ) async throws {
        let part = try Part(shape: shape, options: options)
        let local = part.isEmpty
            ? GradientSums.zero(features: part.geometry.features)
            : try backend.gradientSums(dy: dy, x: x, shape: shape, mean: mean, options: options)
        let sums = try GradientSums(flattened: try await communicator.allReduceSum(local.flattened),
                                    features: part.geometry.features)
        guard part.isEmpty else {
            try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, sums: sums,
                                 options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)
            return
        }
        try part.checkFeatures(["gamma": gamma, "mean": mean, "invStd": invStd, "dGamma": dGamma, "dBeta": dBeta])
        let gradients = sums.parameterGradients(invStd: try backend.download(invStd))
        try backend.write(gradients.dGamma.map(Float.init), to: dGamma)
        try backend.write(gradients.dBeta.map(Float.init), to: dBeta)
    }
}

/// A member's part of the batch: its geometry, with an empty part (`n` = 0) checked as if it held one row.
private struct Part {
    let geometry: FeatureGeometry
    let isEmpty: Bool

    init(shape: TensorShape, options: BatchNormOptions) throws {
        try options.validate()
        isEmpty = shape.n == 0
        var checked = shape
        if isEmpty { checked.n = 1 }
        geometry = try FeatureGeometry(shape: checked, mode: options.mode)
    }

    /// Throws unless every per-feature buffer given has one value per feature.
    func checkFeatures<Buffer: BatchNormBuffer>(_ buffers: KeyValuePairs<String, Buffer?>) throws {
        for (argument, buffer) in buffers { try geometry.checkFeatures(argument, count: buffer?.count) }
    }
}
