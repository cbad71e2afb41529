import BatchNorm
import BNTestSupport
import Testing

/// Every way a call can be wrong throws the error that says so, on every backend, before anything
/// the caller owns is changed.
@Suite("Bad input is refused with an error that says why")
struct ErrorCaseTests {
    /// The arguments of one call, valid until a case changes one.
    struct Arguments {
        var shape = TensorShape(n: 4, c: 3, h: 2, w: 2)
        var x = [Float](repeating: 1, count: 48)
        var dy = [Float](repeating: 1, count: 48)
        var gamma: [Float]? = [1, 1, 1]
        var beta: [Float]? = [0, 0, 0]
        var mean: [Float] = [0, 0, 0]
        var invStd: [Float] = [1, 1, 1]
        var running = RunningStatistics(channels: 3)
        var options = BatchNormOptions()
    }

    enum Pass: String, CaseIterable, Sendable {
        case forwardTraining, forwardInference, backward, backwardFrozen

        func call(_ arguments: inout Arguments, on backend: any BatchNormBackend) throws {
            let a = arguments
            switch self {
            case .forwardTraining:
                _ = try backend.forwardTraining(x: a.x, shape: a.shape, gamma: a.gamma, beta: a.beta,
                                                running: &arguments.running, options: a.options)
            case .forwardInference:
                _ = try backend.forwardInference(x: a.x, shape: a.shape, gamma: a.gamma, beta: a.beta,
                                                 running: a.running, options: a.options)
            case .backward:
                _ = try backend.backward(dy: a.dy, x: a.x, shape: a.shape, gamma: a.gamma, mean: a.mean,
                                         invStd: a.invStd, options: a.options)
            case .backwardFrozen:
                _ = try backend.backwardFrozen(dy: a.dy, x: a.x, shape: a.shape, gamma: a.gamma,
                                               running: a.running, options: a.options)
            }
        }

        /// The arguments this pass reads, and how to give each a wrong length.
        var lengthCases: [(String, @Sendable (inout Arguments) -> Int)] {
            let x: (String, @Sendable (inout Arguments) -> Int) = ("x", { $0.x.removeLast(); return $0.x.count })
            let dy: (String, @Sendable (inout Arguments) -> Int) = ("dy", { $0.dy.append(0); return $0.dy.count })
            let gamma: (String, @Sendable (inout Arguments) -> Int) = ("gamma", { $0.gamma = [1, 1]; return 2 })
            let beta: (String, @Sendable (inout Arguments) -> Int) = ("beta", { $0.beta = [0, 0, 0, 0]; return 4 })
            let mean: (String, @Sendable (inout Arguments) -> Int) = ("mean", { $0.mean = []; return 0 })
            let invStd: (String, @Sendable (inout Arguments) -> Int) = ("invStd", { $0.invStd = [1]; return 1 })
            let runningMean: (String, @Sendable (inout Arguments) -> Int) = ("running.mean", { $0.running.mean = [0, 0]; return 2 })
            let runningVariance: (String, @Sendable (inout Arguments) -> Int) = ("running.variance", {
                $0.running.variance = [1, 1, 1, 1, 1]; return 5
            })
            switch self {
            case .forwardTraining, .forwardInference: return [x, gamma, beta, runningMean, runningVariance]
            case .backward: return [dy, x, gamma, mean, invStd]
            case .backwardFrozen: return [dy, x, gamma, runningMean, runningVariance]
            }
        }
    }

    static let everything = BackendKind.available.flatMap { kind in Pass.allCases.map { (kind, $0) } }

