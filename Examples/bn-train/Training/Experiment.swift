import BatchNorm
import Foundation

/// One comparison: the same network trained with each kind of normalization in ``networks``, from the
/// same initial weights, on the same batches.
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
    /// The batch norms' options; the batch-renorm network's renormalization limits follow
    /// ``renormSchedule`` on top of them.
    var options: BatchNormOptions
    /// The batch sizes at which the batch-norm network's held-out accuracy is also measured with
    /// batch statistics, besides the running statistics.
    var evaluationBatchSizes: [Int]
    /// The networks trained, in the order the log and the report list them: batch norm and none
    /// unless a run asks for others.
    var networks: [NetworkKind] = [.batchNorm, .plain]
    /// The multilayer perceptron, or the convolutional network whose blocks have ``hidden`` channels.
    var model: ModelChoice = .mlp
    /// Where the convolutional network's maps put their channels.
    var layout: TensorLayout = .nchw
    /// How the batch norms store the tensors they read and write.
    var storage: ElementType = .float32

    /// What a run found.
    struct Outcome {
        var report: ExperimentReport
        /// The batch-norm network's held-out accuracy with batch statistics, per evaluation batch
        /// size; empty when the run did not train that network.
        var batchStatisticsAccuracy: [(batchSize: Int, accuracy: Double)]
        /// The convolutional network's evaluation with its batch norms folded into the convolutions,
        /// per network that has batch norms; empty for the perceptron.
        var folded: [(kind: NetworkKind, evaluation: FoldedEvaluation)] = []

        /// A network's held-out accuracy with running statistics (inference mode), as the last
        /// epoch measured it.
        /// - Parameter kind: Which network.
        /// - Returns: The accuracy in [0, 1]; NaN when the run did not train it.
        func inferenceAccuracy(_ kind: NetworkKind) -> Double {
            report[kind]?.epochs.last?.heldOutAccuracy ?? .nan
        }
    }

    /// Every layer's width, input and classes included: [2, 32, 32, 2].
    var widths: [Int] { [data.training.inputs.columns] + hidden + [data.training.classes] }

    /// The network's shape and training, for titles: "2→32→32→2 sigmoid MLP, batch 60, ..." or
    /// "1×8×8→conv 8→conv 16→pool→10 relu conv net (nchw, f16), batch 60, ...".
    var caption: String {
        let batches = (settings.batches == .nonIID ? " (two classes each)" : "")
            + (options.virtualBatchSize.map { ", virtual batches of \($0)" } ?? "")
        let network = switch model {
        case .mlp: "\(widths.map(String.init).joined(separator: "→")) \(activation) MLP"
        case .conv: "1×\(imageSide)×\(imageSide)→" + hidden.map { "conv \($0)" }.joined(separator: "→")
            + "→pool→\(data.training.classes) relu conv net (\(layout), \(storage))"
        }
        return "\(network), batch \(settings.batchSize)\(batches), "
            + "learning rate \(settings.learningRate), initial weights N(0, \(initialScale)²), seed \(settings.seed)"
    }

    /// The side of the square one-channel images the convolutional network takes: √inputs.
    var imageSide: Int { Int(Double(data.training.inputs.columns).squareRoot().rounded()) }

    /// The initial convolutions and dense layer of the convolutional network, drawn from the seed:
    /// every network starts from copies of them.
    func initialConvolutions() -> (convolutions: [Convolution], output: DenseLayer) {
        var random = SeededRandom(seed: settings.seed, stream: .weights)
        let channels = [1] + hidden
        let convolutions = zip(channels, channels.dropFirst()).map {
            Convolution(inputs: $0, outputs: $1, scale: initialScale, using: &random)
        }
        let pooledSide = imageSide / 2
        let output = DenseLayer(inputs: hidden[hidden.count - 1] * pooledSide * pooledSide, outputs: data.training.classes,
                                scale: initialScale, using: &random)
        return (convolutions, output)
    }

    /// The initial dense layers, drawn from the seed: every network starts from copies of them.
    func initialLayers() -> [DenseLayer] {
        var random = SeededRandom(seed: settings.seed, stream: .weights)
        return zip(widths, widths.dropFirst()).map {
            DenseLayer(inputs: $0, outputs: $1, scale: initialScale, using: &random)
        }
    }

    /// The training steps of the whole run: every epoch's batches, the same for every network.
    var totalSteps: Int {
        (1...settings.epochs).reduce(0) { steps, epoch in
            steps + data.training.batches(size: settings.batchSize, sampling: settings.batches,
                                          seed: settings.seed, epoch: epoch).count
        }
    }

    /// The batch-renorm network's limits per step: the paper's ramp scaled to ``totalSteps``.
    var renormSchedule: RenormSchedule { RenormSchedule(totalSteps: totalSteps) }

    /// Trains every network of ``networks`` epoch by epoch, side by side.
    /// - Parameters:
    ///   - backend: Where the batch norms run.
    ///   - log: Receives one line per epoch.
    /// - Returns: The histories and the final accuracies.
    /// - Throws: What a batch norm pass throws.
    func run<Backend: BatchNormBackend>(on backend: Backend, log: (String) -> Void) throws -> Outcome {
        switch model {
        case .mlp:
            let layers = initialLayers()
            return try train(log: log) { kind in
                try Perceptron(layers: layers, activation: activation, batchNorm: kind.isNormalized ? backend : nil,
                               options: options, storage: storage)
            }.outcome
        case .conv:
            let (convolutions, output) = initialConvolutions()
            var (outcome, trainers) = try train(log: log) { kind in
                try ConvNet(convolutions: convolutions, output: output, layout: layout, imageSide: imageSide,
                            batchNorm: kind.isNormalized ? backend : nil, options: options, storage: storage)
            }
            outcome.folded = try zip(networks, trainers).filter { $0.0.isNormalized }.map { kind, trainer in
                (kind, try FoldedEvaluation(trainer.network, on: data.heldOut))
            }
            return outcome
        }
    }

    /// Trains a network of each kind of ``networks``, made by `make` (from the same initial weights),
    /// epoch by epoch, side by side.
    private func train<Network: TrainableNetwork>(
        log: (String) -> Void, make: (NetworkKind) throws -> Network
    ) throws -> (outcome: Outcome, trainers: [NetworkTrainer<Network>]) {
        let schedule = networks.contains(.batchRenorm) ? renormSchedule : nil
        let trainers = try networks.map { kind in
            try NetworkTrainer(network: make(kind), data: data, settings: settings, label: kind.label,
                               schedule: kind == .batchRenorm ? schedule : nil)
        }
        for epoch in 1...settings.epochs {
            let records = try trainers.map { try $0.runEpoch(epoch) }
            let parts = zip(networks, records).map { "\($0.logName): \(describe($1))" }
            log("epoch \(pad(epoch, to: settings.epochs))  " + parts.joined(separator: "  |  "))
        }
        let report = ExperimentReport(
            dataset: datasetName, targetAccuracy: settings.targetAccuracy,
            networks: zip(networks, trainers).map { ReportNetwork(kind: $0, history: $1.history) }, caption: caption)
        let normalized = networks.firstIndex(of: .batchNorm).map { trainers[$0].network }
        let outcome = Outcome(report: report, batchStatisticsAccuracy: try normalized.map { network in
            try evaluationBatchSizes.map { ($0, try network.batchStatisticsAccuracy(data.heldOut, batchSize: $0)) }
        } ?? [])
        return (outcome, trainers)
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
