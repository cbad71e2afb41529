@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

/// `compare`'s files that cannot be read or do not hold a report: one line naming the file and what
/// is wrong, status 1, no crash.
@Suite("compare: unreadable and malformed files")
struct ComparisonErrorTests {
    let folder: TemporaryFolder
    let ours: String
    let peer: String

    init() throws {
        folder = try TemporaryFolder()
        (ours, peer) = try ComparisonFixture().write(in: folder)
    }

    /// Writes `text` into the folder.
    /// - Returns: The file's path.
    func file(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder.path(name)))
        return folder.path(name)
    }

    /// Expects `compare ours peer` to fail on reading, with a message that names `path` first and
    /// contains every fragment.
    func expectReadError(_ ours: String, _ peer: String, naming path: String, _ fragments: String...,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let command = try parsed(BNGPUBench.Compare.self, ["compare", ours, peer])
        #expect(sourceLocation: sourceLocation) {
            _ = try command.markdown()
        } throws: { error in
            let message = "\(error)"
            return error is ReportFile.ReadError && message.hasPrefix("\(path): ") && fragments.allSatisfy(message.contains)
        }
    }

    @Test("a missing file or a folder cannot be read, whichever of the two it is")
    func unreadable() throws {
        let missing = folder.path("missing.json")
        try expectReadError(missing, peer, naming: missing, "cannot be read (No such file or directory)")
        try expectReadError(ours, missing, naming: missing, "cannot be read (No such file or directory)")
        try expectReadError(ours, folder.url.path, naming: folder.url.path, "cannot be read")
    }

    @Test("text that is not JSON says where it stops being JSON and what was expected")
    func invalidJSON() throws {
        let truncated = try file("truncated.json", "{\"rows\": [")
        try expectReadError(truncated, peer, naming: truncated, "is not valid JSON (Unexpected end of file",
                            "expected the report of `bn-gpu-bench --json`")
        // Python writes NaN for a float that is not a number; JSON has no such value.
        let nan = try file("nan.json", "[{\"shape\": \"60x100\", \"train_ms\": NaN}]")
        try expectReadError(ours, nan, naming: nan, "is not valid JSON (Invalid value around character",
                            "expected the JSON of torch_bn_anchor.py --json")
        try expectReadError(ours, try file("empty.json", ""), naming: folder.path("empty.json"), "is not valid JSON")
    }

    @Test("a missing key, a value of the wrong type or a malformed shape is named with its place")
    func missingKeys() throws {
        let noDevice = try file("no-device.json", "{\"copy_gbps\": 1, \"rows\": []}")
        try expectReadError(noDevice, peer, naming: noDevice, "the document has no \"device\"")
        let noTime = try file("no-time.json", """
            {"device": "d", "copy_gbps": 1, "rows": [{"shape": "60x100", "layout": "nc", "pass": "backward"}]}
            """)
        try expectReadError(noTime, peer, naming: noTime, "rows[0] has no \"median_ms\"")
        let textTime = try file("text-time.json", """
            {"device": "d", "copy_gbps": 1, "rows": [{"shape": "60x100", "layout": "nc", "pass": "backward", "median_ms": "1"}]}
            """)
        try expectReadError(textTime, peer, naming: textTime, "rows[0].median_ms is not a number")
        let badShape = try file("bad-shape.json", """
            {"device": "d", "rows": [{"shape": "60", "layout": "nc", "pass": "backward", "median_ms": 1}]}
            """)
        try expectReadError(badShape, peer, naming: badShape, "rows[0].shape: shape '60' has 1 dimension(s)")

        let noInference = try file("no-infer.json", "[{\"shape\": \"60x100\", \"layout\": \"nc\", \"train_ms\": 1, \"bwd_ms\": 1}]")
        try expectReadError(ours, noInference, naming: noInference, "[0] has no \"infer_ms\"")
        let noRows = try file("no-rows.json", "{\"copy_gbs\": 1}")
        try expectReadError(ours, noRows, naming: noRows, "the document has no \"rows\"")
        let number = try file("number.json", "42")
        try expectReadError(ours, number, naming: number, "the document is not an object")
        // Our report where PyTorch's should be: its rows have no PyTorch keys.
        try expectReadError(ours, ours, naming: ours, "rows[0] has no \"train_ms\"")
    }

    @Test("an empty --label is refused before any file is read")
    func emptyLabel() {
        expectRefusal(["compare", "a.json", "b.json", "--label", " "], mentions: ["--label is empty", "such as H100"])
    }
}

/// `compare` as a user runs it.
@Suite("compare, end to end", .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
struct ComparisonProcessTests {
    @Test("a comparison goes to standard output; a malformed file ends with status 1 and one line on standard error")
    func run() throws {
        let folder = try TemporaryFolder()
        let (ours, peer) = try ComparisonFixture().write(in: folder)
        let outcome = try ProductProcess.bench.run(["compare", ours, peer, "--label", "H100"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.standardOutput.hasPrefix("# bn-gpu-bench against PyTorch\n"))
        #expect(outcome.standardOutput.contains("\nH100 forward training NCHW geomean vs PyTorch: 4.00x (target 1.5x: met)\n"))

        try Data("{\"rows\": [".utf8).write(to: URL(fileURLWithPath: peer))
        let failed = try ProductProcess.bench.run(["compare", ours, peer])
        #expect(failed.status == 1 && !failed.crashed, "\(failed)")
        #expect(failed.standardOutput.isEmpty)
        #expect(failed.standardError.hasPrefix("Error: \(peer): is not valid JSON") && failed.standardError.split(separator: "\n").count == 1)
    }
}
