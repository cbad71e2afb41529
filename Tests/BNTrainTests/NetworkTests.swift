import BatchNorm
@testable import bn_train
import BNTestSupport
import Testing

@Suite("bn-train's network")
struct NetworkTests {
    /// A matrix of seeded values in [-1, 1].
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var random = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns, values: (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &random) })
    }

    /// The product by the definition, in Double.
    static func product(_ a: Matrix, _ b: Matrix) -> [Double] {
        (0..<a.rows).flatMap { i in
            (0..<b.columns).map { j in (0..<a.columns).reduce(0.0) { $0 + Double(a[i, $1]) * Double(b[$1, j]) } }
        }
    }

    static func transposed(_ m: Matrix) -> Matrix {
        Matrix(rows: m.columns, columns: m.rows, values: (0..<m.columns).flatMap { j in (0..<m.rows).map { m[$0, j] } })
    }

    @Test("the three products and the transpose equal the definition")
    func products() {
        let a = Self.matrix(5, 7, seed: 1), b = Self.matrix(7, 3, seed: 2), c = Self.matrix(5, 3, seed: 3)
        expectClose(a.multiplied(by: b).values, Self.product(a, b), tolerance: 1e-6, "a·b")
        expectClose(a.transposedMultiplied(by: c).values, Self.product(Self.transposed(a), c), tolerance: 1e-6, "aᵀ·c")
        expectClose(c.multipliedTransposed(by: b).values, Self.product(c, Self.transposed(b)), tolerance: 1e-6, "c·bᵀ")
        #expect(a.transposed() == Self.transposed(a) && a.transposed().transposed() == a)
        #expect(c.columnSums() == (0..<3).map { j in (0..<5).reduce(Float(0)) { $0 + c[$1, j] } })
    }

    @Test("evaluation batches cover every example and never leave one alone")
    func ranges() {
        #expect(batchRanges(count: 7, size: 2) == [0..<2, 2..<4, 4..<7])
        #expect(batchRanges(count: 6, size: 60) == [0..<6])
        #expect(batchRanges(count: 121, size: 60) == [0..<60, 60..<121])
        #expect(batchRanges(count: 122, size: 60) == [0..<60, 60..<120, 120..<122])
    }

    @Test("percentiles interpolate between ranks as NumPy's default does")
    func percentiles() {
        let record = ProbeRecord(step: 3, values: [4, 1, 3, 2])
        // numpy.percentile([1, 2, 3, 4], [15, 50, 85]) = [1.45, 2.5, 3.55]
        #expect(abs(record.p15 - 1.45) < 1e-12 && record.p50 == 2.5 && abs(record.p85 - 3.55) < 1e-12)
        #expect(record.mean == 2.5 && record.step == 3)
        #expect(ProbeRecord(step: 0, values: [7]).p85 == 7)
    }

    /// The mean loss of `batch` in training mode.
    static func loss(_ network: Perceptron<CPUBackend>, _ batch: Dataset) throws -> Double {
        SoftmaxCrossEntropy(logits: try network.forward(batch.inputs).logits, labels: batch.labels).loss
    }

    @Test("backpropagation through dense, batch norm and activation layers equals central differences",
          arguments: [true, false], Activation.allCases)
    func gradients(batchNorm: Bool, activation: Activation) throws {
        var random = SeededRandom(seed: 11)
        let layers = [DenseLayer(inputs: 3, outputs: 4, scale: 0.8, using: &random),
                      DenseLayer(inputs: 4, outputs: 3, scale: 0.8, using: &random),
                      DenseLayer(inputs: 3, outputs: 3, scale: 0.8, using: &random)]
        let network = try Perceptron(layers: layers, activation: activation, batchNorm: batchNorm ? CPUBackend() : nil,
                                     options: BatchNormOptions())
        for norm in network.norms {
            try norm.setParameters(gamma: [1.3, 0.7, 1.1, 0.9].prefix(norm.features).map { $0 }, beta: [0.2, -0.1, 0.3, 0].prefix(norm.features).map { $0 })
        }
        let batch = Dataset(inputs: Self.matrix(8, 3, seed: 12), labels: [0, 1, 2, 0, 1, 2, 0, 1], classes: 3)
        let (logits, trace) = try network.forward(batch.inputs)
        let analytic = try network.backward(trace, logitGradient: SoftmaxCrossEntropy(logits: logits, labels: batch.labels).gradient)

        // Central differences in float: a step of 1e-2 keeps the loss's rounding (about 1e-7) below
        // 1e-5 in the quotient, and its O(h²) truncation below 1e-4 of these gradients.
        let step: Float = 1e-2
        func expectMatches(_ numeric: Double, _ exact: Float, _ label: String) {
            #expect(abs(numeric - Double(exact)) <= 2e-4 + 2e-2 * abs(Double(exact)), "\(label): numeric \(numeric), backpropagated \(exact)")
        }
        var layersSeen = network.hidden + [network.output]
        for layer in layersSeen.indices {
            for index in layersSeen[layer].weights.values.indices {
                let original = layersSeen[layer].weights.values[index]
                func lossAt(_ value: Float) throws -> Double {
                    layersSeen[layer].weights.values[index] = value
                    network.hidden = Array(layersSeen.prefix(network.hidden.count))
                    network.output = layersSeen[layersSeen.count - 1]
                    return try Self.loss(network, batch)
                }
                let numeric = (try lossAt(original + step) - lossAt(original - step)) / Double(2 * step)
                _ = try lossAt(original)
                expectMatches(numeric, analytic.weights[layer].values[index], "W\(layer)[\(index)]")
            }
        }
        for (index, norm) in network.norms.enumerated() {
            let (gamma, beta) = (norm.gamma, norm.beta)
            let gradients = try norm.parameterGradients()
            for feature in gamma.indices {
                var shifted = gamma
                shifted[feature] += step
                try norm.setParameters(gamma: shifted, beta: beta)
                let up = try Self.loss(network, batch)
                shifted[feature] -= 2 * step
                try norm.setParameters(gamma: shifted, beta: beta)
                let down = try Self.loss(network, batch)
                try norm.setParameters(gamma: gamma, beta: beta)
                expectMatches((up - down) / Double(2 * step), gradients.gamma[feature], "γ\(index)[\(feature)]")
            }
        }
    }
}
