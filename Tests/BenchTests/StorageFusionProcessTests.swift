import BNTestSupport
import Foundation
import Testing

/// `--dtype` and `--fuse` end to end: every row runs, passes the error check, and says what it ran.
@Suite("--dtype and --fuse, end to end", .enabled(if: TestBackends.hasOpenCLDevice),
       .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
struct StorageFusionProcessTests {
    @Test("--quick --fuse add-relu --dtype bf16 runs every pass fused and unfused within the error check")
    func quickAddReluBFloat16() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--quick", "--fuse", "add-relu", "--dtype", "bf16", "--iterations", "1",
                                                    "--json", folder.path("r.json")])
        // Status 0 means that no row left its tolerance (the run fails otherwise).
        #expect(outcome.status == 0, "\(outcome)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("r.json"))))
        let rows = try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(!rows.isEmpty && rows.count.isMultiple(of: 2))
        #expect(rows.allSatisfy { $0["dtype"] as? String == "bf16" })
        #expect(rows.map { $0["fuse"] as? String } == rows.indices.map { $0.isMultiple(of: 2) ? "add-relu" : "add-relu-unfused" })
        #expect(Set(rows.compactMap { $0["pass"] as? String }) == ["forward_training", "forward_inference", "backward"])
        #expect(rows.allSatisfy { ($0["max_rel_err"] as? Double).map { $0 < 18 * 0x1p-8 } == true })
        #expect(outcome.standardOutput.contains("fuse add-relu-unfused: "))
    }

    @Test("a plain run's rows say f32 and none")
    func plainRun() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--shapes", "6x5", "--passes", "forward-inference", "--iterations", "1",
                                                    "--json", folder.path("r.json")])
        #expect(outcome.status == 0, "\(outcome)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("r.json"))))
        let rows = try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["dtype"] as? String == "f32" && rows[0]["fuse"] as? String == "none")
        #expect(!outcome.standardOutput.contains("dtype"))
    }
}
