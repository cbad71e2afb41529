import BatchNorm
@testable import bn_train
import BNTestSupport
import Testing

/// `--normalization renorm`: three networks from the same weights on the same batches, batch renorm's
/// limits following the scaled ramp, and the three-way last line.
@Suite("bn-train with batch renorm")
struct RenormTrainingTests {
    /// TrainingTests' small circles run, 10 epochs of 15 batches, with all three networks.
    static func experiment() -> Experiment {
        var experiment = TrainingTests.experiment(epochs: 10)
        experiment.networks = NormalizationChoice.renorm.networks
        return experiment
    }

    @Test("the ramp scales to the run: batch norm for an eighth, dMax 5 at 25/40, rMax 3 at the end")
    func schedule() {
        let schedule = RenormSchedule(totalSteps: 800)
        #expect(schedule.warmUpSteps == 100 && schedule.rMaxSteps == 800 && schedule.dMaxSteps == 500)
        #expect(schedule.limits(atStep: 0) == .batchNorm && schedule.limits(atStep: 100) == .batchNorm)
        #expect(schedule.limits(atStep: 300) == Renormalization(rMax: 1 + 2 * 200 / 700, dMax: 5 * 200 / 400))
        #expect(schedule.limits(atStep: 500).dMax == 5 && schedule.limits(atStep: 800) == Renormalization(rMax: 3, dMax: 5))
        #expect(schedule.limits(atStep: 900) == Renormalization(rMax: 3, dMax: 5))
        #expect(Self.experiment().totalSteps == 150 && Self.experiment().renormSchedule.warmUpSteps == 18)
    }

    @Test("setting the network's renormalization sets every batch norm's, and nothing on the others")
    func networkRenormalization() throws {
        let layers = Self.experiment().initialLayers()
        let network = try Perceptron(layers: layers, activation: .sigmoid, batchNorm: CPUBackend(), options: BatchNormOptions())
        #expect(network.renormalization == nil)
        network.renormalization = Renormalization(rMax: 2, dMax: 1)
        #expect(network.norms.count == 2 && network.norms.allSatisfy { $0.options.renormalization == Renormalization(rMax: 2, dMax: 1) })
    }

    @Test("all three networks learn; batch renorm is batch norm during the warm-up and differs after it",
          arguments: TrainingTests.backends)
    func threeNetworks(backend: String) throws {
        var lines = [String]()
        let outcome = backend == "cpu" ? try Self.experiment().run(on: CPUBackend()) { lines.append($0) }
            : try Self.experiment().run(on: TestBackends.openCL()) { lines.append($0) }
        let report = outcome.report
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.contains("with batch renorm: loss") && $0.contains("|  with batch norm: loss") && $0.contains("|  without: loss") })
        #expect(report.kinds == [.batchRenorm, .batchNorm, .plain])
        // Seed 3's losses on the CPU reference: 0.93 → 0.18 with batch renorm, 0.93 → 0.37 with batch norm, 0.77 → 0.63
        // without (the mean of the last three epochs): each falls by more than a tenth.
        for network in report.networks {
            let losses = network.history.epochs.map(\.loss)
            let first = losses[0], last = losses.suffix(3).reduce(0, +) / 3
            #expect(last < 0.9 * first, "\(network.history.label): loss \(first) → \(last)")
        }
        let renorm = try #require(report[.batchRenorm]), batchNorm = try #require(report[.batchNorm])
        // Epoch 1 is steps 0 to 14, inside the 18-step warm-up, where the limits are batch norm's bit for bit.
        #expect(renorm.epochs[0] == batchNorm.epochs[0])
        #expect(renorm.epochs.last != batchNorm.epochs.last)
        #expect(CommandLineTests.isAccuracyLine(finalLine(report)), "\(finalLine(report))")
    }

    @Test("the three-way last line lists each network's last held-out accuracy, as percent prints it")
    func lastLine() {
        func history(_ accuracies: [Double]) -> TrainingHistory {
            TrainingHistory(label: "", epochs: accuracies.enumerated().map {
                EpochRecord(epoch: $0 + 1, loss: 1, trainingAccuracy: 0.5, heldOutAccuracy: $1)
            }, probes: [], epochsToTarget: nil)
        }
        var report = ExperimentReport(dataset: "digits", targetAccuracy: 0.9, networks: [
            ReportNetwork(kind: .batchRenorm, history: history([0.5, 0.973])),
            ReportNetwork(kind: .batchNorm, history: history([0.9, 0.05])),
            ReportNetwork(kind: .plain, history: history([1])),
        ], caption: "")
        #expect(percent(0.05) == "  5.0 %")
        #expect(finalLine(report) == "held-out accuracy in inference mode: batch renorm 97.3 %, batch norm 5.0 %, none 100.0 %")
        report.networks.removeFirst(2)
        #expect(finalLine(report) == "held-out accuracy in inference mode: none 100.0 %")
    }
}
