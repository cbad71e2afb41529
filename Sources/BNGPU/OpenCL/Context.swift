import COpenCL

/// Owns a reference to a `cl_context` (one the backend made, or a caller's it retained) and the
/// device the backend runs on in it, and releases the reference in `deinit`.
final class Context: @unchecked Sendable {
    let handle: cl_context
    let device: Device
    /// Counts the live wrappers made in this context, this one included.
    let ledger = ResourceLedger()

    /// A new context on `device`. The corresponding OpenCL call is `clCreateContext`.
    init(device: Device) throws {
        var id: cl_device_id? = device.id
        self.handle = try OpenCLCall.make("clCreateContext") { clCreateContext(nil, 1, &id, nil, nil, $0) }
        self.device = device
        ledger.opened(.context)
    }

    /// A caller's context, retained, with the device the backend runs on in it.
    /// The corresponding OpenCL call is `clRetainContext`.
    init(retaining handle: cl_context, device: Device) throws {
        try OpenCLCall.check("clRetainContext") { clRetainContext(handle) }
        self.handle = handle
        self.device = device
        ledger.opened(.context)
    }

    deinit {
        ledger.closed(.context)
        let status = clReleaseContext(handle)
        assert(status == CL_SUCCESS, "clReleaseContext failed: \(OpenCLStatus(rawValue: status))")
    }
}
