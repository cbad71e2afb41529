import BatchNorm
@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

/// `--normalization`: which rows renormalize, what it refuses, and a renormalized run end to end.
@Suite("--normalization")
struct NormalizationArgumentTests {
    static let refusals: [CommandLineCase] = [
        .init("unknown normalization", ["--normalization", "layer"], "unknown normalization 'layer'", "batch, renorm"),
        .init("empty normalization", ["--normalization", ""], "empty normalization"),
        .init("split pass", ["--normalization", "batch,renorm", "--passes", "backward-split"],
              "--normalization renorm does not apply to backward-split", "drop renorm or the split passes"),
    ]

    @Test("an unknown normalization, or renorm with a split pass, is refused", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("batch by default; batch,renorm gives each training and backward pass both rows, inference one")
    func rows() throws {
        let plain = try parsed(BNGPUBench.Run.self, [])
        #expect(plain.normalization == [.batch])
        let run = try parsed(BNGPUBench.Run.self, ["--normalization", "batch,Renorm", "--shapes", "8x4"])
        let cases = run.rows(try ShapeSpec.parse("8x4"), .nc, .float32)
        #expect(cases.map(\.pass) == [.forwardTraining, .forwardTraining, .forwardInference, .backward, .backward])
        #expect(cases.map(\.normalization) == [.batch, .renorm, .batch, .batch, .renorm])
        #expect(cases[1].label == "8x4 nc forward-training renorm")
        #expect(NormalizationChoice.renorm.renormalization == Renormalization(rMax: 3, dMax: 5))
        #expect(NormalizationChoice.batch.renormalization == nil)
        // batch alone leaves the split passes allowed
        _ = try parsed(BNGPUBench.Run.self, ["--normalization", "batch", "--passes", "backward-split"])
    }

    @Test("a renorm run's rows pass the check against the CPU reference and say renorm",
          .enabled(if: TestBackends.hasOpenCLDevice),
          .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
    func renormRun() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--quick", "--normalization", "batch,renorm", "--iterations", "1",
                                                    "--json", folder.path("r.json")])
        // Status 0 means that no row left its tolerance (the run fails otherwise).
        #expect(outcome.status == 0, "\(outcome)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("r.json"))))
        let rows = try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
        let renorm = rows.filter { $0["normalization"] as? String == "renorm" }
        #expect(Set(renorm.compactMap { $0["pass"] as? String }) == ["forward_training", "backward"])
        // per shape and layout: training and backward twice (batch, renorm), inference once
        #expect(!renorm.isEmpty && rows.count * 2 == renorm.count * 5)
        #expect(outcome.standardOutput.contains(" norm "), "the table shows the norm column")
    }
}
