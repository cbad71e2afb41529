import BatchNorm
import BNTestSupport
import Testing

/// NaN or infinity inside the data is not an error: as in PyTorch, it spreads through its own
/// feature's outputs and nowhere else, and every call returns. Each case runs twice, once with a
/// poisoned value and once with that value finite; every output of the other features must be the
/// same to the bit.
@Suite("NaN and infinity stay in their feature")
struct NonFiniteDataTests {
    static let shapes: [(TensorShape, NormalizationMode)] = [
        (TensorShape(n: 4, c: 5, h: 5, w: 7), .spatial),
        (TensorShape(n: 6, c: 8, h: 4, w: 4, layout: .nhwc), .spatial),
        (TensorShape(n: 40, c: 12), .spatial),
        (TensorShape(n: 5, c: 2, h: 3, w: 4), .perActivation),
    ]

    static let poisons: [Float] = [.nan, .infinity, -.infinity]

    static let cases = BackendKind.everyPath.flatMap { kind in shapes.indices.map { (kind, $0) } }

    /// Where the poison goes: one element of feature 1.
    static func poisoned(_ values: [Float], _ indexing: TensorIndexing, with poison: Float) -> (values: [Float], index: Int) {
        var values = values
        let index = indexing.mode == .spatial ? indexing.index(n: 1, c: 1, s: 0) : indexing.index(n: 1, c: 0, s: 1)
        values[index] = poison
        return (values, index)
    }

    /// The backend, shape, inputs, indexing and options of one case.
    static func setUp(_ kind: BackendKind, _ shapeIndex: Int) throws
        -> (AnyBatchNormBackend, TensorShape, TestInputs, TensorIndexing, BatchNormOptions) {
        let (shape, mode) = shapes[shapeIndex]
        return (try kind.make(), shape, TestInputs(TestCase("poison", shape), mode: mode),
                TensorIndexing(shape: shape, mode: mode), BatchNormOptions(mode: mode))
    }

    /// The feature element `index` belongs to.
    static func feature(of index: Int, _ indexing: TensorIndexing) -> Int {
        var found = -1
        indexing.forEach { i, f in if i == index { found = f } }
        return found
    }

    @Test("training forward: the poisoned feature's y, mean, invStd and running statistics only", arguments: cases)
    func forwardTraining(kind: BackendKind, shapeIndex: Int) throws {
        let (backend, shape, inputs, indexing, options) = try Self.setUp(kind, shapeIndex)
        var cleanRunning = inputs.running
        let clean = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                running: &cleanRunning, options: options)
        for poison in Self.poisons {
            let (x, index) = Self.poisoned(inputs.x, indexing, with: poison)
            let bad = Self.feature(of: index, indexing)
            var running = inputs.running
            let result = try backend.forwardTraining(x: x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                     running: &running, options: options)
            indexing.forEach { i, f in
                if f == bad {
                    #expect(result.y[i].isNaN, "\(poison): y[\(i)] of the poisoned feature is \(result.y[i])")
                } else {
                    #expect(result.y[i].bitPattern == clean.y[i].bitPattern, "\(poison): y[\(i)] of feature \(f) changed")
                }
            }
            for f in 0..<indexing.featureCount {
                let outputs = [(result.mean, clean.mean), (result.invStd, clean.invStd),
                               (running.mean, cleanRunning.mean), (running.variance, cleanRunning.variance)]
                for (name, (actual, expected)) in zip(["mean", "invStd", "running.mean", "running.variance"], outputs) {
                    if f == bad {
                        #expect(!actual[f].isFinite, "\(poison): \(name) of the poisoned feature is \(actual[f])")
                    } else {
                        #expect(actual[f].bitPattern == expected[f].bitPattern, "\(poison): \(name)[\(f)] changed")
                    }
                }
            }
            #expect(running.batchesTracked == 1)
        }
    }

    @Test("inference forward: the poisoned element only", arguments: cases)
    func forwardInference(kind: BackendKind, shapeIndex: Int) throws {
        let (backend, shape, inputs, indexing, options) = try Self.setUp(kind, shapeIndex)
        let clean = try backend.forwardInference(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                 running: inputs.running, options: options)
        for poison in Self.poisons {
            let (x, index) = Self.poisoned(inputs.x, indexing, with: poison)
            let y = try backend.forwardInference(x: x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                 running: inputs.running, options: options)
            for i in y.indices {
                if i == index {
                    #expect(!y[i].isFinite, "\(poison): y at the poisoned element is \(y[i])")
                } else {
                    #expect(y[i].bitPattern == clean[i].bitPattern, "\(poison): y[\(i)] changed")
                }
            }
        }
    }

    @Test("backward: a poisoned dy reaches its feature's dx, dγ and dβ only", arguments: cases)
    func backward(kind: BackendKind, shapeIndex: Int) throws {
        let (backend, shape, inputs, indexing, options) = try Self.setUp(kind, shapeIndex)
        let (mean, invStd) = Float64Reference.savedStatistics(inputs, indexing: indexing, options: options)
        func run(_ dy: [Float]) throws -> (BackwardResult, BackwardResult) {
            (try backend.backward(dy: dy, x: inputs.x, shape: shape, gamma: inputs.gamma, statistics: .batch(mean: mean, invStd: invStd),
                                  options: options),
             try backend.backward(dy: dy, x: inputs.x, shape: shape, gamma: inputs.gamma, statistics: .running(inputs.running),
                                        options: options))
        }
        let (clean, cleanFrozen) = try run(inputs.dy)
        for poison in Self.poisons {
            let (dy, index) = Self.poisoned(inputs.dy, indexing, with: poison)
            let bad = Self.feature(of: index, indexing)
            let (result, frozen) = try run(dy)
            indexing.forEach { i, f in
                if f == bad {
                    #expect(!result.dx[i].isFinite, "\(poison): dx[\(i)] of the poisoned feature is \(result.dx[i])")
                    // Frozen statistics: dx = γ·invStd·dy, element by element.
                    #expect(frozen.dx[i].isFinite == (i != index), "\(poison): frozen dx[\(i)] is \(frozen.dx[i])")
                } else {
                    #expect(result.dx[i].bitPattern == clean.dx[i].bitPattern, "\(poison): dx[\(i)] of feature \(f) changed")
                    #expect(frozen.dx[i].bitPattern == cleanFrozen.dx[i].bitPattern, "\(poison): frozen dx[\(i)] changed")
                }
            }
            for f in 0..<indexing.featureCount {
                for (name, actual, expected) in [("dγ", result.dGamma, clean.dGamma), ("dβ", result.dBeta, clean.dBeta),
                                                 ("frozen dγ", frozen.dGamma, cleanFrozen.dGamma),
                                                 ("frozen dβ", frozen.dBeta, cleanFrozen.dBeta)] {
                    if f == bad {
                        #expect(!actual[f].isFinite, "\(poison): \(name) of the poisoned feature is \(actual[f])")
                    } else {
                        #expect(actual[f].bitPattern == expected[f].bitPattern, "\(poison): \(name)[\(f)] changed")
                    }
                }
            }
        }
    }
}
