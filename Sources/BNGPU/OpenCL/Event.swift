import COpenCL

/// Owns a `cl_event` and releases it in `deinit`.
final class Event: @unchecked Sendable {
    let handle: cl_event
    /// The ledger of the context the event's queue belongs to.
    let ledger: ResourceLedger

    /// Takes over an event an enqueue call returned.
    /// - Parameters:
    ///   - handle: The event, released in `deinit`.
    ///   - ledger: The ledger of the queue's context, which counts the event while it lives.
    init(owning handle: cl_event, ledger: ResourceLedger) {
        self.handle = handle
        self.ledger = ledger
        ledger.opened(.event)
    }

    deinit {
        ledger.closed(.event)
        let status = clReleaseEvent(handle)
        assert(status == CL_SUCCESS, "clReleaseEvent failed: \(OpenCLStatus(rawValue: status))")
    }

    /// Nanoseconds between the command's start and end on the device, once it has finished; needs a
    /// queue made with profiling. The corresponding OpenCL calls are `clWaitForEvents` and
    /// `clGetEventProfilingInfo`.
    func elapsedNanoseconds() throws -> UInt64 {
        var event: cl_event? = handle
        try OpenCLCall.check("clWaitForEvents") { clWaitForEvents(1, &event) }
        func timestamp(_ parameter: Int32) throws -> cl_ulong {
            try InfoQuery.scalar("clGetEventProfilingInfo", as: cl_ulong.self) {
                clGetEventProfilingInfo(handle, cl_profiling_info(parameter), $0, $1, $2)
            }
        }
        let start = try timestamp(CL_PROFILING_COMMAND_START)
        let end = try timestamp(CL_PROFILING_COMMAND_END)
        return end >= start ? end - start : 0
    }
}
