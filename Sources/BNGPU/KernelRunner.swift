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
    var recordedEvents: [Event]?
    /// The launch settings of each class of shapes on this device.
    var tuning: DeviceTuning

    init(queue: CommandQueue, context: Context, tuning: DeviceTuning) {
        self.queue = queue
        self.tuning = tuning
        self.device = context.device
        self.library = KernelLibrary(context: context)
        self.workspace = Workspace(context: context)
    }

    /// Sets the kernel's arguments, in its parameter order, and enqueues it over `range`.
    mutating func run(_ name: KernelName, variant: KernelVariant, range: LaunchRange, _ arguments: [KernelArgument]) throws {
        let kernel = try library.kernel(name, variant: variant)
        try kernel.setArguments(arguments)
        let event = try queue.enqueue(kernel, global: range.global, local: range.local,
                                      returningEvent: recordedEvents != nil && queue.isProfilingEnabled)
        if let event { recordedEvents?.append(event) }
    }

    /// A plan for `geometry` on this device, with the settings its tuning gives the shape's class.
    func plan(for geometry: FeatureGeometry, forcesWideIndices: Bool) -> LaunchPlan {
        let limits = LaunchLimits(computeUnits: max(1, device.info.computeUnits),
                                  maxWorkGroupSize: max(1, device.info.maxWorkGroupSize))
        return LaunchPlan(geometry: geometry, settings: tuning.settings(for: ShapeClass(geometry)), limits: limits,
                          forcesWideIndices: forcesWideIndices)
    }
}
