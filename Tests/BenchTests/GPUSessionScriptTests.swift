@testable import bn_gpu_bench
import Foundation
import Testing

/// `Benchmarks/scripts/gpu_session.sh`, which runs only on a lent GPU machine, kept in step with the bench.
@Suite("gpu_session.sh")
struct GPUSessionScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Benchmarks/scripts/gpu_session.sh").standardized

    @Test("its default shapes are the bench's standard set, which it hands PyTorch's anchor too")
    func defaultShapes() throws {
        let text = try String(contentsOf: Self.script, encoding: .utf8)
        let standard = ShapeSpec.standard.map(\.description).joined(separator: ",")
        #expect(text.contains("shapes=${BN_SESSION_SHAPES:-\(standard)}\n"))
    }
}
