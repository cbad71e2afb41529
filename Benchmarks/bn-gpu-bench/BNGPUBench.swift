import ArgumentParser

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
