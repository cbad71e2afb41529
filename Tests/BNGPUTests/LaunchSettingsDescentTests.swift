import BNCore
@testable import BNGPU
import Foundation
import Testing

/// The descent both tuners run, with a cost written in the test instead of a device's timings.
@Suite("Launch settings descent")
struct LaunchSettingsDescentTests {
    static let cpu = OpenCLDeviceInfo(
        index: 0, platform: "test", name: "test CPU", vendor: "test", type: .cpu, computeUnits: 2,
        globalMemoryBytes: 1 << 30, maxAllocationBytes: 1 << 28, localMemoryBytes: 1 << 16, maxWorkGroupSize: 4096,
        version: "OpenCL 1.2", driverVersion: "test")
    static let start = LaunchSettings.heuristic(for: cpu, traversal: .interleaved)

    @Test("a candidate that the last one's time says would end past the deadline is not started")
    func deadlineCountsTheNextCandidate() {
        // Each costing takes 200 ms and the budget is 300 ms: the start ends at 200 ms or later, and a
        // candidate started then would end at 400 ms, so none starts. Checking only that the
        // deadline had not passed started one at 200 ms and ran to 400 ms.
        let began = ContinuousClock.now
        var costed = 0
        let descent = LaunchSettings.descend(from: Self.start, device: Self.cpu, knobs: LaunchSettings.budgetKnobOrder,
                                             deadline: began + .milliseconds(300)) { _ in
            costed += 1
            Thread.sleep(forTimeInterval: 0.2)
            return 1
        }
        #expect(costed == 1)
        #expect(descent.tried == 1)
        #expect(descent.best == Self.start)
    }

    @Test("with time to spare, every candidate of every knob is costed once and the cheapest kept")
    func everyCandidateWithoutDeadline() {
        var costed: [LaunchSettings] = []
        // Cheaper the wider the span and the larger the chunk: the descent must end at both maxima.
        let descent = LaunchSettings.descend(from: Self.start, device: Self.cpu, knobs: [.interleavedSpan, .valuesPerChunk],
                                             deadline: .now + .seconds(3600)) { settings in
            costed.append(settings)
            return 1 / Double(settings.interleavedSpan * settings.valuesPerChunk)
        }
        let spans = LaunchSettingsKnob.interleavedSpan.candidates(for: Self.cpu)
        let chunks = LaunchSettingsKnob.valuesPerChunk.candidates(for: Self.cpu)
        #expect(descent.best.interleavedSpan == spans.max())
        #expect(descent.best.valuesPerChunk == chunks.max())
        // the start, then each other value of each knob
        #expect(descent.tried == 1 + (spans.count - 1) + (chunks.count - 1))
        #expect(costed.count == descent.tried)
        #expect(Set(costed).count == costed.count)
    }
}
