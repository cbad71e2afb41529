import BNCore
import COpenCL

/// The kind of an OpenCL device.
public enum OpenCLDeviceType: String, Sendable, Hashable {
    case gpu = "GPU"
    case cpu = "CPU"
    case accelerator = "accelerator"
    case other = "other"
}

/// What a user needs to know to pick an OpenCL device.
public struct OpenCLDeviceInfo: Sendable, Hashable, CustomStringConvertible {
    /// The device's position in ``openCLDevices()``, which `BN_OPENCL_DEVICE` and `--device` accept;
    /// −1 for a device not listed there (a sub-device of a caller's context).
    public var index: Int
    /// The platform (driver) name, such as `NVIDIA CUDA` or `Portable Computing Language`.
    public var platform: String
    /// The device name.
    public var name: String
    /// The device vendor.
    public var vendor: String
    /// GPU, CPU or other.
    public var type: OpenCLDeviceType
    /// Parallel compute units (`CL_DEVICE_MAX_COMPUTE_UNITS`).
    public var computeUnits: Int
    /// Global memory in bytes.
    public var globalMemoryBytes: Int
    /// The largest single allocation in bytes (`CL_DEVICE_MAX_MEM_ALLOC_SIZE`).
    public var maxAllocationBytes: Int
    /// Local (work-group shared) memory in bytes.
    public var localMemoryBytes: Int
    /// The largest work-group the device runs.
    public var maxWorkGroupSize: Int
    /// The global memory cache in bytes (`CL_DEVICE_GLOBAL_MEM_CACHE_SIZE`; a CPU driver such as
    /// PoCL reports the last-level cache, which every compute unit shares), 0 when the device has none.
    public var globalMemoryCacheBytes: Int = 0
    /// The global memory cache line in bytes (`CL_DEVICE_GLOBAL_MEM_CACHELINE_SIZE`), 0 when unknown.
    public var cacheLineBytes: Int = 0
    /// The OpenCL version the device reports.
    public var version: String
    /// The driver version.
    public var driverVersion: String

    /// Reads as `[0] NVIDIA H100 80GB HBM3 (GPU, NVIDIA CUDA, 132 compute units, 79.1 GiB)`.
    public var description: String {
        let gibibytes = Double(globalMemoryBytes) / Double(1 << 30)
        let memory = (gibibytes * 10).rounded() / 10
        return "[\(index)] \(name) (\(type.rawValue), \(platform), \(computeUnits) compute units, \(memory) GiB)"
    }
}

/// A device and the limits the library plans launches with. Root devices are never released.
struct Device: @unchecked Sendable {
    let id: cl_device_id
    var info: OpenCLDeviceInfo
    /// The device computes `/` and `sqrt` correctly rounded when the program asks for it.
    let hasCorrectlyRoundedDivideSqrt: Bool