    @Test("every argument's length is checked and named", arguments: everything)
    func lengths(kind: BackendKind, pass: Pass) throws {
        let backend = try kind.make()
        for (name, breakIt) in pass.lengthCases {
            var arguments = Arguments()
            let actual = breakIt(&arguments)
            let expected = ["x", "dy"].contains(name) ? 48 : 3
            let before = arguments.running
            #expect(throws: BatchNormError.lengthMismatch(argument: name, expected: expected, actual: actual, shape: arguments.shape)) {
                try pass.call(&arguments, on: backend)
            }
            #expect(arguments.running == before, "\(name): running statistics changed by a refused call")
        }
    }

    @Test("invalid options are refused", arguments: everything)
    func options(kind: BackendKind, pass: Pass) throws {
        let backend = try kind.make()
        for options in [BatchNormOptions(epsilon: 0), BatchNormOptions(epsilon: .nan), BatchNormOptions(momentum: 1.5),
                        BatchNormOptions(momentum: -.infinity), .keras(momentum: .nan)] {
            var arguments = Arguments()
            arguments.options = options
            #expect(throws: BatchNormError.self) { try pass.call(&arguments, on: backend) }
            do { try pass.call(&arguments, on: backend) } catch let error as BatchNormError {
                guard case .invalidOption = error else { Issue.record("\(options): \(error)"); continue }
            }
            #expect(arguments.running == RunningStatistics(channels: 3))
        }
    }

    @Test("invalid shapes are refused", arguments: everything)
    func shapes(kind: BackendKind, pass: Pass) throws {
        let backend = try kind.make()
        for shape in [TensorShape(n: 0, c: 3, h: 2, w: 2), TensorShape(n: 4, c: 3, h: -2, w: 2),
                      TensorShape(n: Int.max, c: 3, h: 2, w: 2), TensorShape(n: 4, c: 3, spatial: [2, 2], layout: .nc)] {
            var arguments = Arguments()
            arguments.shape = shape
            #expect {
                try pass.call(&arguments, on: backend)
            } throws: { error in
                guard case let BatchNormError.invalidShape(refused, _) = error else { return false }
                return refused == shape
            }
        }
    }

    @Test("training needs more than one value per feature", arguments: BackendKind.available, [
        (TensorShape(n: 1, c: 3), NormalizationMode.spatial),
        (TensorShape(n: 1, c: 3, h: 1, w: 1), .spatial),
        (TensorShape(n: 1, c: 3, h: 4, w: 4, layout: .nhwc), .perActivation),
    ])
    func oneValuePerFeature(kind: BackendKind, shapeAndMode: (TensorShape, NormalizationMode)) throws {
        let (shape, mode) = shapeAndMode
        let backend = try kind.make()
        let count = shape.dimensions.reduce(1, *), features = mode == .spatial ? shape.c : count
        var running = RunningStatistics(channels: features)
        #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: shape, mode: mode)) {
            try backend.forwardTraining(x: [Float](repeating: 1, count: count), shape: shape, gamma: nil, beta: nil,
                                        running: &running, options: BatchNormOptions(mode: mode))
        }
        #expect(running == RunningStatistics(channels: features))
        // Inference with one value per feature is fine.
        let y = try backend.forwardInference(x: [Float](repeating: 1, count: count), shape: shape, gamma: nil, beta: nil,
                                             running: running, options: BatchNormOptions(mode: mode))
        #expect(y.count == count)
    }

    @Test("the buffer form checks its outputs too, and a refused call writes nothing", arguments: BackendKind.available)
    func bufferOutputs(kind: BackendKind) throws {
        try checkOutputs(try kind.make())
    }

    private func checkOutputs<Backend: BatchNormBackend>(_ backend: Backend) throws {
        let a = Arguments()
        let x = try backend.upload(a.x), dy = try backend.upload(a.dy)
        let mean = try backend.upload([7, 7, 7]), invStd = try backend.upload([7, 7, 7])
        let short = try backend.upload([7, 7]), y = try backend.upload([Float](repeating: 7, count: 48))
        var running = try backend.upload(a.running)
        #expect(throws: BatchNormError.lengthMismatch(argument: "y", expected: 48, actual: 2, shape: a.shape)) {
            try backend.forwardTraining(x: x, shape: a.shape, gamma: nil, beta: nil, running: &running, options: a.options,
                                        y: short, mean: mean, invStd: invStd)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "invStd", expected: 3, actual: 2, shape: a.shape)) {
            try backend.forwardTraining(x: x, shape: a.shape, gamma: nil, beta: nil, running: &running, options: a.options,
                                        y: y, mean: mean, invStd: short)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "y", expected: 48, actual: 2, shape: a.shape)) {
            try backend.forwardInference(x: x, shape: a.shape, gamma: nil, beta: nil, running: running, options: a.options, y: short)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "dGamma", expected: 3, actual: 2, shape: a.shape)) {
            try backend.backward(dy: dy, x: x, shape: a.shape, gamma: nil, mean: mean, invStd: invStd, options: a.options,
                                 dx: y, dGamma: short, dBeta: mean)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "dx", expected: 48, actual: 2, shape: a.shape)) {
            try backend.backwardFrozen(dy: dy, x: x, shape: a.shape, gamma: nil, running: running, options: a.options,
                                       dx: short, dGamma: mean, dBeta: invStd)
        }
        #expect(running.batchesTracked == 0)
        #expect(try backend.download(running) == a.running)
        for buffer in [mean, invStd, short] { #expect(try backend.download(buffer).allSatisfy { $0 == 7 }) }
        #expect(try backend.download(y).allSatisfy { $0 == 7 })
        #expect(throws: BatchNormError.invalidBufferCount(0)) { try backend.makeBuffer(count: 0) }
        #expect(throws: BatchNormError.self) { try backend.makeBuffer(count: .max) }
    }
}
