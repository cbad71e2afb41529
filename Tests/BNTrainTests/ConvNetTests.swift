import BatchNorm
@testable import bn_train
import BNTestSupport
import Testing

/// The convolutional network as a whole: it trains on each backend, its two layouts agree, its
/// folded evaluation is its inference within the folding bound, and half storage keeps the
/// library's bound.
@Suite("bn-train's convolutional network")
struct ConvNetTests {
    /// 200 training and 60 held-out digits, blocks of 4 and 8 channels, batches of 20: a run a
    /// debug build finishes in seconds. The rate 0.1 (the default run's is 0.05) lets the network
    /// without batch norm move within the run.
    static func experiment(epochs: Int = 3, layout: TensorLayout = .nchw, storage: ElementType = .float32) throws -> Experiment {
        let split = Digits.split(try Digits.load(), heldOutFraction: 0.25, seed: 1)
        let data = DatasetSplit(training: split.training.rows(0..<200), heldOut: split.heldOut.rows(0..<60),
                                description: "200 training and 60 held-out digits")
        return Experiment(
            datasetName: "digits-conv", data: data, hidden: [4, 8], activation: .relu, initialScale: 0.1,
            settings: TrainingSettings(epochs: epochs, batchSize: 20, learningRate: 0.1, targetAccuracy: 0.9,
                                       probeUnit: 0, probeInterval: 10, seed: 1),
            options: BatchNormOptions(), evaluationBatchSizes: [20], model: .conv, layout: layout, storage: storage)
    }

    static let backends = ["cpu"] + (TestBackends.hasOpenCLDevice ? ["opencl"] : [])

    static func run(_ experiment: Experiment, on backend: String) throws -> Experiment.Outcome {
        backend == "cpu" ? try experiment.run(on: CPUBackend()) { _ in }
            : try experiment.run(on: TestBackends.openCL()) { _ in }
    }

    @Test("a short fixed-seed run trains both networks on each backend, and reports the folded evaluation", arguments: backends)
    func shortRun(backend: String) throws {
        let outcome = try Self.run(try Self.experiment(), on: backend)
        for network in outcome.report.networks {
            let losses = network.history.epochs.map(\.loss)
            #expect(losses.count == 3 && losses[2] < losses[0], "\(network.kind): losses \(losses)")
            // a probe of the last block's channel 0 at every position of the 60 held-out images
            #expect(network.history.probes.map(\.step) == [0, 10, 20, 30])
        }
        #expect(outcome.inferenceAccuracy(.batchNorm) > outcome.inferenceAccuracy(.plain))
        let folded = try #require(outcome.folded.first)
        #expect(outcome.folded.count == 1 && folded.kind == .batchNorm)
        #expect(folded.evaluation.inferenceAccuracy == outcome.inferenceAccuracy(.batchNorm))
        #expect(folded.evaluation.foldedAccuracy == folded.evaluation.inferenceAccuracy)
        #expect(folded.evaluation.largestDifference > 0 && folded.evaluation.largestDifference < 1e-4 * folded.evaluation.largestLogit)
    }

    @Test("NCHW and NHWC train the same networks: the same losses within float rounding, the same accuracies")
    func layoutsAgree() throws {
        let planar = try Self.run(try Self.experiment(layout: .nchw), on: "cpu")
        let interleaved = try Self.run(try Self.experiment(layout: .nhwc), on: "cpu")
        for (a, b) in zip(planar.report.networks, interleaved.report.networks) {
            for (x, y) in zip(a.history.epochs, b.history.epochs) {
                #expect(abs(x.loss - y.loss) <= 1e-4 * x.loss, "\(a.kind) epoch \(x.epoch): \(x.loss) against \(y.loss)")
                #expect(abs(x.heldOutAccuracy - y.heldOutAccuracy) <= 1.0 / 60, "\(a.kind) epoch \(x.epoch)")
            }
        }
    }

    /// A network with batch norm after a few training steps, so that γ, β and the running statistics
    /// are no longer their initial values.
    static func trained(_ backend: some BatchNormBackend, layout: TensorLayout, storage: ElementType = .float32,
                        steps: Int = 4) throws -> (ConvNet<some BatchNormBackend>, Experiment) {
        let experiment = try Self.experiment(layout: layout, storage: storage)
        let (convolutions, output) = experiment.initialConvolutions()
        let network = try ConvNet(convolutions: convolutions, output: output, layout: layout, imageSide: 8,
                                  batchNorm: backend, options: BatchNormOptions(), storage: storage)
        for step in 0..<steps {
            _ = try network.trainingStep(experiment.data.training.rows(step * 20..<(step + 1) * 20), learningRate: 0.1)
        }
        return (network, experiment)
    }

