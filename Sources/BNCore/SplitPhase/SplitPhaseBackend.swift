/// A backend that can run its part of synchronized batch norm: each pass split in two phases around
/// the exchange of per-feature statistics between devices. `SynchronizedBatchNorm` needs it; a
/// backend that only trains on one device does not.
///
/// The phases fuse nothing: run them with ``BatchNormOptions/fusion`` `.none` and apply the
/// activation after the second phase.
public protocol SplitPhaseBackend: BatchNormBackend {
    /// The first phase of a synchronized training forward pass: this device's count, mean and M2
    /// of each feature of x, for the group to merge. Waits for the device.
    /// - Parameters:
    ///   - x: This device's part of the batch.
    ///   - shape: The dimensions and layout of x; one value per feature is enough here.
    ///   - options: The mode (the other options are checked too).
    /// - Returns: The statistics of x.
    /// - Throws: ``BatchNormError`` for a bad shape, length or option, or a device error.
    func localStatistics(x: Buffer, shape: TensorShape, options: BatchNormOptions) throws -> PartialStatistics

    /// The second phase of a synchronized training forward pass: y = γ(x − μ)/√(σ² + ε) + β with
    /// the merged statistics of the whole batch, which also give `mean`, `invStd` and the
    /// running-statistics update (its unbiased variance divides by the whole batch's m − 1).
    /// - Parameters:
    ///   - x: This device's part of the batch.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - statistics: Every device's ``PartialStatistics``, merged; its count covers x's values.
    ///   - running: Running statistics, updated in place; `batchesTracked` is incremented.
    ///   - options: ε, momentum and its convention, the stored variance, the mode.
    ///   - y: Receives the output; may be `x` itself.
    ///   - mean: Receives the merged mean per feature.
    ///   - invStd: Receives `1/√(σ² + ε)` of the merged variance per feature.
    /// - Throws: ``BatchNormError`` for bad arguments or statistics (other features, a count below
    ///   2 or below x's values per feature), before anything is changed; or a device error.
    func forwardTraining(
        x: Buffer, shape: TensorShape, gamma: Buffer?, beta: Buffer?, statistics: PartialStatistics,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer
    ) throws

    /// The running-statistics update of the second forward phase on its own, for a member whose
    /// part of the batch is empty: running = keep·running + take·batch with the merged statistics
    /// (the unbiased variance divides M2 by the merged count − 1), and one more batch counted. On
    /// OpenCL the blend runs on the device, as the single-device training pass's does, in float;
    /// the CPU reference blends in `Double`.
    /// - Parameters:
    ///   - running: The running statistics, updated in place; `batchesTracked` is incremented.
    ///   - statistics: Every device's ``PartialStatistics``, merged.
    ///   - options: The momentum, its convention and which variance is stored.
    /// - Throws: ``BatchNormError`` for a bad option, statistics of another feature count or of fewer
    ///   than 2 values per feature, or running statistics not stored as `.float32`, before anything
    ///   is changed; or a device error.
    func updateRunning(
        _ running: inout RunningStatisticsBuffers<Buffer>, with statistics: PartialStatistics, options: BatchNormOptions
    ) throws

    /// The first phase of a synchronized backward pass: this device's Σ dy, Σ dy·(x − mean) and
    /// Σ (x − mean) per feature, for the group to add up. Waits for the device.
    /// - Parameters:
    ///   - dy: The gradient with respect to this device's y.
    ///   - x: This device's part of the batch.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - mean: The merged mean the synchronized forward pass wrote.
    ///   - options: The mode.
    /// - Returns: The sums over x.
    /// - Throws: ``BatchNormError`` for bad arguments, or a device error.
    func gradientSums(dy: Buffer, x: Buffer, shape: TensorShape, mean: Buffer, options: BatchNormOptions) throws -> GradientSums

    /// The second phase of a synchronized backward pass: dβ = Σ dy and dγ = Σ dy·x̂ over the whole
    /// batch, and this device's dx = γ·invStd/m·(m·dy − dβ − x̂·dγ), with m the whole batch's.
    /// - Parameters:
    ///   - dy: The gradient with respect to this device's y.
    ///   - x: This device's part of the batch.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The merged mean the synchronized forward pass wrote.
    ///   - invStd: The inverse standard deviation the synchronized forward pass wrote.
    ///   - sums: Every device's ``GradientSums``, added up.
    ///   - options: The mode.
    ///   - dx: Receives this device's input gradient; may be `dy` itself.
    ///   - dGamma: Receives dγ of the whole batch.
    ///   - dBeta: Receives dβ of the whole batch.
    /// - Throws: ``BatchNormError`` for bad arguments or sums, before anything is changed; or a device error.
    func backward(
        dy: Buffer, x: Buffer, shape: TensorShape, gamma: Buffer?, mean: Buffer, invStd: Buffer, sums: GradientSums,
        options: BatchNormOptions, dx: Buffer, dGamma: Buffer, dBeta: Buffer
    ) throws
}
