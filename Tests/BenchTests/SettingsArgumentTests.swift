import BatchNorm
@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

@Suite("--settings and BN_TUNING_FILE")
struct SettingsArgumentTests {
    static let valid = "vector=16 group=1 chunk=16384 columns=1 items=16384 resident=524288"

    static let refusals: [CommandLineCase] = [
        .init("empty", ["--settings", ""], "missing vector, group, chunk, columns, items, resident"),
        .init("not key=value", ["--settings", "foo"], "expected key=value, got \"foo\""),
        .init("bad vector width", ["--settings", valid.replacingOccurrences(of: "vector=16", with: "vector=3")],
              "vector=3 is not one of 1, 2, 4, 8, 16"),
        .init("beyond Int", ["--settings", valid.replacingOccurrences(of: "chunk=16384", with: "chunk=99999999999999999999")],
              "chunk=99999999999999999999 is not a whole number"),
        // This one used to pass and then trap on an overflow in the first launch plan.
        .init("items beyond 2^40", ["--settings", "vector=16 group=1 chunk=1 columns=2 items=4611686018427387904 resident=0"],
              "items=4611686018427387904 is more than 2^40"),
    ]

    @Test("settings a tuning table would refuse are refused", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("the message quotes the value once, then says what is wrong with it")
    func quotedOnce() throws {
        let value = "vector=16 group=1 chunk=1 columns=1 items=1 resident=-1"
        guard case let .refused(message, _) = ParseOutcome(["--settings", value]) else {
            Issue.record("accepted")
            return
        }
        #expect(message.components(separatedBy: value).count == 2, "\(message)")
        #expect(message.hasSuffix(": resident=-1 is negative; 0 turns resident features off"), "\(message)")
    }

    @Test("settings as a table row writes them parse")
    func accepted() throws {
        let run = try parsed(BNGPUBench.Run.self, ["--settings", Self.valid + " span=4"])
        #expect(run.settings?.description == Self.valid + " span=4")
    }

    @Test("a tuning file with a value beyond 2^40 fails with its file and line, not a trap",
          .enabled(if: TestBackends.hasOpenCLDevice), .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
    func hugeValueInTuningFile() throws {
        let folder = try TemporaryFolder()
        let device = try openCLDevices()[0]
        let text = "device: \(device.name)\ndriver: \(device.driverVersion)\n"
            + "interleaved small vector=16 group=1 chunk=1 columns=2 items=4611686018427387904 resident=0\n"
        try Data(text.utf8).write(to: folder.url.appendingPathComponent("tuning.txt"))
        // 4x64 is interleaved small with 4 vectors of 16 per row, so the plan takes 2 columns: items × 2 overflowed.
        let outcome = try ProductProcess.bench.run(["--shapes", "4x64", "--passes", "forward-inference", "--iterations", "1", "--device", "0"],
                                           environment: ["BN_TUNING_FILE": folder.path("tuning.txt")])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.contains("tuning table \(folder.path("tuning.txt")), line 3: items=4611686018427387904 is more than 2^40"))
    }
}
