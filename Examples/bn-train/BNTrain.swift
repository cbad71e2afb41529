import ArgumentParser
import BatchNorm
import BNToolSupport
import Foundation

/// `bn-train`: trains one network with batch norm and one without (and, if asked, one with batch
/// renorm), from the same initial weights on the same batches, and reports how many epochs each
/// needs to reach a target accuracy, or how accurate each ends.
@main
struct BNTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bn-train",
        abstract: "Train an MLP or a convolutional network with and without batch norm and compare how fast each learns.",
        discussion: """
            Each hidden layer is dense → batch norm → activation (dense → activation without batch norm); \
            the output layer feeds a softmax cross-entropy loss; every network takes plain SGD steps. \
            `--model conv` trains instead, on the digits, 3×3 convolution → batch norm → ReLU blocks (8 \
            and 16 channels; batch norm and ReLU one fused pass), 2×2 max pooling and a dense layer, in \
            `--layout nchw` or `nhwc`, and after training evaluates each batch norm network once in \
            inference mode and once folded into its convolutions. `--dtype f16` or `bf16` stores the \
            tensors the batch norms read and write in half precision. \
            The last line reads `epochs to N% accuracy: with batch norm A, without B`, counting epochs \
            until the held-out accuracy (inference mode, running statistics) first reaches N %.

            `--normalization renorm` also trains a network with batch renorm (Ioffe 2017) and ends with \
            `held-out accuracy in inference mode: batch renorm A %, batch norm B %, none C %`, the last \
            epoch's. Its limits follow the paper's ramp scaled to the run: batch norm for the first \
            eighth of the steps, then rMax rising from 1 to 3 at the last step and dMax from 0 to 5 at \
            25/40 of the steps (the paper: 5,000, 40,000 and 25,000 steps). `--normalization none` \
            trains only the network without batch norm.

            `--batches non-iid` takes each batch half from one class and half from another (the \
            paper's non-i.i.d. batches): each epoch shuffles each class, then repeatedly pairs the \
            class with the most examples left with a random other that still has half a batch, until \
            no two classes have. Held-out accuracy is measured on all classes together.
            """)

    @Option(help: "mlp (a multilayer perceptron) or conv (a convolutional network on the digits).")
    var model: ModelChoice = .mlp

    @Option(name: .customLong("dataset"), help: "circles (two classes, generated from the seed) or digits (1,797 handwritten 8×8 images); default: circles for mlp, digits for conv.")
    var datasetChoice: DatasetChoice?

    @Option(help: "conv: where the maps put their channels, nchw or nhwc.")
    var layout: LayoutChoice?

    @Option(help: "How the batch norms store the tensors they read and write: f32, f16 or bf16 (statistics and parameters stay f32).")
    var dtype: StorageChoice = .f32

    @Option(help: "Where batch norm runs: auto, cpu or opencl.")
    var backend: BackendOption = .auto

    @Option(help: "The OpenCL device: an index or a substring of its name (else BN_OPENCL_DEVICE, else the first GPU).")
    var device: String?

    @Option(help: "Seeds the data, the split, the initial weights and the batch order.")
    var seed: UInt64 = 1

    @Option(help: "Epochs to train each network (default: 200 for circles, 100 for digits, 15 for conv).")
    var epochs: Int?

    @Option(help: "The held-out accuracy, in percent, that the last line counts epochs to.")
    var target: Double = 90

    @Option(help: "The SGD step size (default: 0.1 for circles, 0.5 for digits, 0.05 for conv).")
    var learningRate: Float?

    @Option(help: "Examples per training step.")
    var batchSize: Int = 60

    @Option(help: "batch (batch norm against none), renorm (batch renorm, batch norm and none) or none (no normalization only).")
    var normalization: NormalizationChoice = .batch

    @Option(help: "iid (shuffled batches) or non-iid (each batch half from one class and half from another; needs an even --batch-size).")
    var batches: BatchSampling = .iid

    @Option(help: "Virtual batches (ghost batch norm): the batch norms of a training step normalize each group of V consecutive examples of the batch with the group's statistics; V must divide --batch-size and be at least 2. Default: the whole batch.")
    var virtualBatch: Int?

    @Option(help: "Comma-separated hidden-layer widths, or conv's block channels (default: 32,32 for circles; 100,100,100 for digits; 8,16 for conv).")
    var hidden: String?

    @Option(name: .customLong("activation"), help: "The hidden layers' activation: sigmoid (the default), tanh or relu; conv's is relu, fused into its batch norms.")
    var activationChoice: Activation?

    @Option(help: "The standard deviation of the Gaussian initial weights (default: 0.5 for circles, 0.1 for digits and conv).")
    var initialScale: Double?

    @Option(help: "The batch norms' momentum, PyTorch's convention: the weight of each new batch.")
    var momentum: Float = 0.1

    @Option(help: "Circles: training points (half as many are held out).")
    var samples: Int = 1000

    @Option(help: "Circles: the standard deviation of the noise on each coordinate.")
    var noise: Double = 0.1

    @Option(help: "Circles: the inner circle's radius as a fraction of the outer one's.")
    var factor: Double = 0.5

    @Option(help: "Digits: the share of images held out, in percent.")
    var heldOut: Double = 25

    @Option(help: "The last-hidden-layer unit (conv: the last block's channel) whose input distribution is recorded.")
    var probeUnit: Int = 0

    @Option(help: "The folder for the SVG plots and their CSV data.")
    var output: String = "bn-train-output"

    @Flag(help: "Write no plots.")
    var noPlots = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard target > 0, target <= 100 else { throw ValidationError("--target is a percentage in (0, 100], got \(target)") }
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("--learning-rate must be positive and finite, got \(learningRate)")
        }
        guard batchSize >= 2 else {
            throw ValidationError("--batch-size must be at least 2: batch norm needs two values per feature for a variance, got \(batchSize)")
        }
        if let virtualBatch, !(virtualBatch >= 2 && batchSize % virtualBatch == 0) {
            throw ValidationError("--virtual-batch must divide --batch-size \(batchSize) and be at least 2 (two values per feature for a variance); got \(virtualBatch)")
        }
        guard batches == .iid || batchSize % 2 == 0 else {
            throw ValidationError("--batch-size must be even with --batches non-iid, which takes half of each batch from each of two classes; got \(batchSize)")
        }
        if model == .conv {
            guard dataset == .digits else {
                throw ValidationError("--model conv trains on images: give --dataset digits (the default for conv), not \(dataset.rawValue)")
            }
            if let activationChoice, activationChoice != .relu {
                throw ValidationError("--model conv's blocks end in a ReLU fused into their batch norms; --activation \(activationChoice.rawValue) is for --model mlp")
            }
        } else if let layout {
            throw ValidationError("--layout \(layout.rawValue) lays out the maps of --model conv; an MLP's batches are N×C")
        }
        guard let widths = hiddenWidths else {
            throw ValidationError("--hidden takes comma-separated widths of at least 1, such as 100,100,100; got \"\(hidden ?? "")\"")
        }
        if let initialScale, !(initialScale.isFinite && initialScale > 0) {
            throw ValidationError("--initial-scale must be positive and finite, got \(initialScale)")
        }
        guard momentum.isFinite, (0...1).contains(momentum) else { throw ValidationError("--momentum must lie in [0, 1], got \(momentum)") }
        guard samples >= 2 * batchSize || dataset != .circles else {
            throw ValidationError("--samples must be at least twice --batch-size (\(2 * batchSize)), got \(samples)")
        }
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be finite and not negative, got \(noise)") }
        guard factor > 0, factor < 1 else { throw ValidationError("--factor lies in (0, 1), got \(factor)") }
        guard heldOut > 0, heldOut < 100 else { throw ValidationError("--held-out is a percentage in (0, 100), got \(heldOut)") }
        guard (0..<widths[widths.count - 1]).contains(probeUnit) else {
            throw ValidationError("--probe-unit must lie in 0..<\(widths[widths.count - 1]), the last hidden layer's width; got \(probeUnit)")
        }
        guard !output.isEmpty || noPlots else { throw ValidationError("--output must name a folder") }
    }

    /// The data set asked for, or the model's: the circles for the perceptron, the digits for the
    /// convolutional network.
    var dataset: DatasetChoice { datasetChoice ?? (model == .conv ? .digits : .circles) }

    /// What the options not given take, for this model and data set.
    var defaults: TrainingDefaults { model.defaults(for: dataset) }

    /// The hidden layers' activation asked for, or the model's.
    var activation: Activation { activationChoice ?? defaults.activation }

    /// The hidden widths asked for, or the defaults; nil when `--hidden` does not parse.
    var hiddenWidths: [Int]? { hidden.map(parseWidths) ?? defaults.hidden }

    func run() throws {
        let experiment = try makeExperiment()
        let side = experiment.imageSide
        let shape = model == .conv
            ? TensorShape(n: batchSize, c: experiment.hidden[0], h: side, w: side, layout: experiment.layout)
            : TensorShape(n: batchSize, c: experiment.hidden[0])
        let backend = try self.backend.make(for: shape, device: device)
        print("bn-train: \(experiment.data.description)")
        print("network: \(experiment.caption); batch norm on \(backend.name)")
        if experiment.networks.contains(.batchRenorm) {
            let schedule = experiment.renormSchedule
            print("batch renorm: batch norm for \(schedule.warmUpSteps) steps, then rMax 1 → 3 at step \(schedule.rMaxSteps) "
                + "and dMax 0 → 5 at step \(schedule.dMaxSteps)")
        }
        let start = ContinuousClock.now
        let outcome = try experiment.run(on: backend) { print($0) }
        let elapsed = ContinuousClock.now - start
        print(summary(of: outcome))
        for (kind, evaluation) in outcome.folded { print(foldedSummary(kind, evaluation)) }
        if !noPlots {
            let paths = try ReportWriter.write(outcome.report, to: output)
            print("plots and their data: \(paths.joined(separator: ", "))")
        }
        let trained = [1: "the network", 2: "both networks"][experiment.networks.count] ?? "all \(experiment.networks.count) networks"
        print("trained \(trained) in \(fixed(elapsed / .seconds(1), 1)) s")
        print(finalLine(outcome.report))
    }

    /// The experiment the options describe.
    func makeExperiment() throws -> Experiment {
        let data: DatasetSplit
        switch dataset {
        case .circles:
            data = ConcentricCircles(factor: factor, noise: noise).split(training: samples, heldOut: samples / 2, seed: seed)
        case .digits:
            data = Digits.split(try Digits.load(), heldOutFraction: heldOut / 100, seed: seed)
        }
        let widths = hiddenWidths ?? defaults.hidden
        let epochs = self.epochs ?? defaults.epochs
        let steps = epochs * max(data.training.count / batchSize, 1)
        let settings = TrainingSettings(
            epochs: epochs, batchSize: batchSize, learningRate: learningRate ?? defaults.learningRate,
            targetAccuracy: target / 100, probeUnit: probeUnit,
            // About 200 records over the run: enough for a smooth curve, few enough to cost nothing.
            // The convolutional network's probe passes cost 7 training steps' forward passes each,
            // so it takes 50.
            probeInterval: max(steps / (model == .conv ? 50 : 200), 1), seed: seed, batches: batches)
        // the report's files and titles: "digits" for the MLP, "digits-conv" for the convolutional network
        let name = model == .conv ? "\(dataset.rawValue)-conv" : dataset.rawValue
        let experiment = Experiment(datasetName: name, data: data, hidden: widths, activation: activation,
                                    initialScale: initialScale ?? defaults.initialScale, settings: settings,
                                    options: BatchNormOptions(momentum: momentum, virtualBatchSize: virtualBatch),
                                    evaluationBatchSizes: [batchSize, 2],
                                    networks: normalization.networks, model: model,
                                    layout: layout?.layout ?? .nchw, storage: dtype.elementType)
        guard !data.training.batches(size: batchSize, sampling: batches, seed: seed, epoch: 1).isEmpty else {
            throw ValidationError("--batches non-iid needs two classes with at least \(batchSize / 2) training examples each "
                + "(half of --batch-size \(batchSize)); give a smaller --batch-size")
        }
        return experiment
    }
}

