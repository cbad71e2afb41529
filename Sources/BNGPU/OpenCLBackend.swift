import BNCore
import FoundationEssentials
import Logging
import Synchronization

/// Batch normalization on an OpenCL device: a GPU through its vendor's driver, or the CPU through PoCL.
///
/// The backend owns a context and an in-order command queue on one device. Buffer operations
/// enqueue their kernels and return without waiting; ``download(_:)`` and ``synchronize()`` wait.
/// Programs are built once, on first use, and cached. A backend may be shared by any number of
/// tasks: enqueueing is serialized by a lock, and the work runs in enqueue order.
public final class OpenCLBackend: BatchNormBackend {
    public typealias Buffer = OpenCLBuffer

    /// The device this backend runs on.
    public let device: OpenCLDeviceInfo
    public let name: String
    /// Whether kernels are timed by the device (``measureKernelTime(_:)``).
    public let isProfilingEnabled: Bool
    /// Where the launch settings come from: the user's tuning table, the built-in one, or the heuristic.
    public let tuningOrigin: TuningOrigin
    /// Whether the first pass of a class of shapes that no tuning table has a row for searches its
    /// launch settings first (``Autotuning``).
    public let autotuning: Autotuning

    let context: Context
    let queue: CommandQueue
    /// Tests set this to run tensors of any size through the 64-bit index variant.
    let forcesWideIndices: Bool
    let runner: Mutex<KernelRunner>

    /// Devices passed over when this backend was made with no device named, and why (empty when
    /// the first device tried worked, or a device was named).
    public let skippedDevices: [SkippedOpenCLDevice]

    /// A backend on the device a query names, or on the first device that runs the library.
    ///
    /// With no query, devices are tried in order, GPUs first, and the first whose context, queue
    /// and every kernel can be made is taken; each one skipped is listed in ``skippedDevices`` and
    /// warned of on the library's log (swift-log, label `BatchNorm`). A device named by a query is
    /// never skipped: its failures are thrown by the calls that meet them.
    /// - Parameters:
    ///   - query: An index into ``openCLDevices()`` or a case-insensitive substring of a device's
    ///     name, vendor or platform; nil takes the first device that works, GPUs first.
    ///   - isProfilingEnabled: Make the queue record kernel times, for ``measureKernelTime(_:)``.
    ///   - autotuning: Whether a class of shapes no tuning table has a row for is searched on its
    ///     first pass; nil takes `BN_AUTOTUNE` (``Autotuning/fromEnvironment(_:)``): on unless it is 0.
    /// - Throws: `BatchNormError.noOpenCLPlatform`, `BatchNormError.noOpenCLDevice`,
    ///   `BatchNormError.noWorkingOpenCLDevice` (no query, and no device works),
    ///   `BatchNormError.openCLCallFailed`, `BatchNormError.invalidTuningTable` when the user's
    ///   tuning table (``TuningTable/userFileURL``) cannot be read, or `BatchNormError.invalidOption`
    ///   for a `BN_AUTOTUNE` that is neither 0 nor 1.
    public convenience init(device query: String? = nil, isProfilingEnabled: Bool = false,
                            autotuning: Autotuning? = nil) throws {
        if let query {
            try self.init(device: try Device.select(query), isProfilingEnabled: isProfilingEnabled, forcesWideIndices: false,
                          autotuning: autotuning)
        } else {
            try self.init(firstWorkingAmong: try Device.preferenceOrder(), isProfilingEnabled: isProfilingEnabled, log: Self.log,
                          autotuning: autotuning)
        }
    }

    /// A backend on the first of `devices` that works (``firstWorkingDevice(among:log:)``).
    convenience init(firstWorkingAmong devices: [Device], isProfilingEnabled: Bool, log: Logger,
                     autotuning: Autotuning? = nil) throws {
        let (context, library, skipped) = try Self.firstWorkingDevice(among: devices, log: log)
        let queue = try CommandQueue(context: context, isProfilingEnabled: isProfilingEnabled)
        try self.init(context: context, queue: queue, forcesWideIndices: false, library: library, skipped: skipped,
                      autotuning: autotuning)
    }

    /// - Parameter environment: Where the user's tuning table is and what `BN_AUTOTUNE` says, for
    ///   tests that need a table of their own; the process's environment by default.
    convenience init(device: Device, isProfilingEnabled: Bool, forcesWideIndices: Bool, autotuning: Autotuning? = nil,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let context = try Context(device: device)
        let queue = try CommandQueue(context: context, isProfilingEnabled: isProfilingEnabled)
        try self.init(context: context, queue: queue, forcesWideIndices: forcesWideIndices, autotuning: autotuning,
                      environment: environment)
    }

    /// - Parameter autotuning: nil takes `BN_AUTOTUNE` from `environment`.
    init(context: Context, queue: CommandQueue, forcesWideIndices: Bool, library: KernelLibrary? = nil,
         skipped: [SkippedOpenCLDevice] = [], autotuning: Autotuning?,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let device = context.device
        let isProfilingEnabled = queue.isProfilingEnabled
        self.context = context
        self.queue = queue
        self.device = device.info
        self.name = "opencl: \(device.info.name)"
        self.isProfilingEnabled = isProfilingEnabled
        self.forcesWideIndices = forcesWideIndices
        self.autotuning = try autotuning ?? Autotuning.fromEnvironment(environment)
        let (tuning, origin) = try DeviceTuning.load(for: device.info, environment: environment)
        self.tuningOrigin = origin
        self.skippedDevices = skipped
        self.runner = Mutex(KernelRunner(queue: queue, context: context, tuning: tuning, library: library))
    }

    /// Names the kernel variant the backend chooses for a call, as bn-gpu-bench reports it:
    /// `planar 256×1 chunks 4, 32-bit` says which traversal, work-group, split and index width.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call (the mode matters).
    ///   - elementType: How the call's tensors are stored; `.float32` by default.
    /// - Returns: The variant's name.
    /// - Throws: `BatchNormError` for a bad shape or a kernel that fails to build.
    package func kernelVariant(for shape: TensorShape, options: BatchNormOptions,
                              elementType: ElementType = .float32) throws -> String {
        let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        return try runner.withLock {
            try $0.plan(for: geometry, storage: elementType, forcesWideIndices: forcesWideIndices).name
        }
    }

    /// Plans a call whose tensors are stored as `storage` and enqueues its kernels under the lock.
    func enqueue(_ geometry: FeatureGeometry, storage: ElementType,
                 _ body: (inout KernelRunner, LaunchPlan) throws -> Void) throws {
        try runner.withLock { runner in
            let plan = try runner.plan(for: geometry, storage: storage, forcesWideIndices: forcesWideIndices)
            try body(&runner, plan)
        }
    }

    /// Checks a call's operands (``BNCore/Operands``), then that every buffer was made in this
    /// backend's context.
    func checked(_ operands: Operands<OpenCLBuffer>, shape: TensorShape, options: BatchNormOptions) throws -> FeatureGeometry {
        let geometry = try operands.checked(shape: shape, options: options)
        try checkOwnership(operands.all)
        return geometry
    }

    /// Throws unless every buffer lives in this backend's context (made by it, by another backend on
    /// the same caller's context, or wrapped from the caller's memory).
    func checkOwnership(_ buffers: [(name: String, value: OpenCLBuffer)]) throws {
        if let foreign = buffers.first(where: { $0.value.context.handle != context.handle }) {
            throw BatchNormError.foreignBuffer(argument: foreign.name)
        }
    }
}
