import BatchNorm
import Foundation

/// One comparison: the same network trained with and without batch norm, from the same initial
/// weights, on the same batches.
struct Experiment: Sendable {
    /// `circles` or `digits`.
    var datasetName: String
    var data: DatasetSplit
    /// The widths of the hidden layers.
    var hidden: [Int]
    var activation: Activation
    /// The standard deviation of the Gaussian initial weights.
    var initialScale: Double
    var settings: TrainingSettings
    /// The batch norms' options.
    var options: BatchNormOptions
    /// The batch sizes at which the batch-norm network's held-out accuracy is also measured with
    /// batch statistics, besides the running statistics.
    var evaluationBatchSizes: [Int]

    /// What a run found.
    struct Outcome {
        var report: ExperimentReport
        /// The batch-norm network's held-out accuracy with batch statistics, per evaluation batch size.
        var batchStatisticsAccuracy: [(batchSize: Int, accuracy: Double)]

        /// The batch-norm network's held-out accuracy with running statistics (inference mode),
        /// as the last epoch measured it.
        var inferenceAccuracy: Double { report.withBatchNorm.epochs.last?.heldOutAccuracy ?? .nan }
        /// The network without batch norm's held-out accuracy, as the last epoch measured it.
        var plainAccuracy: Double { report.withoutBatchNorm.epochs.last?.heldOutAccuracy ?? .nan }
    }

    /// Every layer's width, input and classes included: [2, 32, 32, 2].
    var widths: [Int] { [data.training.inputs.columns] + hidden + [data.training.classes] }

    /// The network's shape and training, for titles: "2→32→32→2 sigmoid MLP, batch 60, ...".
    var caption: String {
        "\(widths.map(String.init).joined(separator: "→")) \(activation) MLP, batch \(settings.batchSize), "
            + "learning rate \(settings.learningRate), initial weights N(0, \(initialScale)²), seed \(settings.seed)"
    }

    /// The initial dense layers, drawn from the seed: both networks start from copies of them.
    func initialLayers() -> [DenseLayer] {
        var random = SeededRandom(seed: settings.seed, stream: .weights)
        return zip(widths, widths.dropFirst()).map {
            DenseLayer(inputs: $0, outputs: $1, scale: initialScale, using: &random)
        }
    }

    /// Trains both networks epoch by epoch, side by side.
    /// - Parameters:
    ///   - backend: Where the batch norms run.
    ///   - log: Receives one line per epoch.
    /// - Returns: The histories and the final accuracies.
    /// - Throws: What a batch norm pass throws.
    func run<Backend: BatchNormBackend>(on backend: Backend, log: (String) -> Void) throws -> Outcome {
        let layers = initialLayers()
        let normalized = try NetworkTrainer(
            network: Perceptron(layers: layers, activation: activation, batchNorm: backend, options: options),
            data: data, settings: settings, label: "with batch norm")
        let plain = try NetworkTrainer(
            network: Perceptron<Backend>(layers: layers, activation: activation, batchNorm: nil, options: options),
            data: data, settings: settings, label: "without batch norm")
        for epoch in 1...settings.epochs {
            let with = try normalized.runEpoch(epoch), without = try plain.runEpoch(epoch)
            log("epoch \(pad(epoch, to: settings.epochs))  with batch norm: \(describe(with))  |  without: \(describe(without))")
        }
        let report = ExperimentReport(dataset: datasetName, targetAccuracy: settings.targetAccuracy,
                                      withBatchNorm: normalized.history, withoutBatchNorm: plain.history, caption: caption)
        return Outcome(report: report, batchStatisticsAccuracy: try evaluationBatchSizes.map {
            ($0, try normalized.network.batchStatisticsAccuracy(data.heldOut, batchSize: $0))
        })
    }

    private func describe(_ record: EpochRecord) -> String {
        "loss \(fixed(record.loss, 4)), accuracy \(percent(record.trainingAccuracy)), held-out \(percent(record.heldOutAccuracy))"
    }

    private func pad(_ value: Int, to largest: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(String(largest).count - text.count, 0)) + text
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// A fraction as a percentage with one decimal, right-aligned: " 91.2 %".
func percent(_ fraction: Double) -> String {
    String(format: "%5.1f %%", fraction * 100)
}
