import BNCore
import Logging

/// A device that a backend made with no device named passed over, and why.
public struct SkippedOpenCLDevice: Sendable, Hashable, CustomStringConvertible {
    /// The device.
    public var device: OpenCLDeviceInfo
    /// What failed on it: a context or queue that could not be made, a program that did not build, a
    /// kernel that could not be created.
    public var error: BatchNormError

    /// Reads as `[0] Oclgrind Simulator (Oclgrind): clCreateKernel failed with CL_INVALID_KERNEL_NAME (-46)`;
    /// a build log is cut to its first line.
    public var description: String {
        let reason = String(describing: error).split(separator: "\n").first.map(String.init) ?? ""
        return "[\(device.index)] \(device.name) (\(device.platform)): \(reason)"
    }
}

extension OpenCLBackend {
    /// The library's log. A backend made with no device named warns here of each device it skips.
    static let log = Logger(label: "BatchNorm")

    /// The context and built kernels of the first device, in preference order (GPUs, then the rest,
    /// each in ``openCLDevices()`` order), that makes a context and queue and builds every kernel:
    /// a device whose driver cannot compile the library's programs is skipped, with a warning on
    /// `log`, rather than failing every later call.
    /// - Parameters:
    ///   - devices: The devices to try, in order.
    ///   - log: Where each skipped device is reported.
    /// - Returns: The device's context, its library with every kernel built, and the devices skipped.
    /// - Throws: `BatchNormError.noWorkingOpenCLDevice` when every device fails, or
    ///   `BatchNormError.noOpenCLDevice` when there is none.
    static func firstWorkingDevice(among devices: [Device], log: Logger) throws
        -> (context: Context, library: KernelLibrary, skipped: [SkippedOpenCLDevice]) {
        guard !devices.isEmpty else { throw BatchNormError.noOpenCLDevice(query: nil, available: []) }
        var skipped: [SkippedOpenCLDevice] = []
        for device in devices {
            do {
                let context = try Context(device: device)
                var library = KernelLibrary(context: context)
                try library.buildEveryKernel(variant: KernelVariant(indexWidth: .narrow,
                                                                    vectorWidth: LaunchSettings.heuristic(for: device.info, traversal: .planar).vectorWidth))
                return (context, library, skipped)
            } catch let error as BatchNormError {
                let skip = SkippedOpenCLDevice(device: device.info, error: error)
                log.warning("skipped OpenCL device \(skip); name a device (BN_OPENCL_DEVICE) to use it anyway")
                skipped.append(skip)
            }
        }
        throw BatchNormError.noWorkingOpenCLDevice(skipped: skipped.map(\.description))
    }
}

extension Device {
    /// Every device in the order a backend with no device named tries them: GPUs first, then the
    /// rest, each in ``all()`` order.
    /// - Throws: `BatchNormError.noOpenCLPlatform` when no driver is installed.
    static func preferenceOrder() throws -> [Device] {
        preferenceOrder(try all())
    }

    /// `devices` with GPUs first, then the rest, each in their given order: the one rule by which
    /// a device is chosen when none is named (``select(_:)`` takes the first).
    static func preferenceOrder(_ devices: [Device]) -> [Device] {
        devices.filter { $0.info.type == .gpu } + devices.filter { $0.info.type != .gpu }
    }
}
