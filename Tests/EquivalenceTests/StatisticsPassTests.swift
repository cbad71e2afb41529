import BatchNorm
import BNTestSupport
import Testing

/// The statistics pass (`kernels/bn_statistics.cl` → `Passes/StatisticsPass.swift`, and the CPU
/// reference's training pass): a training pass's mean, invStd and running statistics on every
/// backend, each against float64 directly, over the grid's shapes in both modes; a single value per
/// feature is refused and leaves the running statistics as they were.
@Suite("Statistics pass: mean, invStd and running statistics against float64")
struct StatisticsPassTests {
    @Test("training statistics", arguments: BackendKind.available, GridCase.all)
    func training(kind: BackendKind, gridCase: GridCase) throws {
        try PassChecks(kind).forwardTraining(testCase: gridCase.testCase, mode: gridCase.mode, checking: .statistics)
    }
}
