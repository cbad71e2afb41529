import BNCore
import COpenCL

extension OpenCLBackend {
    /// A backend on an engine's own OpenCL objects: its context and one of its command queues, in
    /// order or out of order, on any device of the context (a sub-device too).
    ///
    /// Both are retained, never owned: the caller's references stay valid and the backend releases
    /// only its own when it is gone. The backend never finishes (`clFinish`) the queue: its passes
    /// chain their kernels by events, take a wait list and return their last kernel's event
    /// (``forwardTraining(x:z:shape:gamma:beta:running:options:y:mean:invStd:waitingFor:)``),
    /// and ``synchronize()`` waits for the backend's own last event. Several backends may share a
    /// context (one per queue or device); buffers of the context work with each of them.
    /// The corresponding OpenCL calls are `clGetCommandQueueInfo`, `clRetainContext` and `clRetainCommandQueue`.
    ///
    /// Such a backend never searches launch settings on first use (``autotuning`` is ``Autotuning/off``):
    /// a search would run passes on the engine's queue behind its work and wait for them, in the
    /// middle of a call the engine expects to return at once. Run
    /// ``autotune(for:options:budgetPerClass:savingTo:progress:)`` for the engine's shapes ahead of time instead.
    /// - Parameters:
    ///   - context: The engine's context.
    ///   - queue: A queue of that context; its device runs the passes.
    /// - Throws: `BatchNormError.incompatibleOpenCLObjects` when the queue belongs to another
    ///   context, `BatchNormError.openCLCallFailed` for an invalid object, or
    ///   `BatchNormError.invalidTuningTable` when the user's tuning table cannot be read.
    public convenience init(retaining context: cl_context, queue: cl_command_queue) throws {
        let queueContext = try InfoQuery.scalar("clGetCommandQueueInfo", as: cl_context?.self) {
            clGetCommandQueueInfo(queue, cl_command_queue_info(CL_QUEUE_CONTEXT), $0, $1, $2)
        }
        guard queueContext == context else {
            throw BatchNormError.incompatibleOpenCLObjects(reason: "the command queue belongs to another context than the one given; pass a queue made on that context")
        }
        let device = try Device.of(queue: queue)
        let retained = try Context(retaining: context, device: device)
        try self.init(context: retained, queue: try CommandQueue(retaining: queue, context: retained), forcesWideIndices: false,
                      autotuning: .off)
    }

    /// Whether the backend runs on a caller's queue (``init(retaining:queue:)``) rather than its own.
    public var isOnCallersQueue: Bool { queue.isBorrowed }
}
