import ArgumentParser
import BatchNorm
import Foundation
import BNToolSupport

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
        subcommands: [Run.self, Devices.self, Shapes.self, Tune.self, Compare.self],
        defaultSubcommand: Run.self)
}

extension BNGPUBench {
    /// The help of `--device`, which `run` and `tune` share. The option takes the next argument
    /// whatever it looks like, so that `--device -1` is refused as an index rather than as a missing value.
    static let deviceHelp = ArgumentHelp(
        "An index from `bn-gpu-bench devices`, or a substring of a device's name, vendor or platform.",
        discussion: "Without it, BN_OPENCL_DEVICE is read; without that, the first GPU, else the first device.")

    /// The device a subcommand runs on: `--device`, else `BN_OPENCL_DEVICE` when set and not blank,
    /// else nil (the first GPU, else the first device).
    /// - Parameter option: The `--device` option's value, if given.
    /// - Returns: The query for `OpenCLBackend(device:)`.
    static func deviceQuery(option: String?) -> String? {
        option ?? environmentDeviceQuery
    }

    /// `BN_OPENCL_DEVICE`, unless unset, empty or only spaces, which count as unset.
    static var environmentDeviceQuery: String? {
        let variable = ProcessInfo.processInfo.environment["BN_OPENCL_DEVICE"]
        return variable?.allSatisfy(\.isWhitespace) == false ? variable : nil
    }

    /// Refuses a `--device` that is empty or blank: every device's name contains it, so it would
    /// quietly pick the first device rather than the one meant.
    /// - Parameter option: The `--device` option's value, if given.
    /// - Throws: `ValidationError` saying what to give instead.
    static func validateDevice(_ option: String?) throws {
        if let option, option.allSatisfy(\.isWhitespace) {
            throw ValidationError("--device is empty; give an index or part of a name from `bn-gpu-bench devices`")
        }
    }

    /// Ends a subcommand on a library error: prints it and, when a device query from
    /// `BN_OPENCL_DEVICE` matched nothing, where that query came from, since the command line
    /// does not show it.
    /// - Parameters:
    ///   - error: The error.
    ///   - deviceOption: The `--device` option's value, if given.
    /// - Returns: The exit status to throw.
    static func failure(_ error: BatchNormError, deviceOption: String?) -> ExitCode {
        StandardError.print("Error: \(error)")
        if case .noOpenCLDevice(query: .some, available: _) = error, deviceOption == nil,
           let variable = environmentDeviceQuery {
            StandardError.print("The query \"\(variable)\" is BN_OPENCL_DEVICE's; unset it, or pass --device")
        }
        return .failure
    }
}
