import BNCore

extension OpenCLBackend {
    /// A new device buffer; refused before allocation when larger than `CL_DEVICE_MAX_MEM_ALLOC_SIZE`.
    /// The corresponding OpenCL call is `clCreateBuffer`.
    public func makeBuffer(count: Int) throws -> OpenCLBuffer {
        try OpenCLBuffer(context: context, count: count)
    }

    /// A new device buffer holding `values`. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    public func upload(_ values: [Float]) throws -> OpenCLBuffer {
        let buffer = try makeBuffer(count: values.count)
        try queue.write(values, to: buffer)
        return buffer
    }

    /// Overwrites a buffer after the work enqueued before. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    public func write(_ values: [Float], to buffer: OpenCLBuffer) throws {
        try checkOwnership([("buffer", buffer)])
        guard values.count == buffer.count else {
            throw BatchNormError.lengthMismatch(argument: "values", expected: buffer.count, actual: values.count,
                                                shape: TensorShape(n: 1, c: buffer.count))
        }
        try queue.write(values, to: buffer)
    }

    /// A buffer's contents after the work enqueued before. The corresponding OpenCL call is `clEnqueueReadBuffer`.
    public func download(_ buffer: OpenCLBuffer) throws -> [Float] {
        try checkOwnership([("buffer", buffer)])
        return try queue.read(buffer)
    }

    /// Waits for all enqueued work. The corresponding OpenCL call is `clFinish`.
    public func synchronize() throws {
        try queue.finish()
    }
}
