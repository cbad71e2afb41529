import BatchNorm
@testable import bn_gpu_bench
import BNTestSupport
import Testing

/// Shapes larger than the device allows for one buffer: skipped with the reason, and when no shape
/// is left, a failure before anything is measured or written.
@Suite("Shapes beyond the device's largest allocation", .enabled(if: TestBackends.hasOpenCLDevice))
struct DeviceLimitTests {
    /// Parses past `ShapeSpec.parse`'s bound on elements, and beyond any device's allocation.
    static let enormous = "2305843009213693951x1"

    @Test("a shape fits up to the device's largest allocation, and the reason names both sizes")
    func allocationProblem() throws {
        var device = try TestBackends.openCL().device
        device.maxAllocationBytes = 400
        #expect(try ShapeSpec.parse("10x10").allocationProblem(on: device) == nil)
        #expect(try ShapeSpec.parse("2x5x2x5").allocationProblem(on: device) == nil)
        #expect(try ShapeSpec.parse("10x11").allocationProblem(on: device)
                == .allocationTooLarge(bytes: 440, limit: 400, device: device.name))
        let message = ShapeSpec.noneFits([try ShapeSpec.parse("10x11"), try ShapeSpec.parse("20x20")], on: device)
        #expect(message.contains("10x11, 20x20 each need more than the 400 bytes") && message.contains("pass smaller --shapes"))
    }

    @Test("run fails before measuring, and writes no report, when no shape fits",
          .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
    func runWithNothingToMeasure() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--shapes", Self.enormous, "--passes", "forward-inference",
                                            "--json", folder.path("report.json")])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.contains("no shape fits on") && outcome.standardError.contains("pass smaller --shapes"))
        #expect(!outcome.standardError.contains("measuring the copy ceiling"))
        #expect(!folder.contains("report.json"))
    }

    @Test("tune skips a shape that does not fit, and fails when none is left",
          .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
    func tuneWithNothingToTune() throws {
        let outcome = try ProductProcess.bench.run(["tune", "--print-only", "--runs", "1", "--shapes", Self.enormous])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.contains("skipped \(Self.enormous): a buffer of"))
        #expect(outcome.standardError.contains("no shape fits on"))
    }
}
