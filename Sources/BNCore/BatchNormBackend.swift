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
    /// - Parameters:
    ///   - count: The number of elements, at least 1.
    ///   - elementType: How the elements are stored: `.float32` for every operand, or a 16-bit type
    ///     for tensors (x, y, dy, dx, z, dz).
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when the count is not positive or the device cannot allocate it.
    func makeBuffer(count: Int, elementType: ElementType) throws -> Buffer

    /// A new buffer holding a copy of `values`, stored as their type is (`[Float16]` gives a
    /// `.float16` buffer).
    /// - Parameter values: The elements, at least one.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when `values` is empty or the device cannot allocate it.
    func upload<Scalar: TensorScalar>(_ values: [Scalar]) throws -> Buffer

    /// Overwrites a buffer with `values`.
    /// - Parameters:
    ///   - values: The elements; their count must equal the buffer's, and their type its element type.
    ///   - buffer: The destination, made by this backend.
    /// - Throws: ``BatchNormError/lengthMismatch(argument:expected:actual:shape:)``,
    ///   ``BatchNormError/elementTypeMismatch(argument:expected:actual:)`` or a device error.
    func write<Scalar: TensorScalar>(_ values: [Scalar], to buffer: Buffer) throws

    /// The buffer's contents as `Float`s (a 16-bit element widens exactly), after all work enqueued
    /// before this call has finished.
    /// - Parameter buffer: A buffer made by this backend.
    /// - Returns: Its elements.
    /// - Throws: ``BatchNormError`` if the buffer is foreign or the device fails.
    func download(_ buffer: Buffer) throws -> [Float]

    /// The buffer's contents as stored, bit for bit, after all work enqueued before this call has finished.
    /// - Parameters:
    ///   - buffer: A buffer made by this backend.
    ///   - type: The Swift type of its element type: `Float.self`, `Float16.self` or `BFloat16.self`.
    /// - Returns: Its elements.
    /// - Throws: ``BatchNormError/elementTypeMismatch(argument:expected:actual:)`` for another type,
    ///   or an error if the buffer is foreign or the device fails.
    func download<Scalar: TensorScalar>(_ buffer: Buffer, as type: Scalar.Type) throws -> [Scalar]

    /// Waits until all work enqueued so far has finished.
    /// - Throws: ``BatchNormError/openCLCallFailed(function:code:name:)`` if the device reports an error.
    func synchronize() throws

    // MARK: Buffer operations

    /// Training forward pass on buffers: batch statistics, normalization, running-statistics update,
    /// and the fused operation of `options.fusion`, if any.
    /// - Parameters:
    ///   - x: The input, `shape`'s element count.
    ///   - z: The second input of `.addRelu` (y receives relu(bn(x) + z)); nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Running statistics, updated in place; `batchesTracked` is incremented.
    ///   - options: ε, momentum and its convention, the stored variance, the mode, the fusion.
    ///   - y: Receives the output; may be `x` itself.
    ///   - mean: Receives the batch mean per feature.
    ///   - invStd: Receives `1/√(σ² + ε)` per feature.
    /// - Throws: ``BatchNormError`` for a bad shape, length, element type, option, fused operand,
    ///   too few values per feature or a foreign buffer, before anything is changed; or a device error.
    func forwardTraining(
        x: Buffer, z: Buffer?, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer
    ) throws

    /// Inference forward pass on buffers: normalization with the running statistics, and the fused
    /// operation of `options.fusion`, if any.
    /// - Parameters:
    ///   - x: The input.
    ///   - z: The second input of `.addRelu`; nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: The running statistics to normalize with.
    ///   - options: ε, the mode and the fusion.
    ///   - y: Receives the output; may be `x` itself.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func forwardInference(
        x: Buffer, z: Buffer?, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
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
    ///
    /// With `options.fusion` set, dy is the gradient with respect to the fused output and is first
    /// masked by that output's sign (dy where y > 0, else 0); `.addRelu` also writes dz, the masked dy.
    /// - Parameters:
    ///   - dy: The gradient of the loss with respect to y (the fused output, when fused).
    ///   - y: The fused forward pass's output, whose sign masks dy; nil when nothing is fused.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The batch mean the forward pass returned.
    ///   - invStd: The inverse standard deviation the forward pass returned.
    ///   - options: The mode and the fusion.
    ///   - dx: Receives the input gradient; may be `dy` itself.
    ///   - dz: Receives the gradient with respect to `.addRelu`'s z; nil otherwise. May be `dy` only
    ///     when dx is not.
    ///   - dGamma: Receives dγ.
    ///   - dBeta: Receives dβ.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func backward(
        dy: Buffer, y: Buffer?, x: Buffer, shape: TensorShape, gamma: Buffer?, mean: Buffer, invStd: Buffer,
        options: BatchNormOptions, dx: Buffer, dz: Buffer?, dGamma: Buffer, dBeta: Buffer
    ) throws

    /// Backward pass on buffers with frozen statistics (fine-tuning with batch norm in inference
    /// mode): dx = dy·γ/√(running variance + ε); dβ = Σ dy; dγ = Σ dy·x̂ with x̂ from the running statistics.
    /// With `options.fusion` set, dy is masked first, as in ``backward(dy:y:x:shape:gamma:mean:invStd:options:dx:dz:dGamma:dBeta:)``.
    /// - Parameters:
    ///   - dy: The gradient of the loss with respect to y (the fused output, when fused).
    ///   - y: The fused forward pass's output, whose sign masks dy; nil when nothing is fused.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - running: The running statistics the forward pass normalized with.
    ///   - options: ε, the mode and the fusion.
    ///   - dx: Receives the input gradient; may be `dy` itself.
    ///   - dz: Receives the gradient with respect to `.addRelu`'s z; nil otherwise.
    ///   - dGamma: Receives dγ.
    ///   - dBeta: Receives dβ.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func backwardFrozen(
        dy: Buffer, y: Buffer?, x: Buffer, shape: TensorShape, gamma: Buffer?,
        running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        dx: Buffer, dz: Buffer?, dGamma: Buffer, dBeta: Buffer
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
