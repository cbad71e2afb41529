import BatchNorm
@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

/// The dtype and fuse of each row in the table, the JSON and the CSV; a plain run's table as it was.
@Suite("dtype and fuse in the reports", .enabled(if: TestBackends.hasOpenCLDevice))
struct StorageFusionReportTests {
    /// A report of two rows of one pass, fused and unfused, or of one plain row.
    static func report(storage: ElementType, fusion: FusedOperation) throws -> Report {
        let samples = Samples(seconds: [1e-3, 2e-3])
        let copy = CopyCeiling(count: 1024, samples: samples)
        var report = Report(device: try openCLDevices()[0], copy: copy, kernelTiming: "1 run", tuning: "heuristic",
                            storages: [storage], fusion: fusion)
        for activation in RowActivation.rows(for: fusion) {
            let benchCase = BenchCase(spec: try ShapeSpec.parse("4x8"), layout: .nc, pass: .backward, storage: storage,
                                      activation: activation)
            report.outcomes.append(.measured(BenchmarkRow(
                benchCase: benchCase, backend: "opencl: test", variant: "interleaved ×8", settings: "heuristic",
                kernel: samples, wall: samples,
                reference: samples, maxRelativeError: 1e-7, tolerance: Benchmark.tolerance(for: benchCase),
                bytesCounted: 64, copyGBps: 1)))
        }
        return report
    }

    @Test("JSON rows carry dtype, fuse, normalization and the settings' origin, plain rows f32, none and batch; the CSV ends with those columns")
    func files() throws {
        for (storage, fusion, names) in [(ElementType.float32, FusedOperation.none, ["none"]),
                                         (.bfloat16, .addRelu, ["add-relu", "add-relu-unfused"])] {
            let report = try Self.report(storage: storage, fusion: fusion)
            let json = try JSONSerialization.jsonObject(with: try report.json())
            let rows = try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(rows.map { $0["dtype"] as? String } == names.map { _ in storage.shortName })
            #expect(rows.map { $0["fuse"] as? String } == names)
            #expect(rows.allSatisfy { $0["pass"] as? String == "backward" && $0["shape"] as? String == "4x8" })
            let csv = report.csv.split(separator: "\n")
            #expect(rows.allSatisfy { $0["normalization"] as? String == "batch" })
            #expect(rows.allSatisfy { $0["settings"] as? String == "heuristic" })
            #expect(csv[0].hasPrefix("shape,layout,pass,backend,variant,")
                    && csv[0].hasSuffix(",speedup_vs_cpu,dtype,fuse,normalization,settings"))
            #expect(csv.dropFirst().map { String($0.split(separator: ",").suffix(4).joined(separator: ",")) }
                    == names.map { "\(storage.shortName),\($0),batch,heuristic" })
        }
    }

    @Test("the table shows dtype and fuse only when the run varies them, and the header counts their bytes")
    func table() throws {
        let plain = try Self.report(storage: .float32, fusion: .none)
        #expect(plain.table.hasPrefix("shape  layout  pass      variant  "))
        #expect(plain.table.split(separator: "\n").allSatisfy { $0.hasSuffix("settings") || $0.hasSuffix("heuristic") || $0.hasPrefix("--") })
        #expect(plain.header.contains { $0.hasPrefix("GB/s counts 4 bytes × N·C·H·W for 2 tensors") })
        #expect(!plain.header.contains { $0.hasPrefix("fuse ") })

        let fused = try Self.report(storage: .float16, fusion: .relu)
        let lines = fused.table.split(separator: "\n")
        #expect(lines[0].hasPrefix("shape  layout  pass      dtype  fuse          variant  "))
        #expect(lines[2].hasPrefix("4x8    nc      backward  f16    relu          interleaved"))
        #expect(lines[3].hasPrefix("4x8    nc      backward  f16    relu-unfused  interleaved"))
        #expect(fused.header.contains { $0.contains("(2 for f16)") && $0.contains("x, dy and y read, dx written in backward") })
        #expect(fused.header.contains { $0.hasPrefix("fuse relu-unfused: ") })
    }
}