    // Each block's folded output against its convolution → batch norm (inference) → ReLU, judged
    // at the magnitude of the terms: M = s·(Σ|W|·|x| + |b| + |mean|) + |β|, s = |γ|/√(var + ε). The
    // folding tests' bound for exact sums is 2u in this metric (u = 2⁻²⁴); the host convolutions
    // here sum K = in·9 products in Float, each within K·u·Σ|W·x| (times s, within K·u·M), once
    // unfolded and once folded: 2u + 2K·u in all. The ReLU moves no value apart. OpenCL's batch
    // norm adds its own error against the CPU reference (`Tolerance.openCL`).
    @Test("each folded convolution gives its block's inference output within the folding bound",
          arguments: BackendKind.available, [TensorLayout.nchw, .nhwc])
    func foldedBlocks(kind: BackendKind, layout: TensorLayout) throws {
        let (network, experiment) = try Self.trained(try kind.make(), layout: layout)
        network.isTraining = false
        let images = experiment.data.heldOut.inputs
        let trace = try network.forward(images).trace
        let folded = try network.folded()
        #expect(folded.norms.isEmpty && folded.convolutions.count == 2)
        let foldedTrace = try folded.forward(images).trace
        for (index, norm) in network.norms.enumerated() {
            let convolution = network.convolutions[index], x = trace.inputs[index]
            let running = try norm.runningStatistics()
            let terms = Convolution(inputChannels: convolution.inputChannels, outputChannels: convolution.outputChannels,
                                    weights: convolution.weights.map(abs), bias: convolution.bias.map(abs))
                .forward(x.with(values: x.values.map(abs)))
            var scale = [Double](repeating: 0, count: terms.values.count)
            for i in 0..<x.n { for c in 0..<terms.c { for r in 0..<x.h { for col in 0..<x.w {
                let s = abs(Double(norm.gamma[c])) / (Double(running.variance[c]) + Double(norm.options.epsilon)).squareRoot()
                let at = terms.index(i, c, r, col)
                scale[at] = s * (Double(terms.values[at]) + abs(Double(running.mean[c]))) + abs(Double(norm.beta[c]))
            } } } }
            let u = 0x1p-24, products = Double(convolution.inputChannels * Convolution.taps)
            let tolerance = (2 + 2 * products) * u + (kind == .cpu ? 0 : Tolerance.openCL)
            // the folded block's own input is the unfolded block's, so that errors do not compound
            let foldedOutput = folded.convolutions[index].forward(x).values.map { max($0, 0) }
            expectClose(foldedOutput, trace.outputs[index].values.map(Double.init), scale: scale, tolerance: tolerance,
                        "block \(index + 1) in \(layout) on \(kind)")
            if index == 0 { #expect(foldedTrace.outputs[0].values == foldedOutput) }
        }
    }

    @Test("half storage: each block's output is stored in its type and within the library's bound of batch norm on the rounded input",
          arguments: BackendKind.available, [ElementType.float16, .bfloat16])
    func halfStorage(kind: BackendKind, storage: ElementType) throws {
        let (network, experiment) = try Self.trained(try kind.make(), layout: .nhwc, storage: storage)
        #expect(network.norms.allSatisfy { $0.storage == storage && $0.options.fusion == .relu })
        network.isTraining = false
        let trace = try network.forward(experiment.data.heldOut.inputs).trace
        for (index, norm) in network.norms.enumerated() {
            let z = network.convolutions[index].forward(trace.inputs[index])
            let running = try norm.runningStatistics()
            let output = trace.outputs[index]
            #expect(output.values.allSatisfy { storage.rounded($0) == $0 }, "block \(index + 1)'s output is \(storage)")
            // relu(γ·(round(z) − mean)/√(var + ε) + β) in Double: the layer stores z in its type first
            let reference = z.values.indices.map { at -> Double in
                let c = at % z.c, stored = Double(storage.rounded(z.values[at]))
                let y = Double(norm.gamma[c]) * (stored - Double(running.mean[c]))
                    / (Double(running.variance[c]) + Double(norm.options.epsilon)).squareRoot() + Double(norm.beta[c])
                return max(y, 0)
            }
            expectClose(output.values, reference, tolerance: storage.unitRoundoff + Tolerance.openCL,
                        "block \(index + 1) in \(storage) on \(kind)")
        }
    }
}
