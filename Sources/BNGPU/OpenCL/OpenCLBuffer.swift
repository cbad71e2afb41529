import BNCore
import COpenCL

/// Device memory of an ``OpenCLBackend``: owns a `cl_mem` of `count` floats and releases it in `deinit`.
public final class OpenCLBuffer: BatchNormBuffer, @unchecked Sendable {
    let handle: cl_mem
    /// The context the buffer lives in; a backend refuses buffers of another context.
    let context: Context
    public let count: Int

    /// The size in bytes.
    var byteCount: Int { count * MemoryLayout<Float>.stride }

    /// A new buffer of `count` floats, refused before allocation when larger than the device allows.
    /// The corresponding OpenCL call is `clCreateBuffer`.
    init(context: Context, count: Int) throws {
        guard count >= 1 else { throw BatchNormError.invalidBufferCount(count) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        let limit = context.device.info.maxAllocationBytes
        if overflow || bytes > limit {
            throw BatchNormError.allocationTooLarge(bytes: overflow ? .max : bytes, limit: limit, device: context.device.info.name)
        }
        self.handle = try OpenCLCall.make("clCreateBuffer") {
            clCreateBuffer(context.handle, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, $0)
        }
        self.context = context
        self.count = count
        context.ledger.opened(.buffer)
    }

    deinit {
        context.ledger.closed(.buffer)
        let status = clReleaseMemObject(handle)
        assert(status == CL_SUCCESS, "clReleaseMemObject failed: \(OpenCLStatus(rawValue: status))")
    }
}
