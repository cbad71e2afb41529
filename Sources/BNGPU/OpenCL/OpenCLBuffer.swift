import BNCore
import COpenCL

/// Device memory of an ``OpenCLBackend``: `count` elements of ``elementType`` in a `cl_mem` from
/// element ``offset`` on.
///
/// A buffer the backend makes owns its `cl_mem` (offset 0) and releases it in `deinit`. A buffer
/// over a caller's memory (``OpenCLBackend/buffer(retaining:offset:count:)``) holds one reference,
/// released in `deinit`: the memory stays the caller's.
public final class OpenCLBuffer: BatchNormBuffer, @unchecked Sendable {
    let handle: cl_mem
    /// The context the buffer lives in; a backend refuses buffers of another context.
    let context: Context
    public let count: Int
    public let elementType: ElementType
    /// The element of the `cl_mem` where this buffer's first element lies: 0 for a buffer the backend
    /// made, any offset for a caller's (kernels take it as an argument, so no alignment is needed).
    public let offset: Int

    /// The `cl_mem`, for the caller's own OpenCL calls; valid while this object lives. This buffer's
    /// elements start at byte `offset × elementType.byteCount` of it.
    public var memory: cl_mem { handle }

    /// The size in bytes.
    var byteCount: Int { count * elementType.byteCount }
    /// Where the first element lies in the `cl_mem`, in bytes.
    var byteOffset: Int { offset * elementType.byteCount }

    /// A new buffer of `count` elements, refused before allocation when larger than the device allows.
    /// The corresponding OpenCL call is `clCreateBuffer`.
    init(context: Context, count: Int, elementType: ElementType = .float32) throws {
        guard count >= 1 else { throw BatchNormError.invalidBufferCount(count) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementType.byteCount)
        let limit = context.device.info.maxAllocationBytes
        if overflow || bytes > limit {
            throw BatchNormError.allocationTooLarge(bytes: overflow ? .max : bytes, limit: limit, device: context.device.info.name)
        }
        self.handle = try OpenCLCall.make("clCreateBuffer") {
            clCreateBuffer(context.handle, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, $0)
        }
        self.context = context
        self.count = count
        self.elementType = elementType
        self.offset = 0
        context.ledger.opened(.buffer)
    }

    /// `count` elements of a caller's memory from element `offset`, checked against the memory's
    /// context and size (`CL_MEM_CONTEXT`, `CL_MEM_SIZE`) before it is retained.
    /// The corresponding OpenCL calls are `clGetMemObjectInfo` and `clRetainMemObject`.
    init(retaining memory: cl_mem, offset: Int, count: Int, elementType: ElementType, context: Context) throws {
        guard count >= 1 else { throw BatchNormError.invalidBufferCount(count) }
        let owner = try InfoQuery.scalar("clGetMemObjectInfo", as: cl_context?.self) {
            clGetMemObjectInfo(memory, cl_mem_info(CL_MEM_CONTEXT), $0, $1, $2)
        }
        guard owner == context.handle else { throw BatchNormError.foreignBuffer(argument: "memory") }
        let bytes = try InfoQuery.scalar("clGetMemObjectInfo", as: Int.self) {
            clGetMemObjectInfo(memory, cl_mem_info(CL_MEM_SIZE), $0, $1, $2)
        }
        let capacity = bytes / elementType.byteCount
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, !overflow, end <= capacity else {
            throw BatchNormError.memoryRegionOutOfBounds(offset: offset, count: count, capacity: capacity)
        }
        try OpenCLCall.check("clRetainMemObject") { clRetainMemObject(memory) }
        self.handle = memory
        self.context = context
        self.count = count
        self.elementType = elementType
        self.offset = offset
        context.ledger.opened(.buffer)
    }

    deinit {
        context.ledger.closed(.buffer)
        let status = clReleaseMemObject(handle)
        assert(status == CL_SUCCESS, "clReleaseMemObject failed: \(OpenCLStatus(rawValue: status))")
    }
}
