import BatchNorm
import BNTestSupport
import Foundation
import Testing

/// `FoldedLayer` against what it replaces: the folded layer's output, and the layer's output
/// normalized by `forwardInference` on every backend.
@Suite("Batch norm folded into the preceding layer")
struct FoldingTests {
    /// One layer with its batch norm, and which of the optional operands it has.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var layer: ReferenceLayer
        var hasBias = true
        var hasGamma = true
        var hasBeta = true
        var options = BatchNormOptions()
        /// Added to the layer's bias and to the running mean: outputs and statistics far from zero,
        /// as after a layer whose bias has drifted.
        var offset: Double = 0
        var batch = 3
        var seed: UInt64 = 1

        var testDescription: String { "\(label): \(layer)" }
    }

    static let cases: [Case] = [
        Case(label: "dense with bias", layer: .dense(inputs: 5, outputs: 4)),
        Case(label: "dense without bias, nil γ and β", layer: .dense(inputs: 7, outputs: 3),
             hasBias: false, hasGamma: false, hasBeta: false, seed: 2),
        Case(label: "dense, C = 1, nil γ", layer: .dense(inputs: 6, outputs: 1), hasGamma: false, seed: 3),
        Case(label: "dense, Keras (ε = 1e-3)", layer: .dense(inputs: 5, outputs: 6), options: .keras(), seed: 4),
        Case(label: "dense, per-activation", layer: .dense(inputs: 4, outputs: 5),
             options: BatchNormOptions(mode: .perActivation), seed: 5),
        Case(label: "dense, running mean 1000", layer: .dense(inputs: 5, outputs: 4), offset: 1000, seed: 6),
        Case(label: "conv 3×3 padded", layer: .convolution(.init(inputs: 3, outputs: 4, kernel: 3, padding: 1, height: 5, width: 6)),
             seed: 7),
        Case(label: "conv without bias, nil β", layer: .convolution(.init(inputs: 2, outputs: 3, kernel: 3, padding: 0, height: 5, width: 4)),
             hasBias: false, hasBeta: false, seed: 8),
        Case(label: "conv 1×1, Keras", layer: .convolution(.init(inputs: 4, outputs: 2, kernel: 1, padding: 0, height: 3, width: 3)),
             options: .keras(epsilon: 1e-3), seed: 9),
        Case(label: "grouped conv", layer: .convolution(.init(inputs: 4, outputs: 6, groups: 2, kernel: 3, padding: 1, height: 4, width: 5)),
             seed: 10),
        Case(label: "depthwise conv, running mean −500", layer: .convolution(.init(inputs: 3, outputs: 3, groups: 3, kernel: 3,
                                                                              padding: 1, height: 5, width: 5)),
             offset: -500, seed: 11),
    ]

    /// The operands of one case, drawn from its seed.
    struct Operands {
        var x: [Float], weights: [Float], bias: [Float]?
        var gamma: [Float]?, beta: [Float]?
        var running: RunningStatistics

        init(_ testCase: Case) {
            var random = SeededGenerator(seed: testCase.seed)
            let layer = testCase.layer, channels = layer.outputChannels
            x = random.normals(layer.inputCount(batch: testCase.batch))
            weights = random.normals(layer.weightCount, standardDeviation: 0.5)
            bias = testCase.hasBias ? random.normals(channels, mean: testCase.offset) : nil
            gamma = testCase.hasGamma ? random.normals(channels, mean: 1, standardDeviation: 0.5) : nil
            beta = testCase.hasBeta ? random.normals(channels) : nil
            // Variances from 0.01 to 2, so that ε = 1e-3 against 1e-5 changes the outputs by up to 5 %,
            // and the last channel constant (variance 0), where ε alone keeps the scale finite.
            var variance = (0..<channels).map { _ in Float.random(in: 0.01...2, using: &random) }
            if channels > 1 { variance[channels - 1] = 0 }
            running = RunningStatistics(mean: random.normals(channels, mean: testCase.offset, standardDeviation: 0.5),
                                        variance: variance)
        }

        func fold(_ testCase: Case) throws -> FoldedLayer {
            try FoldedLayer.folding(gamma: gamma, beta: beta, running: running, options: testCase.options,
                                    intoWeights: weights, bias: bias, outputChannels: testCase.layer.outputChannels)
        }
    }

    // The tolerances, in the metric of `expectClose` with each output judged at the magnitude M of
    // the terms rounded on the way to it: M = s·(Σ|W·x| + |b| + |mean|) + |β|, s = |γ|/√(var + ε).
    // Layer-then-batch-norm rounds the layer's output z to float (error ≤ u·|z|, times s after the
    // batch norm: ≤ u·M) and y (u·|y|); the folded layer rounds W′ and b′ (together ≤ u·M) and y
    // (u·|y|), with u = 2⁻²⁴ = 6e-8. So the folded layer is within u·(M + |y|) of the exact
    // composite, at most u in this metric, and the two paths differ by at most 2u = 1.2e-7. Each
    // tolerance is twice its bound. The worst measured is 5e-8. A mean shifted by one channel, a
    // missing γ, or ε of the other convention gives errors of at least 1.8e-4 (750 times the
    // tolerance) wherever it changes the result.
    // Judged at the RMS of y instead, the running-mean-1000 case would show 3e-5: z ≈ 1000 rounded
    // to float before the batch norm subtracts the mean, which the folded layer never does.
    // OpenCL's batch norm adds its own error against the CPU reference, bounded by
    // `Tolerance.openCL` (which says why).
    static let exactTolerance = 1.2e-7
    static let cpuTolerance = 2.4e-7

    @Test("the folded layer's output equals the layer's output after batch norm inference",
          arguments: cases, BackendKind.available)
    func matchesLayerThenBatchNorm(testCase: Case, kind: BackendKind) throws {
        let backend = try kind.make()
        let operands = Operands(testCase)
        let (layer, batch) = (testCase.layer, testCase.batch)
        let z = layer.apply(weights: operands.weights, bias: operands.bias, to: operands.x, batch: batch).map(Float.init)
        let expected = try backend.forwardInference(x: z, shape: layer.outputShape(batch: batch), gamma: operands.gamma,
                                                    beta: operands.beta, running: operands.running, options: testCase.options)

        let folded = try operands.fold(testCase)
        #expect(folded.weights.count == operands.weights.count && folded.outputChannels == layer.outputChannels)
        let actual = layer.apply(weights: folded.weights, bias: folded.bias, to: operands.x, batch: batch).map(Float.init)

        let magnitude = layer.apply(weights: operands.weights.map(abs), bias: operands.bias?.map(abs),
                                    to: operands.x.map(abs), batch: batch)
        let channels = layer.outputChannelIndices(batch: batch)
        let epsilon = Double(testCase.options.epsilon)
        let scale = zip(magnitude, channels).map { sum, c in
            let s = abs(Double(operands.gamma?[c] ?? 1)) / (Double(operands.running.variance[c]) + epsilon).squareRoot()
            return s * (sum + abs(Double(operands.running.mean[c]))) + abs(Double(operands.beta?[c] ?? 0))
        }
        let tolerance = kind == .cpu ? Self.cpuTolerance : Self.cpuTolerance + Tolerance.openCL
        let shape = layer.outputShape(batch: batch)
        let locate = { (index: Int) in "n=\(index / (channels.count / batch)) c=\(channels[index]) of \(shape)" }
        expectClose(actual, expected, scale: scale, tolerance: tolerance, "\(testCase.label) on \(kind)", locate: locate)

        // The exact composite: the layer in Double, then the batch norm in Double.
        let exact = zip(layer.apply(weights: operands.weights, bias: operands.bias, to: operands.x, batch: batch), channels)
            .map { z, c in
                let gamma = Double(operands.gamma?[c] ?? 1), beta = Double(operands.beta?[c] ?? 0)
                return gamma * (z - Double(operands.running.mean[c])) / (Double(operands.running.variance[c]) + epsilon).squareRoot() + beta
            }
        expectClose(actual, exact, scale: scale, tolerance: Self.exactTolerance, "\(testCase.label) against float64", locate: locate)
    }

    @Test("each channel's block is scaled by its own γ/√(var + ε), and the bias moves by its own mean and β")
    func byHand() throws {
        // ε = 0.25 and variances 3.75 and 0.75 give √(var + ε) = 2 and 1, exactly: every value is exact.
        let folded = try FoldedLayer.folding(
            gamma: [2, -1], beta: [0.5, 1], running: RunningStatistics(mean: [1, -2], variance: [3.75, 0.75]),
            options: BatchNormOptions(epsilon: 0.25), intoWeights: [1, 2, 3, 4, 5, 6], bias: [3, 0], outputChannels: 2)
        #expect(folded.weights == [1, 2, 3, -4, -5, -6])
        #expect(folded.bias == [2.5, -1])
    }

    @Test("NaN in one channel's weights stays in that channel, as data")
    func nanStaysInItsChannel() throws {
        let folded = try FoldedLayer.folding(gamma: nil, beta: nil, running: RunningStatistics(channels: 3),
                                             options: BatchNormOptions(), intoWeights: [1, .nan, 1, 1, 1, 1],
                                             bias: [0, .infinity, 0], outputChannels: 3)
        #expect(folded.weights[1].isNaN && folded.weights[2...].allSatisfy(\.isFinite))
        #expect(folded.bias[0].isFinite && folded.bias[1] == .infinity && folded.bias[2].isFinite)
    }
}
