/// A place that runs batch normalization: the pure-Swift CPU reference or an OpenCL device.
///
/// Every operation comes in two forms. The buffer form works on a backend's own ``Buffer``s and
/// writes into outputs the caller owns, so that a training step makes no host round trips; on
/// OpenCL it enqueues work and returns without waiting, and ``download(_:)`` or
/// ``synchronize()`` waits. The array form, given by default over the buffer form, takes and
/// returns `[Float]`.
///
/// Tensors are flat arrays in the memory order of their layout; per-feature arrays (γ, β, mean,
/// invStd, running statistics, dγ, dβ) have one element per feature (see ``NormalizationMode``).
/// A nil γ means γ = 1 and a nil β means β = 0.
public protocol BatchNormBackend: Sendable {
    /// The backend's storage type.
    associatedtype Buffer: BatchNormBuffer

    /// A short name for logs and tables, such as `cpu-reference` or `opencl: <device>`.
    var name: String { get }

    // MARK: Buffers

    /// A new buffer of `count` elements whose contents are unspecified until written.
    /// - Parameter count: The number of `Float` elements, at least 1.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when the count is not positive or the device cannot allocate it.
    func makeBuffer(count: Int) throws -> Buffer

    /// A new buffer holding a copy of `values`.
    /// - Parameter values: The elements, at least one.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when `values` is empty or the device cannot allocate it.
    func upload(_ values: [Float]) throws -> Buffer

    /// Overwrites a buffer with `values`.
    /// - Parameters:
    ///   - values: The elements; their count must equal the buffer's.
    ///   - buffer: The destination, made by this backend.
    /// - Throws: ``BatchNormError/lengthMismatch(argument:expected:actual:shape:)`` or a device error.
    func write(_ values: [Float], to buffer: Buffer) throws

    /// The buffer's contents, after all work enqueued before this call has finished.
    /// - Parameter buffer: A buffer made by this backend.
    /// - Returns: Its elements.
    /// - Throws: ``BatchNormError`` if the buffer is foreign or the device fails.
    func download(_ buffer: Buffer) throws -> [Float]

    /// Waits until all work enqueued so far has finished.
    /// - Throws: ``BatchNormError/openCLCallFailed(function:code:name:)`` if the device reports an error.
    func synchronize() throws

    // MARK: Buffer operations

    /// Training forward pass on buffers: batch statistics, normalization, running-statistics update.
    /// - Parameters:
    ///   - x: The input, `shape`'s element count.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Running statistics, updated in place; `batchesTracked` is incremented.
    ///   - options: ε, momentum and its convention, the stored variance, the mode.
    ///   - y: Receives the output; may be `x` itself.
    ///   - mean: Receives the batch mean per feature.
    ///   - invStd: Receives `1/√(σ² + ε)` per feature.
    /// - Throws: ``BatchNormError`` for a bad shape, length, option, too few values per feature or
    ///   a foreign buffer, before anything is changed; or a device error.
    func forwardTraining(
        x: Buffer, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer
    ) throws

    /// Inference forward pass on buffers: normalization with the running statistics.
    /// - Parameters:
    ///   - x: The input.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: The running statistics to normalize with.
    ///   - options: ε and the mode.
    ///   - y: Receives the output; may be `x` itself.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func forwardInference(
        x: Buffer, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions, y: Buffer
    ) throws

    /// Backward pass on buffers for a training forward pass:
    /// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invStd/m·(m·dy − Σ dy − x̂·Σ dy·x̂), with x̂ = (x − mean)·invStd.
    ///
    /// `mean` is taken as the float rounding of x's batch mean, which is what the forward pass
    /// returns: the pass recovers what the rounding lost from x itself (Σ(x − mean)/m) and centers x̂
    /// on the batch mean, so dγ and dx stay as accurate when the mean is 10⁴ standard deviations
    /// from zero as when it is near it (PyTorch, which centers on the float mean, loses about
    /// ratio × 6e-8 there). A mean that is not x's batch mean is corrected to it as well.
    /// - Parameters:
    ///   - dy: The gradient of the loss with respect to y.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The batch mean the forward pass returned.
    ///   - invStd: The inverse standard deviation the forward pass returned.
    ///   - options: The mode.
    ///   - dx: Receives the input gradient; may be `dy` itself.
    ///   - dGamma: Receives dγ.
    ///   - dBeta: Receives dβ.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func backward(
        dy: Buffer, x: Buffer, shape: TensorShape, gamma: Buffer?, mean: Buffer, invStd: Buffer,
        options: BatchNormOptions, dx: Buffer, dGamma: Buffer, dBeta: Buffer
    ) throws

    /// Backward pass on buffers with frozen statistics (fine-tuning with batch norm in inference
    /// mode): dx = dy·γ/√(running variance + ε); dβ = Σ dy; dγ = Σ dy·x̂ with x̂ from the running statistics.
    /// - Parameters:
    ///   - dy: The gradient of the loss with respect to y.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - running: The running statistics the forward pass normalized with.
    ///   - options: ε and the mode.
    ///   - dx: Receives the input gradient; may be `dy` itself.
    ///   - dGamma: Receives dγ.
    ///   - dBeta: Receives dβ.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func backwardFrozen(
        dy: Buffer, x: Buffer, shape: TensorShape, gamma: Buffer?,
        running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        dx: Buffer, dGamma: Buffer, dBeta: Buffer
    ) throws

    // MARK: Split phases (synchronized batch norm; see ``SynchronizedBatchNorm``)

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

    // MARK: Array operations (given by default over the buffer operations)

    /// Training forward pass: per-feature batch mean and biased variance, y = γ(x − μ)/√(σ² + ε) + β,
    /// and the running-statistics update.
    /// - Parameters:
    ///   - x: The input, in `shape`'s layout.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Updated only when the call succeeds.
    ///   - options: ε, momentum and its convention, the stored variance, the mode.
    /// - Returns: y, the batch means and the inverse standard deviations.
    /// - Throws: ``BatchNormError``; `running` is then unchanged.
    func forwardTraining(
        x: [Float], shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: inout RunningStatistics, options: BatchNormOptions
    ) throws -> ForwardTrainingResult

    /// Inference forward pass: y = γ(x − running mean)/√(running variance + ε) + β.
    /// - Parameters:
    ///   - x: The input.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: The running statistics.
    ///   - options: ε and the mode.
    /// - Returns: y.
    /// - Throws: ``BatchNormError``.
    func forwardInference(
        x: [Float], shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> [Float]

    /// Backward pass for a training forward pass; see the buffer form for the formulas.
    /// - Parameters:
    ///   - dy: The gradient with respect to y.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The batch mean the forward pass returned.
    ///   - invStd: The inverse standard deviation the forward pass returned.
    ///   - options: The mode.
    /// - Returns: dx, dγ and dβ.
    /// - Throws: ``BatchNormError``.
    func backward(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        mean: [Float], invStd: [Float], options: BatchNormOptions
    ) throws -> BackwardResult

    /// Backward pass with frozen statistics; see the buffer form for the formulas.
    /// - Parameters:
    ///   - dy: The gradient with respect to y.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - running: The running statistics the forward pass used.
    ///   - options: ε and the mode.
    /// - Returns: dx, dγ and dβ.
    /// - Throws: ``BatchNormError``.
    func backwardFrozen(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> BackwardResult
}
