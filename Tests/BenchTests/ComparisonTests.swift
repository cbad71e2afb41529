@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

/// `compare`'s numbers and lines, from small reports worked out by hand (``ComparisonFixture``).
@Suite("compare: ours against PyTorch")
struct ComparisonTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    /// The comparison of a fixture, read from files as the command reads them.
    func comparison(_ fixture: ComparisonFixture = ComparisonFixture(),
                    peerFormat: ComparisonFixture.PeerFormat = .gpu) throws -> Comparison {
        let paths = try fixture.write(in: folder, peerFormat: peerFormat)
        return Comparison(ours: try ReportFile.load(SavedReport.self, from: paths.ours, expected: SavedReport.expected),
                          peer: try ReportFile.load(PeerReport.self, from: paths.peer, expected: PeerReport.expected))
    }

    /// The command's whole output for a fixture.
    func output(_ fixture: ComparisonFixture = ComparisonFixture(), peerFormat: ComparisonFixture.PeerFormat = .gpu,
                label: [String] = ["--label", "H100"]) throws -> String {
        let paths = try fixture.write(in: folder, peerFormat: peerFormat)
        return try parsed(BNGPUBench.Compare.self, ["compare", paths.ours, paths.peer] + label).markdown()
    }

    /// The target lines of the output: the fenced block at its end.
    func targetLines(_ markdown: String) -> [String] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "```text") else { return [] }
        return Array(lines[(start + 1)...].prefix { $0 != "```" })
    }

    @Test("the geometric means are the hand-computed ones, over the matched rows of each pass and layout")
    func geometricMeans() throws {
        let comparison = try comparison()
        let expected: [(PassKind, String, Double?)] = [
            (.forwardTraining, "nchw", 4), (.forwardTraining, "nhwc", 1.1), (.forwardTraining, "nc", 3.6.squareRoot()),
            (.backward, "nchw", 1.5), (.backward, "nhwc", nil), (.backward, "nc", 1.5.squareRoot()),
            (.forwardInference, "nchw", pow(0.99, 0.25)), (.forwardInference, "nhwc", 1), (.forwardInference, "nc", 1),
        ]
        for (pass, layout, mean) in expected {
            let computed = comparison.geometricMean(pass, layout: layout)
            if let mean {
                #expect(abs((computed ?? .nan) - mean) < 1e-12 * mean, "\(pass) \(layout): \(String(describing: computed))")
            } else {
                #expect(computed == nil, "\(pass) \(layout)")
            }
        }
    }

    @Test("the target lines, word for word")
    func lines() throws {
        #expect(targetLines(try output()) == [
            "H100 forward training NCHW geomean vs PyTorch: 4.00x (target 1.5x: met)",
            "H100 forward training NHWC geomean vs PyTorch: 1.10x (target 1.2x: missed)",
            "H100 backward NCHW geomean vs PyTorch: 1.50x (target 1.5x: met)",
            "H100 backward NHWC geomean vs PyTorch: no rows",
            "H100 forward training NC geomean vs PyTorch: 1.90x",
            "H100 backward NC geomean vs PyTorch: 1.22x",
            "H100 forward inference NCHW geomean vs PyTorch: 1.00x",
            "H100 forward inference NHWC geomean vs PyTorch: 1.00x",
            "H100 forward inference NC geomean vs PyTorch: 1.00x",
            "H100 forward inference lowest fraction of copy, shapes with at least 8M elements: 89% (32x256x32x32 nchw) (target 90%: missed)",
            "H100 60x100 three passes vs PyTorch: 1.31x (ours 0.0350 ms, PyTorch 0.0460 ms; target 1.0x: met)",
            "H100 forward training lowest fraction of copy, ResNet-50 shapes: 71% (32x256x56x56 nhwc) (target 70%: met)",
            "H100 largest relative error vs the CPU reference: 3.1e-07",
        ])
    }

    @Test("both anchors' formats give the same comparison; the header gives the GPU anchor's copy ceiling")
    func peerFormats() throws {
        let gpu = try output(peerFormat: .gpu), cpu = try output(peerFormat: .cpu)
        #expect(targetLines(gpu) == targetLines(cpu) && targetLines(gpu).count == 13)
        #expect(gpu.contains("- ours (\(folder.path("ours.json"))): Test GPU, copy ceiling 2000.50 GB/s\n"))
        #expect(gpu.contains("- PyTorch (\(folder.path("torch.json"))): copy ceiling 2900.25 GB/s\n"))
        #expect(cpu.contains("- PyTorch (\(folder.path("torch.json"))): copy ceiling not in the file\n"))
        #expect(gpu.replacingOccurrences(of: "2900.25 GB/s", with: "not in the file") == cpu)
    }

    @Test("a row PyTorch lacks shows — in the table, is listed after it, and counts in no summary")
    func missingPeerRow() throws {
        let markdown = try output()
        #expect(markdown.contains("\n| 32x512x28x28 | nchw | forward_training | 1.000 | 1.00 | 10 | — | — | — | 9.0e-06 |\n"))
        #expect(markdown.contains("\n| 32x256x56x56 | nchw | forward_training | 1.000 | 1.00 | 80 | 8.000 | 2.00 | 8.00 | 3.1e-07 |\n"))
        #expect(markdown.contains("\nNo PyTorch row in \(folder.path("torch.json")) for 32x512x28x28 nchw forward_training; "
                                  + "it is left out of every line below.\n"))

        // Without PyTorch's 32x256x56x56 NHWC row, its ratio and its fraction leave the summaries.
        var fixture = ComparisonFixture()
        fixture.peerRows.removeAll { $0["shape"] as? String == "32x256x56x56" && $0["layout"] as? String == "nhwc" }
        let comparison = try comparison(fixture)
        #expect(comparison.unmatched.count == 3 && comparison.matched.count == comparison.rows.count - 3)
        #expect(comparison.geometricMean(.forwardTraining, layout: "nhwc") == 1)
        #expect(comparison.lowestFraction(.forwardTraining) { $0.ours.shape.isSpatial }?.ours.fractionOfCopy == 0.72)
        let lines = targetLines(try output(fixture))
        #expect(lines.contains("H100 forward training NHWC geomean vs PyTorch: 1.00x (target 1.2x: missed)"))
        #expect(lines.contains("H100 forward training lowest fraction of copy, ResNet-50 shapes: 72% (32x64x112x112 nchw) (target 70%: met)"))
    }

    @Test("an inference-only peer (ONNX Runtime's nulls) compares its inference rows, names itself, and counts nothing else")
    func inferenceOnlyPeer() throws {
        var fixture = ComparisonFixture()
        fixture.peerRows = fixture.peerRows.map { row in
            var row = row
            for key in ["train_ms", "train_gbs", "bwd_ms", "bwd_gbs"] { row[key] = NSNull() }
            return row
        }
        let comparison = try comparison(fixture, peerFormat: .cpu)
        #expect(comparison.matched.allSatisfy { $0.pass == .forwardInference })
        #expect(comparison.matched.count == comparison.rows.filter { $0.pass == .forwardInference }.count)
        #expect(comparison.geometricMean(.forwardInference, layout: "nc") == 1)
        #expect(comparison.geometricMean(.forwardTraining, layout: "nc") == nil)

        let paths = try fixture.write(in: folder, peerFormat: .cpu)
        let markdown = try parsed(BNGPUBench.Compare.self, ["compare", paths.ours, paths.peer, "--label", "EPYC",
                                                            "--peer-name", "ONNX Runtime"]).markdown()
        #expect(markdown.hasPrefix("# bn-gpu-bench against ONNX Runtime\n") && !markdown.contains("PyTorch"))
        #expect(markdown.contains("\n| 60x100 | nc | forward_inference | 0.0050 | 1.00 | 10 | 0.0040 | 2.00 | 0.80 | 1.0e-07 |\n"))
        #expect(markdown.contains("\n| 60x100 | nc | forward_training | 0.0100 | 1.00 | 5 | — | — | — | 1.0e-07 |\n"))
        let lines = targetLines(markdown)
        #expect(lines.contains("EPYC forward inference NC geomean vs ONNX Runtime: 1.00x"))
        #expect(lines.contains("EPYC forward training NC geomean vs ONNX Runtime: no rows"))
        // null is a pass the peer lacks; a missing key is still a file that is not a peer report
        var broken = ComparisonFixture()
        broken.peerRows[0].removeValue(forKey: "train_ms")
        let brokenPaths = try broken.write(in: folder, peerFormat: .cpu)
        #expect(throws: ReportFile.ReadError.self) {
            try ReportFile.load(PeerReport.self, from: brokenPaths.peer, expected: PeerReport.expected)
        }
    }

    @Test("met and missed turn at the targets, a geometric mean equal to its target but for rounding meeting it")
    func metAndMissed() throws {
        var fixture = ComparisonFixture()
        func setPeer(_ shape: String, _ layout: String, _ key: String, _ ms: Double) {
            let index = fixture.peerRows.firstIndex { $0["shape"] as? String == shape && $0["layout"] as? String == layout }!
            fixture.peerRows[index][key] = ms
        }
        func setFraction(_ shape: String, _ layout: String, _ pass: String, _ fraction: Double) {
            let index = fixture.oursRows.firstIndex {
                $0["shape"] as? String == shape && $0["layout"] as? String == layout && $0["pass"] as? String == pass
            }!
            fixture.oursRows[index]["fraction_of_copy"] = fraction
        }
        setPeer("32x256x56x56", "nhwc", "train_ms", 1.44)       // NHWC training √1.44 = 1.2
        setPeer("32x256x56x56", "nchw", "train_ms", 1.125)      // NCHW training √(2 × 1.125) = 1.5
        setPeer("60x100", "nc", "bwd_ms", 0.018)                // 0.034 ms against our 0.035
        setFraction("32x256x32x32", "nchw", "forward_inference", 0.90)
        setFraction("32x256x56x56", "nhwc", "forward_training", 0.69)
        let lines = targetLines(try output(fixture))
        #expect(lines[0] == "H100 forward training NCHW geomean vs PyTorch: 1.50x (target 1.5x: met)")
        #expect(lines[1] == "H100 forward training NHWC geomean vs PyTorch: 1.20x (target 1.2x: met)")
        #expect(lines[9] == "H100 forward inference lowest fraction of copy, shapes with at least 8M elements: 90% (32x256x32x32 nchw) (target 90%: met)")
        #expect(lines[10] == "H100 60x100 three passes vs PyTorch: 0.97x (ours 0.0350 ms, PyTorch 0.0340 ms; target 1.0x: missed)")
        #expect(lines[11] == "H100 forward training lowest fraction of copy, ResNet-50 shapes: 69% (32x256x56x56 nhwc) (target 70%: missed)")

        setPeer("32x256x56x56", "nchw", "train_ms", 1.12)       // √(2 × 1.12) = 1.497: shown as 1.50x, yet below
        #expect(targetLines(try output(fixture))[0] == "H100 forward training NCHW geomean vs PyTorch: 1.50x (target 1.5x: missed)")
    }

    @Test("inference's lowest fraction counts a shape of exactly 8 Mi elements, not one just below")
    func largeShapes() throws {
        let large = { (row: Comparison.Row) in row.ours.shape.elementCount >= Comparison.largeElementCount }
        #expect(try comparison().lowestFraction(.forwardInference, where: large)?.ours.shape.description == "32x256x32x32")
        var fixture = ComparisonFixture()
        fixture.oursRows.removeAll { $0["shape"] as? String == "32x256x32x32" }
        let row = try comparison(fixture).lowestFraction(.forwardInference, where: large)
        #expect(row?.ours.shape.description == "65536x256" && row?.ours.fractionOfCopy == 0.91)
    }

    @Test("training's lowest fraction is over the 4-D shapes in both layouts; without them the line says no rows")
    func resNetShapes() throws {
        let row = try comparison().lowestFraction(.forwardTraining) { $0.ours.shape.isSpatial }
        #expect(row?.ours.shape.description == "32x256x56x56" && row?.ours.layout == "nhwc")
        var fixture = ComparisonFixture()
        fixture.oursRows.removeAll { ($0["shape"] as? String)?.split(separator: "x").count == 4 && $0["pass"] as? String == "forward_training" }
        #expect(targetLines(try output(fixture))[11] == "H100 forward training lowest fraction of copy, ResNet-50 shapes: no rows")
    }

    @Test("60x100 sums the three counted passes on each side: not the f16, fused or split rows")
    func smallShape() throws {
        let comparison = try comparison()
        #expect(comparison.uncountedCount == 3)
        let totals = try comparison.passTotals(Comparison.smallShape).get()
        #expect(abs(totals.ours - 0.035) < 1e-15 && abs(totals.peer - 0.046) < 1e-15)

        var fixture = ComparisonFixture()
        fixture.oursRows.removeAll { $0["shape"] as? String == "60x100" && $0["pass"] as? String == "backward" }
        #expect(targetLines(try output(fixture))[10] == "H100 60x100 three passes vs PyTorch: no rows of backward")
        fixture.oursRows.removeAll { $0["shape"] as? String == "60x100" }
        #expect(targetLines(try output(fixture))[10] == "H100 60x100 three passes vs PyTorch: no rows")
    }

    @Test("a report with no counted row says no rows on every line, and the label defaults to the device")
    func noRows() throws {
        var fixture = ComparisonFixture()
        fixture.oursRows = fixture.oursRows.map { row in row.merging(["dtype": "bf16"]) { $1 } }
        let lines = targetLines(try output(fixture, label: []))
        #expect(lines.count == 13)
        for line in lines {
            #expect(line.hasPrefix("Test GPU ") && line.hasSuffix(": no rows"), "\(line)")
        }
    }
}
