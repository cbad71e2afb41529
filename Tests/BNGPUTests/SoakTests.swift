import BNCore
@testable import BNGPU
import BNTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the environment asks of the soak suite.
enum SoakRequest {
    /// The text of `BN_SOAK_STEPS`; nil leaves the suite off.
    static let steps: String? = getenv("BN_SOAK_STEPS").map { String(cString: $0) }
}

/// Many training steps on one backend: resident memory stays flat and every OpenCL wrapper is
/// released. Resident memory is process-wide, so the suite runs only when `BN_SOAK_STEPS` gives
/// the step count, in a process of its own:
/// `BN_SOAK_STEPS=10000 swift test --skip-build --filter SoakTests`.
@Suite("Soak", .enabled(if: SoakRequest.steps != nil), .enabled(if: TestBackends.hasOpenCLDevice))
struct SoakTests {
    /// What resident memory may grow by, from after the warm-up to the end: one leaked tensor of
    /// this shape per step (32 KiB) passes it within 160 steps, one leaked small device buffer
    /// (about 2.4 kB each with PoCL, measured) within about 2,000; a leaked wrapper too small to
    /// show is caught by the ledger. glibc's heap and PoCL's pools moved by 0.14 MB at most over
    /// 100,000 steps here.
    static let allowedGrowth = 5_000_000
    /// Steps before the first measurement: programs built, workspace grown, heaps settled.
    static let warmUpSteps = 500

    @Test("training steps on buffers, NCHW and NHWC in turn, keep resident memory flat and release every wrapper")
    func soak() throws {
        let text = try #require(SoakRequest.steps)
        let steps = try #require(Int(text).flatMap { $0 >= 1 ? $0 : nil }, "BN_SOAK_STEPS=\(text) is no positive step count")
        let ledger: ResourceLedger
        let report: String
        do {
            let backend = try OpenCLBackend(device: Device.select(TestBackends.deviceQuery), isProfilingEnabled: false,
                                            forcesWideIndices: false)
            ledger = backend.context.ledger
            var loop = [try TrainingStep(backend: backend, testCase: TestCase("soak", TensorShape(n: 16, c: 8, h: 8, w: 8))),
                        try TrainingStep(backend: backend,
                                         testCase: TestCase("soak", TensorShape(n: 16, c: 8, h: 8, w: 8, layout: .nhwc)))]
            for step in 0..<Self.warmUpSteps {
                try loop[step % 2].run()
                try backend.synchronize()
            }
            let firstOutputs = try loop.map { try $0.outputs() }
            let warm = ledger.counts
            let before = try #require(ResidentMemory.bytes(), "no /proc/self/statm")
            var peak = before
            for step in 0..<steps {
                try loop[step % 2].run()
                try backend.synchronize()
                if step % 1000 == 999 { peak = max(peak, ResidentMemory.bytes() ?? 0) }
            }
            let after = try #require(ResidentMemory.bytes())
            peak = max(peak, after)
            // The inputs never change and the outputs do not depend on the running statistics.
            #expect(try loop.map { try $0.outputs() } == firstOutputs, "the last steps' outputs differ from the first ones'")
            #expect(ledger.counts == warm, "live wrappers after the warm-up: \(warm); at the end: \(ledger.counts)")
            #expect(after - before < Self.allowedGrowth,
                    "resident memory grew by \(ResidentMemory.describe(after - before)) over \(steps) steps")
            report = """
                soak: \(steps) steps after \(Self.warmUpSteps) of warm-up, 16×8×8×8 NCHW and NHWC in turn, \
                forward training + backward on buffers; resident memory \(ResidentMemory.describe(before)) → \
                \(ResidentMemory.describe(after)) (growth \(after - before) bytes; \
                peak \(ResidentMemory.describe(peak))); live wrappers \(warm.total) → \(ledger.counts.total) (\(ledger.counts))
                """
        }
        print(report + "; after the backend was dropped: \(ledger.counts.total)")
        #expect(ledger.counts == ResourceLedger.Counts(), "alive after the backend was dropped: \(ledger.counts)")
    }
}
