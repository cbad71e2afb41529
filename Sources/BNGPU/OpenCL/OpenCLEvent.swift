import BNCore
import COpenCL

/// A `cl_event`: the completion of a command on a queue. The buffer passes that take a wait list
/// return one for their last kernel, which a caller passes on to its own commands or awaits.
///
/// Owns one reference to the event and releases it in `deinit`; an event the caller made is wrapped
/// with ``init(retaining:)`` and stays the caller's.
public final class OpenCLEvent: @unchecked Sendable {
    /// The event, for the caller's own OpenCL calls (`clWaitForEvents`, a wait list); valid while this object lives.
    public let handle: cl_event
    /// The ledger of the context the event's queue belongs to; nil for an event the caller made.
    let ledger: ResourceLedger?

    /// Takes over an event an enqueue call returned.
    /// - Parameters:
    ///   - handle: The event, released in `deinit`.
    ///   - ledger: The ledger of the queue's context, which counts the event while it lives.
    init(owning handle: cl_event, ledger: ResourceLedger) {
        self.handle = handle
        self.ledger = ledger
        ledger.opened(.event)
    }

    /// Wraps a caller's event, such as the last of the caller's own commands, to put in a wait list.
    /// The corresponding OpenCL call is `clRetainEvent`.
    /// - Parameter handle: The event; retained here and released when this object is gone.
    /// - Throws: ``BNCore/BatchNormError/openCLCallFailed(function:code:name:)`` for an invalid event.
    public init(retaining handle: cl_event) throws {
        try OpenCLCall.check("clRetainEvent") { clRetainEvent(handle) }
        self.handle = handle
        self.ledger = nil
    }

    deinit {
        ledger?.closed(.event)
        let status = clReleaseEvent(handle)
        assert(status == CL_SUCCESS, "clReleaseEvent failed: \(OpenCLStatus(rawValue: status))")
    }

    /// The context the event belongs to. The corresponding OpenCL call is `clGetEventInfo`.
    var contextHandle: cl_context? {
        get throws {
            try InfoQuery.scalar("clGetEventInfo", as: cl_context?.self) {
                clGetEventInfo(handle, cl_event_info(CL_EVENT_CONTEXT), $0, $1, $2)
            }
        }
    }

    /// Blocks the calling thread until the command has finished.
    /// The corresponding OpenCL call is `clWaitForEvents`.
    /// - Throws: ``BNCore/BatchNormError/openCLCallFailed(function:code:name:)`` when the command
    ///   failed (`CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST`) or the wait did.
    public func wait() throws {
        var event: cl_event? = handle
        try OpenCLCall.check("clWaitForEvents") { clWaitForEvents(1, &event) }
    }

    /// Suspends until the command has finished, without blocking a thread: an event callback
    /// resumes the task. Flushes the event's queue first, so that the command is submitted.
    /// The corresponding OpenCL calls are `clFlush` and `clSetEventCallback`.
    /// - Throws: ``BNCore/BatchNormError/openCLCallFailed(function:code:name:)`` when the command
    ///   ended in an error (its status is the code) or the callback could not be set.
    public func completion() async throws {
        try flushQueue()
        let status: cl_int = try await withCheckedThrowingContinuation { continuation in
            let waiter = Unmanaged.passRetained(CompletionWaiter(continuation)).toOpaque()
            do {
                try OpenCLCall.check("clSetEventCallback") {
                    clSetEventCallback(handle, CL_COMPLETE, { _, status, waiter in
                        guard let waiter else { return }
                        Unmanaged<CompletionWaiter>.fromOpaque(waiter).takeRetainedValue().continuation.resume(returning: status)
                    }, waiter)
                }
            } catch {
                Unmanaged<CompletionWaiter>.fromOpaque(waiter).release()
                continuation.resume(throwing: error)
            }
        }
        // the callback's status is the command's; some drivers pass CL_COMPLETE for a failed one, so
        // the event's own status has the last word
        let final = status < 0 ? status : try executionStatus()
        if final < 0 {
            throw OpenCLCall.failure("clSetEventCallback", OpenCLStatus(rawValue: final))
        }
    }

    /// `CL_COMPLETE` (0) once the command has finished, a negative error code if it failed.
    /// The corresponding OpenCL call is `clGetEventInfo`.
    private func executionStatus() throws -> cl_int {
        try InfoQuery.scalar("clGetEventInfo", as: cl_int.self) {
            clGetEventInfo(handle, cl_event_info(CL_EVENT_COMMAND_EXECUTION_STATUS), $0, $1, $2)
        }
    }

    /// Submits the commands of the event's queue; a user event has none.
    private func flushQueue() throws {
        let queue = try InfoQuery.scalar("clGetEventInfo", as: cl_command_queue?.self) {
            clGetEventInfo(handle, cl_event_info(CL_EVENT_COMMAND_QUEUE), $0, $1, $2)
        }
        if let queue {
            try OpenCLCall.check("clFlush") { clFlush(queue) }
        }
    }

    /// Nanoseconds between the command's start and end on the device, once it has finished; needs a
    /// queue made with profiling. The corresponding OpenCL calls are `clWaitForEvents` and
    /// `clGetEventProfilingInfo`.
    func elapsedNanoseconds() throws -> UInt64 {
        try wait()
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

/// The continuation an event callback resumes, carried through the callback's `user_data`.
private final class CompletionWaiter {
    let continuation: CheckedContinuation<cl_int, any Error>

    init(_ continuation: CheckedContinuation<cl_int, any Error>) {
        self.continuation = continuation
    }
}
