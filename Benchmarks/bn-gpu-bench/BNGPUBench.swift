import ArgumentParser
import Foundation

/// `bn-gpu-bench`: times the OpenCL batch-norm passes against the bandwidth a plain copy reaches and
/// checks every result against the CPU reference.
@main
struct BNGPUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bn-gpu-bench",
        abstract: "Time the OpenCL batch-norm passes and check them against the CPU reference.",
        discussion: """
            Set BN_OPENCL_DEVICE (an index or a name substring) to pick a device when --device is absent; \
            `bn-gpu-bench devices` lists them.
            """,
        subcommands: [Run.self, Devices.self, Tune.self],
        defaultSubcommand: Run.self)
}

extension BNGPUBench {
    /// The device a subcommand runs on: `--device`, else `BN_OPENCL_DEVICE` when set and not empty,
    /// else nil (the first GPU, else the first device).
    /// - Parameter option: The `--device` option's value, if given.
    /// - Returns: The query for `OpenCLBackend(device:)`.
    static func deviceQuery(option: String?) -> String? {
        if let option { return option }
        let variable = ProcessInfo.processInfo.environment["BN_OPENCL_DEVICE"]
        return variable?.isEmpty == false ? variable : nil
    }
}