    /// Reads a device's properties. The corresponding OpenCL call is `clGetDeviceInfo`.
    init(id: cl_device_id, platform: Platform) throws {
        func string(_ parameter: Int32) throws -> String {
            try InfoQuery.string("clGetDeviceInfo") { clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2) }
        }
        func scalar<Value: BitwiseCopyable>(_ parameter: Int32, as type: Value.Type) throws -> Value {
            try InfoQuery.scalar("clGetDeviceInfo", as: type) { clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2) }
        }
        let typeBits = try scalar(CL_DEVICE_TYPE, as: cl_device_type.self)
        let type: OpenCLDeviceType =
            typeBits & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 ? .gpu
            : typeBits & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 ? .cpu
            : typeBits & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 ? .accelerator : .other
        self.id = id
        self.info = OpenCLDeviceInfo(
            index: 0,
            platform: platform.name,
            name: try string(CL_DEVICE_NAME),
            vendor: try string(CL_DEVICE_VENDOR),
            type: type,
            computeUnits: Int(try scalar(CL_DEVICE_MAX_COMPUTE_UNITS, as: cl_uint.self)),
            globalMemoryBytes: Int(clamping: try scalar(CL_DEVICE_GLOBAL_MEM_SIZE, as: cl_ulong.self)),
            maxAllocationBytes: Int(clamping: try scalar(CL_DEVICE_MAX_MEM_ALLOC_SIZE, as: cl_ulong.self)),
            localMemoryBytes: Int(clamping: try scalar(CL_DEVICE_LOCAL_MEM_SIZE, as: cl_ulong.self)),
            maxWorkGroupSize: try scalar(CL_DEVICE_MAX_WORK_GROUP_SIZE, as: Int.self),
            globalMemoryCacheBytes: Int(clamping: try scalar(CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, as: cl_ulong.self)),
            cacheLineBytes: Int(try scalar(CL_DEVICE_GLOBAL_MEM_CACHELINE_SIZE, as: cl_uint.self)),
            version: try string(CL_DEVICE_VERSION),
            driverVersion: try string(CL_DRIVER_VERSION))
        let floatConfig = try scalar(CL_DEVICE_SINGLE_FP_CONFIG, as: cl_device_fp_config.self)
        self.hasCorrectlyRoundedDivideSqrt = floatConfig & cl_device_fp_config(CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0
    }

    /// Every device of every platform, numbered in that order.
    /// - Throws: `BatchNormError.noOpenCLPlatform` when no driver is installed.
    static func all() throws -> [Device] {
        var devices = try Platform.all().flatMap { try $0.devices() }
        for index in devices.indices {
            devices[index].info.index = index
        }
        return devices
    }

    /// The device a caller's queue runs on, which may be a sub-device: its index is that of the
    /// same device in ``all()``, or −1 when it is not there (a sub-device).
    /// The corresponding OpenCL calls are `clGetCommandQueueInfo` and `clGetDeviceInfo`.
    static func of(queue: cl_command_queue) throws -> Device {
        let id = try InfoQuery.scalar("clGetCommandQueueInfo", as: cl_device_id?.self) {
            clGetCommandQueueInfo(queue, cl_command_queue_info(CL_QUEUE_DEVICE), $0, $1, $2)
        }
        guard let id else { throw OpenCLCall.failure("clGetCommandQueueInfo", .deviceNotFound) }
        let platform = try InfoQuery.scalar("clGetDeviceInfo", as: cl_platform_id?.self) {
            clGetDeviceInfo(id, cl_device_info(CL_DEVICE_PLATFORM), $0, $1, $2)
        }
        guard let platform else { throw OpenCLCall.failure("clGetDeviceInfo", .platformNotFound) }
        var device = try Device(id: id, platform: try Platform(id: platform))
        device.info.index = try all().first { $0.id == id }?.info.index ?? -1
        return device
    }

    /// The device a query names: an index into ``all()``, or a case-insensitive substring of the
    /// device's name, vendor or platform; with no query, the first GPU, else the first device.
    /// - Throws: `BatchNormError.noOpenCLDevice` when none matches.
    static func select(_ query: String?) throws -> Device {
        let devices = try all()
        let match: Device?
        if let query, let index = Int(query) {
            match = devices.indices.contains(index) ? devices[index] : nil
        } else if let query {
            let needle = query.lowercased()
            match = devices.first { device in
                [device.info.name, device.info.vendor, device.info.platform].contains { $0.lowercased().contains(needle) }
            }
        } else {
            match = preferenceOrder(devices).first
        }
        guard let match else {
            throw BatchNormError.noOpenCLDevice(query: query, available: devices.map { "\($0.info.name) (\($0.info.platform))" })
        }
        return match
    }
}

/// Every OpenCL device on this machine: platform, name, type, compute units and memory.
/// - Returns: The devices in the order that indices in `BN_OPENCL_DEVICE` and `--device` count.
/// - Throws: `BatchNormError.noOpenCLPlatform` when no OpenCL driver is installed (the message
///   names the packages), or `BatchNormError.openCLCallFailed`.
public func openCLDevices() throws -> [OpenCLDeviceInfo] {
    try Device.all().map(\.info)
}