/// The held-out accuracies after training, in the modes that show why running statistics exist:
/// each network's in inference mode, and the batch-norm network's with batch statistics.
/// - Parameter outcome: What the run found.
/// - Returns: A heading and one line per measurement, the values in one column.
func summary(of outcome: Experiment.Outcome) -> String {
    let kinds = outcome.report.kinds
    // The value column: where the batch-statistics lines of the longest label put it; the running
    // statistics' lines end one character before it, as the two-network summary always had them.
    let column = 2 + (kinds.filter(\.isNormalized).map(\.label.count).max() ?? NetworkKind.batchNorm.label.count) + 41
    func padded(_ text: String, to width: Int = column) -> String {
        text + String(repeating: " ", count: max(width - text.count, 1))
    }
    var lines = ["held-out accuracy after training:"]
    for kind in kinds {
        let accuracy = percent(outcome.inferenceAccuracy(kind))
        guard kind.isNormalized else {
            lines.append(padded("  \(kind.label):") + accuracy)
            continue
        }
        lines.append(padded("  \(kind.label), running statistics (inference mode):", to: column - 1) + accuracy)
        guard kind == .batchNorm else { continue }
        for (size, accuracy) in outcome.batchStatisticsAccuracy {
            lines.append(padded("  \(kind.label), batch statistics over batches of \(size):") + percent(accuracy))
        }
    }
    return lines.joined(separator: "\n")
}

