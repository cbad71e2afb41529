import BNTestSupport
import Foundation
@testable import bn_train

/// Synthetic histories that look like a real run: the loss falls like an exponential decay and the
/// accuracy rises with noise, faster with batch norm; without batch norm the probed unit's input
/// drifts and spreads, with it the input stays put.
enum ReportFixture {
    /// The caption every fixture carries.
    static let caption = "digits, MLP 64-100-100-100-10 (sigmoid), batch 60, learning rate 0.5, seed 1"

    /// A report of `epochs` epochs and `probes` probes, a seeded generator's noise on each value.
    /// - Parameters:
    ///   - epochs: Epochs per network.
    ///   - probes: Probe records per network, 50 steps apart from step 0.
    ///   - target: The target accuracy, a fraction.
    ///   - caption: The caption.
    /// - Returns: The report, with `epochsToTarget` found from the held-out accuracies.
    static func report(epochs: Int = 100, probes: Int = 101, target: Double = 0.9,
                       caption: String = ReportFixture.caption) -> ExperimentReport {
        var random = SeededGenerator(seed: 2015)
        let batchNorm = history("with batch norm", epochs: epochs, probes: probes, target: target,
                                learningTime: 5, ceiling: 0.985, drift: 0, spreadGrowth: 0, random: &random)
        let plain = history("without batch norm", epochs: epochs, probes: probes, target: target,
                            learningTime: 25, ceiling: 0.95, drift: -3, spreadGrowth: 1.5, random: &random)
        return ExperimentReport(dataset: "digits", targetAccuracy: target,
                                networks: [ReportNetwork(kind: .batchNorm, history: batchNorm),
                                           ReportNetwork(kind: .plain, history: plain)],
                                caption: caption)
    }

    /// One network's history.
    /// - Parameters:
    ///   - learningTime: Epochs for the loss to fall by a factor e and the accuracy to close that much of its gap.
    ///   - ceiling: The accuracy approached.
    ///   - drift: How far the probed input's median moves over the run.
    ///   - spreadGrowth: How much its 15th–85th spread grows over the run.
    private static func history(_ label: String, epochs: Int, probes: Int, target: Double, learningTime: Double,
                                ceiling: Double, drift: Double, spreadGrowth: Double,
                                random: inout SeededGenerator) -> TrainingHistory {
        let chance = 0.1
        let records = (0..<epochs).map { index in
            let epoch = index + 1
            let progress = 1 - exp(-Double(epoch) / learningTime)
            let heldOut = min(chance + (ceiling - chance) * progress + 0.008 * random.normal(), 1)
            let training = min(heldOut + 0.01 + 0.005 * random.normal(), 1)
            let loss = 2.3 * exp(-Double(epoch) / learningTime) + 0.08 + 0.01 * abs(random.normal())
            return EpochRecord(epoch: epoch, loss: loss, trainingAccuracy: training, heldOutAccuracy: heldOut)
        }
        let probeRecords = (0..<probes).map { index in
            let fraction = probes > 1 ? Double(index) / Double(probes - 1) : 0
            let median = drift * (1 - exp(-3 * fraction)) + 0.05 * random.normal()
            let spread = 1 + spreadGrowth * fraction
            return ProbeRecord(step: 50 * index, mean: median + 0.1 * spread, p15: median - spread,
                               p50: median, p85: median + 1.1 * spread)
        }
        let reached = records.first { $0.heldOutAccuracy >= target }?.epoch
        return TrainingHistory(label: label, epochs: records, probes: probeRecords, epochsToTarget: reached)
    }
}
