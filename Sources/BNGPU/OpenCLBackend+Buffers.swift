import BNCore
import COpenCL

extension OpenCLBackend {
    /// A new device buffer; refused before allocation when larger than `CL_DEVICE_MAX_MEM_ALLOC_SIZE`.
    /// The corresponding OpenCL call is `clCreateBuffer`.
    public func makeBuffer(count: Int) throws -> OpenCLBuffer {
        try OpenCLBuffer(context: context, count: count)
    }

    /// A new device buffer holding `values`. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    public func upload(_ values: [Float]) throws -> OpenCLBuffer {
        let buffer = try makeBuffer(count: values.count)
        try queue.write(values, to: buffer, waitingFor: pendingEvents)
        return buffer
    }

    /// A buffer over `count` floats of a caller's `cl_mem`, from element `offset` on, for the passes
    /// to read and write in place. The memory is retained, not owned: the caller's reference stays
    /// valid and the caller releases it as before; this buffer's reference goes when it does.
    /// The corresponding OpenCL calls are `clGetMemObjectInfo` and `clRetainMemObject`.
    /// - Parameters:
    ///   - memory: A buffer of this backend's context.
    ///   - offset: The element (float) where the region starts; any value, vector-aligned or not.
    ///   - count: The floats in the region, at least 1.
    /// - Returns: The region as a buffer of this backend.
    /// - Throws: `BatchNormError.foreignBuffer` for memory of another context,
    ///   `BatchNormError.memoryRegionOutOfBounds` for a region beyond `CL_MEM_SIZE`,
    ///   `BatchNormError.invalidBufferCount` for a count below 1; checked before anything is enqueued.
    public func buffer(retaining memory: cl_mem, offset: Int = 0, count: Int) throws -> OpenCLBuffer {
        try OpenCLBuffer(retaining: memory, offset: offset, count: count, context: context)
    }

    /// Overwrites a buffer after the work enqueued before. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    public func write(_ values: [Float], to buffer: OpenCLBuffer) throws {
        try checkOwnership([("buffer", buffer)])
        guard values.count == buffer.count else {
            throw BatchNormError.lengthMismatch(argument: "values", expected: buffer.count, actual: values.count,
                                                shape: TensorShape(n: 1, c: buffer.count))
        }
        try queue.write(values, to: buffer, waitingFor: pendingEvents)
    }

    /// A buffer's contents after the work enqueued before. The corresponding OpenCL call is `clEnqueueReadBuffer`.
    public func download(_ buffer: OpenCLBuffer) throws -> [Float] {
        try checkOwnership([("buffer", buffer)])
        return try queue.read(buffer, waitingFor: pendingEvents)
    }

    /// Waits for all work this backend enqueued: on its own queue, all the queue's work; on a caller's
    /// queue, its own commands' last event, never the queue (the caller's other work goes on).
    /// The corresponding OpenCL call is `clFinish`, or `clWaitForEvents` on a caller's queue.
    public func synchronize() throws {
        guard queue.isBorrowed else { return try queue.finish() }
        for event in pendingEvents { try event.wait() }
    }

    /// What a host transfer waits for: on a chaining queue, the last command's event.
    var pendingEvents: [OpenCLEvent] {
        runner.withLock { $0.pending }
    }
}
