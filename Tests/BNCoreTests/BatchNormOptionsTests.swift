import BNCore
import Testing

@Suite("Options and the running-statistics update")
struct BatchNormOptionsTests {
    @Test("the defaults are PyTorch's BatchNorm2d defaults")
    func pytorchDefaults() {
        let options = BatchNormOptions()
        #expect(options.epsilon == 1e-5)
        #expect(options.momentum == 0.1)
        #expect(options.unbiasedRunningVariance)
        #expect(options.mode == .spatial)
        #expect(options.convention == .pytorch)
    }

    @Test("Keras's convention: momentum 0.99, ε 1e-3, the biased variance stored")
    func kerasDefaults() {
        let options = BatchNormOptions.keras()
        #expect(options.momentum == 0.99)
        #expect(options.epsilon == 1e-3)
        #expect(!options.unbiasedRunningVariance)
        #expect(options.convention == .keras)
    }

    @Test("ε must be positive and finite", arguments: [Float(0), -1e-5, .nan, .infinity, -.infinity])
    func invalidEpsilon(epsilon: Float) {
        #expect {
            try BatchNormOptions(epsilon: epsilon).validate()
        } throws: { error in
            guard case let BatchNormError.invalidOption(name, _, _) = error else { return false }
            return name == "epsilon"
        }
    }

    @Test("momentum must lie in [0, 1]", arguments: [Float(-0.1), 1.5, .nan, .infinity])
    func invalidMomentum(momentum: Float) {
        #expect {
            try BatchNormOptions(momentum: momentum).validate()
        } throws: { error in
            guard case let BatchNormError.invalidOption(name, _, _) = error else { return false }
            return name == "momentum"
        }
    }

    @Test("the edges of the valid ranges pass", arguments: [
        BatchNormOptions(momentum: 0), BatchNormOptions(momentum: 1), BatchNormOptions(momentum: nil),
        BatchNormOptions(epsilon: .leastNonzeroMagnitude), .keras(momentum: 0), .keras(momentum: 1),
    ])
    func validEdges(options: BatchNormOptions) throws {
        try options.validate()
    }

    @Test("PyTorch: running = (1 − momentum)·running + momentum·batch, unbiased variance")
    func pytorchUpdate() {
        let update = RunningUpdate(options: BatchNormOptions(momentum: 0.25), batchesTracked: 7, valuesPerFeature: 10)
        #expect(update.keep == 0.75 && update.take == 0.25 && update.varianceDivisor == 9)
    }

    @Test("Keras: running = momentum·running + (1 − momentum)·batch, biased variance")
    func kerasUpdate() {
        let update = RunningUpdate(options: .keras(momentum: 0.75), batchesTracked: 7, valuesPerFeature: 10)
        #expect(update.keep == 0.75 && update.take == 0.25 && update.varianceDivisor == 10)
    }

    @Test("momentum nil: the k-th batch weighs 1/k", arguments: [0, 1, 4])
    func cumulativeUpdate(batchesTracked: Int) {
        let update = RunningUpdate(options: BatchNormOptions(momentum: nil), batchesTracked: batchesTracked, valuesPerFeature: 4)
        #expect(update.take == 1 / Double(batchesTracked + 1))
        #expect(update.keep + update.take == 1)
    }
}
