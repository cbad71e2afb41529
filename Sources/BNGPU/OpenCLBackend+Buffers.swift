import BNCore
import COpenCL

extension OpenCLBackend {
    /// A new device buffer; refused before allocation when larger than `CL_DEVICE_MAX_MEM_ALLOC_SIZE`.
    /// The corresponding OpenCL call is `clCreateBuffer`.
    public func makeBuffer(count: Int, elementType: ElementType) throws -> OpenCLBuffer {
        try OpenCLBuffer(context: context, count: count, elementType: elementType)
    }

    /// A new device buffer holding `values`, stored as their type. The corresponding OpenCL call is
    /// `clEnqueueWriteBuffer`.
    public func upload<Scalar: TensorScalar>(_ values: [Scalar]) throws -> OpenCLBuffer {
        let buffer = try makeBuffer(count: values.count, elementType: Scalar.elementType)
        try queue.write(values, to: buffer, waitingFor: pendingEvents)
        return buffer
    }

    /// A buffer over `count` floats of a caller's `cl_mem`, from element `offset` on, for the passes
    /// to read and write in place. The memory is retained, not owned: the caller's reference stays
    /// valid and the caller releases it as before; this buffer's reference goes when it does.
    /// The corresponding OpenCL calls are `clGetMemObjectInfo` and `clRetainMemObject`.
    /// - Parameters:
    ///   - memory: A buffer of this backend's context.
    ///   - offset: The element where the region starts; any value, vector-aligned or not.
    ///   - count: The elements in the region, at least 1.
    ///   - elementType: How the region stores its elements; `.float32` by default.
    /// - Returns: The region as a buffer of this backend.
    /// - Throws: `BatchNormError.foreignBuffer` for memory of another context,
    ///   `BatchNormError.memoryRegionOutOfBounds` for a region beyond `CL_MEM_SIZE`,
    ///   `BatchNormError.invalidBufferCount` for a count below 1; checked before anything is enqueued.
    public func buffer(retaining memory: cl_mem, offset: Int = 0, count: Int,
                       elementType: ElementType = .float32) throws -> OpenCLBuffer {
        try OpenCLBuffer(retaining: memory, offset: offset, count: count, elementType: elementType, context: context)
    }

    /// Overwrites a buffer after the work enqueued before. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    public func write<Scalar: TensorScalar>(_ values: [Scalar], to buffer: OpenCLBuffer) throws {
        try checkOwnership([("buffer", buffer)])
        try buffer.checkWrite(of: values)
        try queue.write(values, to: buffer, waitingFor: pendingEvents)
    }

    /// A buffer's contents as `Float`s (16-bit elements widen exactly) after the work enqueued before.
    /// The corresponding OpenCL call is `clEnqueueReadBuffer`.
    public func download(_ buffer: OpenCLBuffer) throws -> [Float] {
        switch buffer.elementType {
        case .float32: try download(buffer, as: Float.self)
        case .float16: try download(buffer, as: Float16.self).map(\.floatValue)
        case .bfloat16: try download(buffer, as: BFloat16.self).map(\.floatValue)
        }
    }

    /// A buffer's contents as stored, after the work enqueued before. The corresponding OpenCL call is
    /// `clEnqueueReadBuffer`.
    public func download<Scalar: TensorScalar>(_ buffer: OpenCLBuffer, as type: Scalar.Type) throws -> [Scalar] {
        try checkOwnership([("buffer", buffer)])
        try buffer.checkRead(as: type)
        return try queue.read(buffer, as: type, waitingFor: pendingEvents)
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
