import BNCore

extension OpenCLBuffer {
    /// `count` elements of this buffer from element `start` of it, as a buffer of its own over the
    /// same `cl_mem` (retained, so that either may go first): how a pass runs one virtual batch of a
    /// tensor, or its statistics, with the kernels of a whole batch.
    /// - Parameters:
    ///   - start: The first element, from this buffer's first.
    ///   - count: The elements, at least 1.
    /// - Returns: The region.
    /// - Throws: ``BatchNormError/memoryRegionOutOfBounds(offset:count:capacity:)`` when it does not
    ///   fit, or a device error. The corresponding OpenCL call is `clRetainMemObject`.
    func region(from start: Int, count: Int) throws -> OpenCLBuffer {
        guard start >= 0, start + count <= self.count else {
            throw BatchNormError.memoryRegionOutOfBounds(offset: start, count: count, capacity: self.count)
        }
        return try OpenCLBuffer(retaining: handle, offset: offset + start, count: count, elementType: elementType,
                                context: context)
    }
}
