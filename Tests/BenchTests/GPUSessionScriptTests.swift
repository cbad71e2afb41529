@testable import bn_gpu_bench
import BNTestSupport
import Foundation
import Testing

/// `Benchmarks/scripts/gpu_session.sh`, which runs only on a lent GPU machine, kept in step with the bench.
@Suite("gpu_session.sh")
struct GPUSessionScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Benchmarks/scripts/gpu_session.sh").standardized

    @Test("`bn-gpu-bench shapes` prints the standard set (or --quick's) as --shapes parses it")
    func shapesLine() throws {
        for (arguments, expected) in [([String](), ShapeSpec.standard), (["--quick"], ShapeSpec.quick)] {
            let command = try BNGPUBench.Shapes.parse(arguments)
            #expect(try ShapeSpec.parseList(command.line) == expected)
        }
    }

    @Test("without BN_SESSION_SHAPES it hands tune, the bench and PyTorch the bench's standard set",
          .enabled(if: ProductProcess.bench.executable != nil))
    func defaultShapes() throws {
        let bench = try #require(ProductProcess.bench.executable)
        let folder = try TemporaryFolder()
        // A stand-in for .gpu/: run.sh runs the bench built here, and a budget of one second skips
        // every step, so that the log holds each step's command and nothing runs on a device.
        let gpu = folder.url.appendingPathComponent("gpu")
        try FileManager.default.createDirectory(at: gpu, withIntermediateDirectories: true)
        try "shift; exec \"\(bench.path)\" \"$@\"\n".write(to: gpu.appendingPathComponent("run.sh"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["BN_SESSION_SHAPES"] = nil
        environment.merge(["OUT": folder.path("out"), "BN_SESSION_GPU_DIR": gpu.path, "BN_SESSION_BUDGET": "1"]) { $1 }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()

        let log = try String(contentsOfFile: folder.path("out/session.log"), encoding: .utf8)
        let standard = ShapeSpec.standard.map(\.description).joined(separator: ",")
        // (ours is skipped without a tuning table; it measures with heuristic's arguments)
        for step in ["tune", "torch", "heuristic"] {
            let line = log.split(separator: "\n").first { $0.hasPrefix("=== \(step): ") && $0.contains("--shapes") }
            #expect(line?.contains("--shapes \(standard) ") == true, "the \(step) step's command: \(line ?? "missing")")
        }
    }
}
