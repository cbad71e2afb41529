import BNCore
import BNCPU
import BNTestSupport
import Testing

/// The backward formulas against central finite differences of the forward pass, for the loss
/// L = Σ w·y with fixed weights w, whose gradient the backward pass computes from dy = w.
@Suite("Backward agrees with finite differences of forward")
struct GradientCheckTests {
    let cpu = CPUBackend()
    /// Central differences in float32 carry a truncation error of O(h²) (1e-4 here) and a rounding
    /// error of about ulp(L)/h (1e-5 here); 2e-3 of the gradient's RMS bounds both with margin,
    /// while a wrong sign or a missing term gives errors of order 1.
    let tolerance = 2e-3
    /// The step: 1e-2 of the data's spread, small against its curvature, large against rounding.
    let step: Float = 1e-2

    @Test("dx, dγ and dβ with batch statistics", arguments: [
        TestCase("NCHW", TensorShape(n: 3, c: 2, h: 2, w: 3)),
        TestCase("NHWC", TensorShape(n: 3, c: 2, h: 2, w: 3, layout: .nhwc)),
        TestCase("BN1d", TensorShape(n: 5, c: 3)),
    ], NormalizationMode.allCases)
    func batchStatistics(testCase: TestCase, mode: NormalizationMode) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: 7)
        let options = BatchNormOptions(mode: mode)
        let forward = try training(inputs.x, inputs.gamma, inputs.beta, testCase.shape, options)
        let analytic = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                        statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
        let loss = { (x: [Float], gamma: [Float], beta: [Float]) in
            try self.weightedSum(self.training(x, gamma, beta, testCase.shape, options).y, inputs.dy)
        }
        try check(analytic, inputs: inputs, loss: loss, label: "\(testCase) \(mode)")
    }

    @Test("dx, dγ and dβ with frozen statistics")
    func frozenStatistics() throws {
        let testCase = TestCase("NCHW", TensorShape(n: 3, c: 2, h: 2, w: 3))
        let inputs = TestInputs(testCase, mode: .spatial, seed: 11)
        let options = BatchNormOptions()
        let analytic = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                              statistics: .running(inputs.running), options: options)
        let loss = { (x: [Float], gamma: [Float], beta: [Float]) in
            try self.weightedSum(self.cpu.forwardInference(x: x, shape: testCase.shape, gamma: gamma, beta: beta,
                                                           running: inputs.running, options: options), inputs.dy)
        }
        try check(analytic, inputs: inputs, loss: loss, label: "frozen")
    }

    @Test("dx, dγ and dβ of a renormalized pass with r and d held fixed", arguments: [
        TestCase("NCHW", TensorShape(n: 3, c: 2, h: 2, w: 3)),
        TestCase("NHWC", TensorShape(n: 3, c: 2, h: 2, w: 3, layout: .nhwc)),
        TestCase("BN1d", TensorShape(n: 5, c: 3)),
    ])
    func renormalized(testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial, seed: 13)
        var running = inputs.running
        running.batchesTracked = 3
        let options = BatchNormOptions(renormalization: Renormalization(rMax: 1.5, dMax: 0.5))
        let forward = try cpu.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                              running: &running, options: options)
        let corrections = try #require(forward.corrections)
        #expect(corrections.r.contains { $0 != 1 } && corrections.d.contains { $0 != 0 }, "the case corrects nothing")
        let analytic = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                        statistics: forward.statistics, options: options)
        // y = γ·((x − μ_B)/σ_B·r + d) + β in float64 with the forward pass's r and d as constants
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let epsilon = Double(options.epsilon), m = Double(indexing.valuesPerFeature)
        let loss = { (x: [Float], gamma: [Float], beta: [Float]) -> Double in
            var mean = [Double](repeating: 0, count: gamma.count), squares = mean
            indexing.forEach { index, f in mean[f] += Double(x[index]) / m }
            indexing.forEach { index, f in squares[f] += (Double(x[index]) - mean[f]) * (Double(x[index]) - mean[f]) }
            var total = 0.0
            indexing.forEach { index, f in
                let xhat = (Double(x[index]) - mean[f]) / (squares[f] / m + epsilon).squareRoot()
                let y = Double(gamma[f]) * (xhat * Double(corrections.r[f]) + Double(corrections.d[f])) + Double(beta[f])
                total += y * Double(inputs.dy[index])
            }
            return total
        }
        try check(analytic, inputs: inputs, loss: loss, label: "renormalized \(testCase)")
    }

    private func check(
        _ analytic: BackwardResult, inputs: TestInputs, loss: ([Float], [Float], [Float]) throws -> Double, label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dx = try differences(of: inputs.x) { try loss($0, inputs.gamma, inputs.beta) }
        let dGamma = try differences(of: inputs.gamma) { try loss(inputs.x, $0, inputs.beta) }
        let dBeta = try differences(of: inputs.beta) { try loss(inputs.x, inputs.gamma, $0) }
        expectClose(analytic.dx, dx, tolerance: tolerance, "dx of \(label)", sourceLocation: sourceLocation)
        expectClose(analytic.dGamma, dGamma, tolerance: tolerance, "dγ of \(label)", sourceLocation: sourceLocation)
        expectClose(analytic.dBeta, dBeta, tolerance: tolerance, "dβ of \(label)", sourceLocation: sourceLocation)
    }

    /// (L(v + h·eᵢ) − L(v − h·eᵢ)) / 2h for every i.
    private func differences(of values: [Float], _ loss: ([Float]) throws -> Double) throws -> [Double] {
        try values.indices.map { index in
            var plus = values, minus = values
            plus[index] += step
            minus[index] -= step
            return (try loss(plus) - loss(minus)) / Double(plus[index] - minus[index])
        }
    }

    private func training(_ x: [Float], _ gamma: [Float], _ beta: [Float], _ shape: TensorShape,
                          _ options: BatchNormOptions) throws -> ForwardTrainingResult {
        var running = RunningStatistics(channels: gamma.count)
        return try cpu.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta, running: &running, options: options)
    }

    private func weightedSum(_ y: [Float], _ weights: [Float]) -> Double {
        zip(y, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
}
