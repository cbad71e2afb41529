/// `Float` buffers, the element type of every per-feature operand and of most tensors, without
/// naming the type: the forms array literals such as `[1, 0.5, 2]` pick.
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
}
