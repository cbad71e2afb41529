import Foundation
import BNTestSupport
import Testing

/// The executable with output files: refused before measuring when the path is bad, written whole
/// when all is well.
@Suite("Output files, end to end", .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
struct OutputProcessTests {
    @Test("--json into a missing folder exits 64 before measuring anything")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--quick", "--json", folder.path("missing/report.json")])
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.standardError.contains("the folder \(folder.path("missing")) does not exist; create it first"))
        #expect(!outcome.standardError.contains("measuring"))
        #expect(!outcome.crashed && !folder.contains("missing"))
    }

    @Test("tune refuses an --output table that does not parse before searching, and leaves it as it was",
          .enabled(if: TestBackends.hasOpenCLDevice))
    func malformedOutputTable() throws {
        let folder = try TemporaryFolder()
        let text = "garbage line\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder.path("tuning.txt")))
        let outcome = try ProductProcess.bench.run(["tune", "--shapes", "4x8", "--runs", "1", "--output", folder.path("tuning.txt")])
        #expect(outcome.status == 1, "\(outcome)")
        #expect(!outcome.crashed, "\(outcome)")
        #expect(outcome.standardError.hasPrefix("Error: tuning table \(folder.path("tuning.txt")), line 1: "))
        #expect(!outcome.standardError.contains("interleaved small"), "the search ran before the file was read")
        #expect(try String(contentsOfFile: folder.path("tuning.txt"), encoding: .utf8) == text)
    }

    @Test("a quick run writes both reports whole", .enabled(if: TestBackends.hasOpenCLDevice))
    func reportsWritten() throws {
        let folder = try TemporaryFolder()
        let outcome = try ProductProcess.bench.run(["--shapes", "6x5", "--passes", "forward-inference", "--iterations", "1",
                                            "--json", folder.path("r.json"), "--csv", folder.path("r.csv")])
        #expect(outcome.status == 0, "\(outcome)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("r.json"))))
        let rows = try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["shape"] as? String == "6x5")
        let csv = try String(contentsOfFile: folder.path("r.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 2 && csv[0].hasPrefix("shape,layout,pass,") && csv[1].hasPrefix("6x5,nc,forward_inference,"))
        // Only the two reports: no temporary file is left beside them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["r.csv", "r.json"])
    }
}