/// The folded evaluation of one network, in one line: "batch norm folded into the convolutions:
/// held-out accuracy 97.1 % (inference mode 97.1 %), largest logit difference 2.1e-06 of logits up to 14.2".
func foldedSummary(_ kind: NetworkKind, _ evaluation: FoldedEvaluation) -> String {
    "\(kind.shortName) folded into the convolutions: held-out accuracy "
        + percent(evaluation.foldedAccuracy).trimmingCharacters(in: .whitespaces)
        + " (inference mode " + percent(evaluation.inferenceAccuracy).trimmingCharacters(in: .whitespaces)
        + "), largest logit difference \(String(format: "%.1e", evaluation.largestDifference)) "
        + "of logits up to \(fixed(evaluation.largestLogit, 1))"
}

/// The run's last line. For batch norm against none, `epochs to 90% accuracy: with batch norm A,
/// without B`, B or A being `not reached` when so; for any other set of networks, each one's last
/// held-out accuracy in inference mode: `held-out accuracy in inference mode: batch renorm 97.3 %,
/// batch norm 96.1 %, none 94.0 %`.
/// - Parameter report: The run's histories.
/// - Returns: The line.
func finalLine(_ report: ExperimentReport) -> String {
    if report.kinds == [.batchNorm, .plain], let with = report[.batchNorm], let without = report[.plain] {
        let target = report.targetAccuracy * 100
        let text = target.rounded() == target ? String(Int(target)) : String(target)
        func count(_ history: TrainingHistory) -> String { history.epochsToTarget.map(String.init) ?? "not reached" }
        return "epochs to \(text)% accuracy: with batch norm \(count(with)), without \(count(without))"
    }
    let accuracies = report.networks.map { network in
        let accuracy = network.history.epochs.last?.heldOutAccuracy ?? .nan
        return "\(network.kind.shortName) \(percent(accuracy).trimmingCharacters(in: .whitespaces))"
    }
    return "held-out accuracy in inference mode: " + accuracies.joined(separator: ", ")
}
