@testable import bn_gpu_bench
import BNTestSupport
import Testing

@Suite("--device and BN_OPENCL_DEVICE")
struct DeviceArgumentTests {
    static let refusals: [CommandLineCase] = [
        // An empty query is a substring of every name, so it used to pick the first device quietly.
        .init("empty", ["--device", ""], "--device is empty", "bn-gpu-bench devices"),
        .init("blank", ["--device", "  "], "--device is empty"),
        .init("tune, empty", ["tune", "--device", "", "--print-only"], "--device is empty"),
    ]

    @Test("an empty --device is refused", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("a query is kept as given: an index, a sign or a name substring")
    func accepted() throws {
        #expect(try parsed(BNGPUBench.Run.self, ["--device", "+0"]).deviceQuery == "+0")
        #expect(try parsed(BNGPUBench.Run.self, ["--device", "-1"]).device == "-1")
        #expect(try parsed(BNGPUBench.Tune.self, ["tune", "--device", "pthread", "--print-only"]).device == "pthread")
    }
}

/// The executable's own report when no device matches: status 1, the devices there are, no crash.
@Suite("No device matches", .enabled(if: TestBackends.hasOpenCLDevice),
       .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
struct NoDeviceProcessTests {
    @Test("an unknown name or an index out of range lists the devices there are",
          arguments: [["--device", "no-such-device"], ["--device", "9999"], ["tune", "--device", "no-such-device", "--print-only"]])
    func unknownDevice(arguments: [String]) throws {
        let outcome = try ProductProcess.bench.run(arguments + (arguments.first == "tune" ? [] : ["--quick"]),
                                           environment: ["BN_OPENCL_DEVICE": nil])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.hasPrefix("Error: no OpenCL device matches \"\(arguments[arguments.firstIndex(of: "--device")! + 1])\""))
        #expect(outcome.standardError.contains("available: [0] "))
        #expect(!outcome.standardError.contains("BN_OPENCL_DEVICE"))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("a query from BN_OPENCL_DEVICE that matches nothing says where it came from")
    func unknownDeviceFromEnvironment() throws {
        let outcome = try ProductProcess.bench.run(["--quick"], environment: ["BN_OPENCL_DEVICE": "no-such-device"])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.contains("no OpenCL device matches \"no-such-device\"; available: [0] "))
        #expect(outcome.standardError.contains("BN_OPENCL_DEVICE's; unset it, or pass --device"))
    }
}
