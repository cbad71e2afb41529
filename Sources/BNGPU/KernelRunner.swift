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
    /// The limits of each variant, read once.
    private var knownLimits: [KernelVariant: LaunchLimits] = [:]

    init(queue: CommandQueue, context: Context) {
        self.queue = queue
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

    /// The limits that plans for `variant` need, read from the device and the built kernels.
    mutating func limits(for variant: KernelVariant) throws -> LaunchLimits {
        if let limits = knownLimits[variant] { return limits }
        func smallestWorkGroupSize(_ names: [KernelName]) throws -> Int {
            try names.map { try library.kernel($0, variant: variant).maxWorkGroupSize(on: device) }.min() ?? 1
        }
        let reductions: [KernelName] = [.statsPartialPlanar, .statsPartialInterleaved,
                                        .backwardReducePlanar, .backwardReduceInterleaved]
        let elementwise: [KernelName] = [.normalizePlanar, .normalizeInterleaved, .backwardInputGradientPlanar,
                                         .backwardInputGradientInterleaved, .statsMean, .statsVariance,
                                         .inverseStd, .backwardMerge]
        let limits = LaunchLimits(
            computeUnits: max(1, device.info.computeUnits),
            reductionWorkGroupSize: min(try smallestWorkGroupSize(reductions), device.info.maxWorkGroupSize),
            elementwiseWorkGroupSize: min(try smallestWorkGroupSize(elementwise), device.info.maxWorkGroupSize),
            preferredMultiple: max(1, try library.kernel(.statsPartialInterleaved, variant: variant)
                .preferredWorkGroupSizeMultiple(on: device)))
        knownLimits[variant] = limits
        return limits
    }

    /// A plan for `geometry` on this device.
    mutating func plan(for geometry: FeatureGeometry, forcesWideIndices: Bool) throws -> LaunchPlan {
        let variant = LaunchPlan.variant(for: geometry, forcesWideIndices: forcesWideIndices)
        return LaunchPlan(geometry: geometry, limits: try limits(for: variant), variant: variant)
    }
}
