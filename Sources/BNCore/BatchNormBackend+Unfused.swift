/// The buffer forms without the fused operations' tensors, for the calls most code makes: each
/// passes nil for z, the backward pass's y and dz, so `options.fusion` must be `.none` (or `.relu`
/// for the forward passes, which need no second input).
extension BatchNormBackend {
    /// A new `Float` buffer of `count` elements whose contents are unspecified until written.
    /// - Parameter count: The number of elements, at least 1.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when the count is not positive or the device cannot allocate it.
    public func makeBuffer(count: Int) throws -> Buffer {
        try makeBuffer(count: count, elementType: .float32)
    }

    /// A new `Float` buffer holding `values`: the form array literals such as `[1, 0.5, 2]` pick.
    /// - Parameter values: The elements, at least one.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when `values` is empty or the device cannot allocate it.
    public func upload(_ values: [Float]) throws -> Buffer {
        try uploadStored(values)
    }

    /// Overwrites a `Float` buffer with `values`: the form array literals pick.
    /// - Parameters:
    ///   - values: The elements; their count must equal the buffer's.
    ///   - buffer: The destination, a `.float32` buffer made by this backend.
    /// - Throws: As ``write(_:to:)``.
    public func write(_ values: [Float], to buffer: Buffer) throws {
        try writeStored(values, to: buffer)
    }

    private func uploadStored<Scalar: TensorScalar>(_ values: [Scalar]) throws -> Buffer {
        try upload(values)
    }

    private func writeStored<Scalar: TensorScalar>(_ values: [Scalar], to buffer: Buffer) throws {
        try write(values, to: buffer)
    }

    /// ``forwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:)`` with no z.
    public func forwardTraining(
        x: Buffer, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: inout RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        y: Buffer, mean: Buffer, invStd: Buffer
    ) throws {
        try forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running, options: options,
                            y: y, mean: mean, invStd: invStd)
    }

    /// ``forwardInference(x:z:shape:gamma:beta:running:options:y:)`` with no z.
    public func forwardInference(
        x: Buffer, shape: TensorShape, gamma: Buffer?, beta: Buffer?,
        running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions, y: Buffer
    ) throws {
        try forwardInference(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: running, options: options, y: y)
    }

    /// ``backward(dy:y:x:shape:gamma:mean:invStd:options:dx:dz:dGamma:dBeta:)`` of an unfused pass.
    public func backward(
        dy: Buffer, x: Buffer, shape: TensorShape, gamma: Buffer?, mean: Buffer, invStd: Buffer,
        options: BatchNormOptions, dx: Buffer, dGamma: Buffer, dBeta: Buffer
    ) throws {
        try backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, options: options,
                     dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
    }

    /// ``backwardFrozen(dy:y:x:shape:gamma:running:options:dx:dz:dGamma:dBeta:)`` of an unfused pass.
    public func backwardFrozen(
        dy: Buffer, x: Buffer, shape: TensorShape, gamma: Buffer?,
        running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions,
        dx: Buffer, dGamma: Buffer, dBeta: Buffer
    ) throws {
        try backwardFrozen(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, running: running, options: options,
                           dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
    }
}
