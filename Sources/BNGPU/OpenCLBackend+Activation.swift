import BNCore

/// The activation as its own kernels, for a caller who does not fuse it into the batch-norm pass
/// (``BatchNormOptions/fusion``): the unfused sequence is a pass with fusion `.none`, then
/// ``relu(_:adding:into:)``; backward, ``reluBackward(gradient:output:into:also:)``, then the pass.
/// The fused passes write the same values with one memory round trip fewer; bn-gpu-bench times both.
extension OpenCLBackend {
    /// Enqueues out = relu(a + b), or relu(a) when b is nil, elementwise: relu(v) is `v < 0 ? 0 : v`,
    /// so a NaN passes, as in the fused passes. The sum is taken in `Float` and rounded once to the
    /// buffers' element type. Returns without waiting.
    /// - Parameters:
    ///   - a: The input, such as a batch-norm pass's y.
    ///   - b: A second input of a's count and element type, such as a residual block's shortcut; nil for relu(a).
    ///   - out: The output, a's count and element type; it may be a or b (in place).
    /// - Throws: `BatchNormError.lengthMismatch` or `BatchNormError.elementTypeMismatch` when b or out
    ///   differs from a, `BatchNormError.foreignBuffer` for a buffer of another context, checked before
    ///   anything is enqueued; `BatchNormError.kernelBuildFailed` or a device error. The corresponding
    ///   OpenCL call is `clEnqueueNDRangeKernel`.
    public func relu(_ a: OpenCLBuffer, adding b: OpenCLBuffer?, into out: OpenCLBuffer) throws {
        try checkElementwise(.elementwise(["a": a, "b": b, "out": out]), count: a.count)
        try runner.withLock { try $0.enqueueRelu(a, adding: b, into: out, forcesWideIndices: forcesWideIndices) }
    }

    /// Enqueues the gradient behind ``relu(_:adding:into:)``: da = gradient where output > 0 or is
    /// NaN, else 0, as the fused backward passes mask dy; the same values go to db when given (the
    /// gradient of relu(a + b) with respect to b equals a's). Returns without waiting.
    /// - Parameters:
    ///   - gradient: The gradient with respect to the relu's output.
    ///   - output: The relu's output, gradient's count and element type.
    ///   - da: The gradient with respect to a; it may be gradient (in place).
    ///   - db: The gradient with respect to b, for relu(a + b); nil when there is no b.
    /// - Throws: `BatchNormError.lengthMismatch` or `BatchNormError.elementTypeMismatch` when a buffer
    ///   differs from gradient, `BatchNormError.foreignBuffer` for a buffer of another context, checked
    ///   before anything is enqueued; `BatchNormError.kernelBuildFailed` or a device error. The
    ///   corresponding OpenCL call is `clEnqueueNDRangeKernel`.
    public func reluBackward(gradient: OpenCLBuffer, output: OpenCLBuffer, into da: OpenCLBuffer,
                             also db: OpenCLBuffer?) throws {
        try checkElementwise(.elementwise(["gradient": gradient, "output": output, "da": da, "db": db]),
                             count: gradient.count)
        try runner.withLock {
            try $0.enqueueReluBackward(gradient: gradient, output: output, da: da, db: db,
                                       forcesWideIndices: forcesWideIndices)
        }
    }

    /// Throws unless every present operand has the first's count and element type and all live in
    /// this backend's context: the passes' own checks (``checked(_:shape:options:)``) on the flat view
    /// [1, count] NC that elementwise kernels take.
    private func checkElementwise(_ operands: Operands<OpenCLBuffer>, count: Int) throws {
        _ = try checked(operands, shape: TensorShape(n: 1, c: count), options: BatchNormOptions())
    }
}
