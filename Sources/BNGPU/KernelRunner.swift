import BNCore

/// What passes enqueue with: the queue, the kernels, the workspace and, while a measurement runs,
/// the events to time. Owned by the backend and used only under its lock, so that setting a
/// kernel's arguments and enqueueing it happen together.
struct KernelRunner {
    let queue: CommandQueue
    let device: Device
    var library: KernelLibrary
    var workspace: Workspace
    /// Events of the kernels enqueued while a measurement is on; nil when none is.
    var recordedEvents: [OpenCLEvent]?
    /// Whether each command returns an event that the next one waits for: always on a caller's queue
    /// or an out-of-order one, and during a call that returns its last kernel's event.
    var isChaining: Bool
    /// What the next command waits for while chaining: the last command's event (and, at the start
    /// of a call, the caller's wait list).
    var pending: [OpenCLEvent] = []
    /// The launch settings of each class of shapes on this device.
    var tuning: DeviceTuning
    /// The largest work-group every kernel of a variant runs (`CL_KERNEL_WORK_GROUP_SIZE`), read once.
    private var kernelWorkGroupLimits: [KernelVariant: Int] = [:]

    /// - Parameter library: Kernels already built in `context`; none by default.
    init(queue: CommandQueue, context: Context, tuning: DeviceTuning, library: KernelLibrary? = nil) {
        self.queue = queue
        self.isChaining = queue.isBorrowed || queue.isOutOfOrder
        self.tuning = tuning
        self.device = context.device
        self.library = library ?? KernelLibrary(context: context)
        self.workspace = Workspace(context: context)
    }

    /// Sets the call's arguments on its kernel, built for `variant` in the call's operand case, and
    /// enqueues it over `range`.
    mutating func run(_ call: KernelCall, variant: KernelVariant, range: LaunchRange) throws {
        var built = variant
        built.operands = call.operands
        let kernel = try library.kernel(call.kernel, variant: built)
        try Self.launchWatcher?(kernel, call)
        try kernel.setArguments(call.arguments)
        let isRecording = recordedEvents != nil && queue.isProfilingEnabled
        let event = try queue.enqueue(kernel, global: range.global, local: range.local, waitingFor: pending,
                                      returningEvent: isRecording || isChaining)
        if let event, isRecording { recordedEvents?.append(event) }
        if let event, isChaining { pending = [event] }
    }

    /// A test-only seam: while set for the current task, every launch is shown to it first, with the
    /// kernel it runs, so that a test can hold the call's arguments to the kernel's parameters.
    @TaskLocal static var launchWatcher: (@Sendable (Kernel, KernelCall) throws -> Void)?

    /// Copies `values` into `buffer` after the commands enqueued before, and returns when done.
    func write(_ values: [Float], to buffer: OpenCLBuffer) throws {
        try queue.write(values, to: buffer, waitingFor: pending)
    }

    /// `buffer`'s contents after the commands enqueued before.
    func read(_ buffer: OpenCLBuffer) throws -> [Float] {
        try queue.read(buffer, waitingFor: pending)
    }

    /// Runs `body` with every command chained by events, the first waiting for `events`, and returns
    /// the event of the last command `body` enqueued (a marker after `events` if it enqueued none).
    /// On a queue that does not otherwise chain, chaining stops after `body`: the queue's order then
    /// keeps later commands after these.
    mutating func chained(after events: [OpenCLEvent], _ body: (inout KernelRunner) throws -> Void) throws -> OpenCLEvent {
        let wasChaining = isChaining
        isChaining = true
        pending += events
        let waitedFor = pending
        defer {
            isChaining = wasChaining
            if !wasChaining { pending = [] }
        }
        try body(&self)
        // a command of `body` leaves its own event alone in `pending`
        if pending.count == 1, !waitedFor.contains(where: { $0 === pending[0] }) {
            return pending[0]
        }
        let marker = try queue.enqueueMarker(waitingFor: pending)
        pending = [marker]
        return marker
    }

    /// A plan for `geometry` on this device, with the settings its tuning gives the shape's class.
    /// Work-groups stay within what the device and every kernel of the plan's variant run: a kernel
    /// heavy in registers may allow fewer work-items than the device (the programs of the variant are
    /// built here on its first use, as the call would build them anyway).
    /// - Throws: `BatchNormError.kernelBuildFailed` or an OpenCL error from the queries.
    mutating func plan(for geometry: FeatureGeometry, storage: ElementType, forcesWideIndices: Bool) throws -> LaunchPlan {
        let settings = tuning.settings(for: ShapeClass(geometry))
        var limits = LaunchLimits(computeUnits: max(1, device.info.computeUnits),
                                  maxWorkGroupSize: max(1, device.info.maxWorkGroupSize))
        let plan = LaunchPlan(geometry: geometry, settings: settings, limits: limits, forcesWideIndices: forcesWideIndices,
                              storage: storage)
        let kernelLimit = try workGroupLimit(of: plan.variant)
        guard kernelLimit < limits.maxWorkGroupSize else { return plan }
        limits.maxWorkGroupSize = kernelLimit
        return LaunchPlan(geometry: geometry, settings: settings, limits: limits, forcesWideIndices: forcesWideIndices,
                          storage: storage)
    }

    /// The smallest `CL_KERNEL_WORK_GROUP_SIZE` over the batch-norm kernels of `variant`, in every
    /// operand case: the plan comes before the call that decides the case.
    private mutating func workGroupLimit(of variant: KernelVariant) throws -> Int {
        if let limit = kernelWorkGroupLimits[variant] { return limit }
        let limit = try KernelName.allCases.filter(\.isBatchNormPass)
            .flatMap { try library.everyCase(of: $0, variant: variant) }
            .map { try $0.maxWorkGroupSize(on: device) }.min() ?? 1
        kernelWorkGroupLimits[variant] = max(1, limit)
        return max(1, limit)
    }
}
