/// A place that runs batch normalization: the pure-Swift CPU reference or an OpenCL device.
///
/// Each pass is one requirement, the buffer form: it works on a backend's own ``Buffer``s and
/// writes into outputs the caller owns, so that a training step makes no host round trips; on
/// OpenCL it enqueues work and returns without waiting, and ``download(_:)`` or
/// ``synchronize()`` waits. Each pass also has one array form, given over the buffer form, that
/// takes and returns `[Float]` and stores the tensors on the backend as a given ``ElementType``.
/// The split phases of synchronized batch norm are a protocol of their own, ``SplitPhaseBackend``.
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
    ///   - corrections: With `options.renormalization` set, receive Batch Renormalization's r and d
    ///     per feature, computed from the running statistics before they are updated
    ///     (``Renormalization``); nil otherwise.
    /// - Throws: ``BatchNormError`` for a bad shape, length, element type, option, fused operand,
    ///   too few values per feature or a foreign buffer, before anything is changed; or a device error.
    func forwardTraining(
        x: Buffer, z: Buffer?, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer, corrections: RenormCorrections<Buffer>?
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

    /// Backward pass on buffers: dβ = Σ dy, dγ = Σ dy·x̂, and dx by the statistics' formula.
    ///
    /// With `.batch(mean:invStd:)`, the statistics a training forward pass returned,
    /// dx = γ·invStd/m·(m·dy − Σ dy − x̂·Σ dy·x̂) with x̂ = (x − mean)·invStd. `mean` is taken as the
    /// float rounding of x's batch mean, which is what the forward pass returns: the pass recovers
    /// what the rounding lost from x itself (Σ(x − mean)/m) and centers x̂ on the batch mean, so dγ
    /// and dx stay as accurate when the mean is 10⁴ standard deviations from zero as when it is near
    /// it (PyTorch, which centers on the float mean, loses about ratio × 6e-8 there). A mean that is
    /// not x's batch mean is corrected to it as well.
    ///
    /// With `.running(mean:variance:)`, statistics held fixed (fine-tuning with batch norm in
    /// inference mode), dx = dy·γ/√(running variance + ε) and x̂ comes from the running statistics.
    ///
    /// With `options.fusion` set, dy is the gradient with respect to the fused output and is first
    /// masked by that output's sign (dy where y > 0, else 0); `.addRelu` also writes dz, the masked dy.
    /// - Parameters:
    ///   - dy: The gradient of the loss with respect to y (the fused output, when fused).
    ///   - y: The fused forward pass's output, whose sign masks dy; nil when nothing is fused.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - statistics: The batch statistics the training forward pass returned, or the running
    ///     statistics an inference forward pass normalized with.
    ///   - options: The mode and the fusion; ε too, with running statistics.
    ///   - dx: Receives the input gradient; may be `dy` itself.
    ///   - dz: Receives the gradient with respect to `.addRelu`'s z; nil otherwise. May be `dy` only
    ///     when dx is not.
    ///   - dGamma: Receives dγ.
    ///   - dBeta: Receives dβ.
    /// - Throws: ``BatchNormError`` for bad arguments, before anything is changed; or a device error.
    func backward(
        dy: Buffer, y: Buffer?, x: Buffer, shape: TensorShape, gamma: Buffer?, statistics: BackwardStatistics<Buffer>,
        options: BatchNormOptions, dx: Buffer, dz: Buffer?, dGamma: Buffer, dBeta: Buffer
    ) throws
}

extension BatchNormBackend {
    /// ``forwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:corrections:)`` of a
    /// pass that does not renormalize: batch norm, whose options leave `renormalization` nil.
    /// - Throws: As that form; ``BatchNormError/renormOperandMismatch(argument:isRequired:)`` when
    ///   `options.renormalization` is set, since r and d then need buffers.
    public func forwardTraining(
        x: Buffer, z: Buffer?, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer
    ) throws {
        try forwardTraining(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: &running, options: options,
                            y: y, mean: mean, invStd: invStd, corrections: nil)
    }
}
