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
                _ = try backend.backward(dy: a.dy, x: a.x, shape: a.shape, gamma: a.gamma, statistics: .batch(mean: a.mean, invStd: a.invStd), options: a.options)
            case .backwardFrozen:
                _ = try backend.backward(dy: a.dy, x: a.x, shape: a.shape, gamma: a.gamma,
                                               statistics: .running(a.running), options: a.options)
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
        for options in Self.invalidOptions {
            var arguments = Arguments()
            arguments.options = options
            #expect(throws: BatchNormError.self) { try pass.call(&arguments, on: backend) }
            do { try pass.call(&arguments, on: backend) } catch let error as BatchNormError {
                guard case .invalidOption = error else { Issue.record("\(options): \(error)"); continue }
            }
            #expect(arguments.running == RunningStatistics(channels: 3))
        }
    }

    /// ε ≤ 0, NaN or infinite; momentum outside [0, 1], NaN or infinite, in both conventions.
    static let invalidOptions: [BatchNormOptions] = [
        BatchNormOptions(epsilon: 0), BatchNormOptions(epsilon: -1e-5), BatchNormOptions(epsilon: .nan),
        BatchNormOptions(epsilon: .infinity), BatchNormOptions(epsilon: -.infinity),
        BatchNormOptions(momentum: 1.5), BatchNormOptions(momentum: 1.0000001), BatchNormOptions(momentum: -0.01),
        BatchNormOptions(momentum: .nan), BatchNormOptions(momentum: .infinity), BatchNormOptions(momentum: -.infinity),
        .keras(momentum: .nan), .keras(momentum: 2), .keras(momentum: 0.99, epsilon: 0),
    ]

    /// A zero or negative value in each dimension, element counts that overflow `Int` through any
    /// dimension, spatial dimensions on an NC shape.
    static let invalidShapes: [TensorShape] = [
        TensorShape(n: 0, c: 3, h: 2, w: 2), TensorShape(n: 4, c: 0, h: 2, w: 2), TensorShape(n: 4, c: 3, h: 0, w: 2),
        TensorShape(n: 4, c: 3, h: 2, w: 0), TensorShape(n: 4, c: 3, spatial: [2, 0, 2]), TensorShape(n: 0, c: 3),
        TensorShape(n: 4, c: 0), TensorShape(n: -4, c: 3, h: 2, w: 2), TensorShape(n: 4, c: -3, h: 2, w: 2),
        TensorShape(n: 4, c: 3, h: -2, w: 2), TensorShape(n: Int.min, c: 3),
        TensorShape(n: Int.max, c: 3, h: 2, w: 2), TensorShape(n: 4, c: 3, h: 1 << 32, w: 1 << 32),
        TensorShape(n: 2, c: Int.max / 2 + 1), TensorShape(n: 4, c: 3, spatial: [1 << 20, 1 << 20, 1 << 20]),
        TensorShape(n: 4, c: 3, spatial: [2, 2], layout: .nc),
    ]

    @Test("invalid shapes are refused", arguments: everything)
    func shapes(kind: BackendKind, pass: Pass) throws {
        let backend = try kind.make()
        for shape in Self.invalidShapes {
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

    @Test("the buffer form checks every buffer's length by name, and a refused call writes nothing", arguments: everything)
    func bufferLengths(kind: BackendKind, pass: Pass) throws {
        try Self.checkBufferLengths(try kind.make(), pass: pass)
    }

    private static func checkBufferLengths(_ backend: AnyBatchNormBackend, pass: Pass) throws {
        for (name, isTensor) in BufferCall.arguments(of: pass) {
            for delta in [-1, 1] {
                var call = try BufferCall(backend: backend, pass: pass)
                let expected = call.count(isTensor: isTensor)
                call.buffers[name] = try backend.upload([Float](repeating: BufferCall.sentinel, count: expected + delta))
                #expect(throws: BatchNormError.lengthMismatch(argument: name, expected: expected, actual: expected + delta,
                                                              shape: call.shape)) {
                    try call.run()
                }
                #expect(try call.changedBuffers() == [], "\(pass) with a wrong \(name) wrote a buffer")
                #expect(call.batchesTracked == 5)
            }
        }
    }

    @Test("the buffer form refuses bad shapes and options before writing anything", arguments: everything)
    func bufferShapesAndOptions(kind: BackendKind, pass: Pass) throws {
        try Self.checkBufferShapesAndOptions(try kind.make(), pass: pass)
    }

    private static func checkBufferShapesAndOptions(_ backend: AnyBatchNormBackend, pass: Pass) throws {
        var call = try BufferCall(backend: backend, pass: pass)
        for options in invalidOptions {
            #expect(throws: BatchNormError.self) { try call.run(options: options) }
        }
        if pass == .forwardTraining {
            // One value per feature: per activation, each of the 12 features of [4, 3, 2, 2] has 4
            // values, so train on a batch of one instead.
            let one = try BufferCall(backend: backend, pass: pass)
            var running = RunningStatisticsBuffers(mean: one.buffers["running.mean"]!, variance: one.buffers["running.variance"]!)
            let shape = TensorShape(n: 1, c: 3, h: 1, w: 1)
            #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: shape, mode: .spatial)) {
                try backend.forwardTraining(x: one.buffers["mean"]!, z: nil, shape: shape, gamma: nil, beta: nil, running: &running,
                                            options: BatchNormOptions(), y: one.buffers["invStd"]!,
                                            mean: one.buffers["gamma"]!, invStd: one.buffers["beta"]!)
            }
            #expect(running.batchesTracked == 0)
            #expect(try one.changedBuffers() == [])
        }
        #expect(try call.changedBuffers() == [])
        #expect(call.batchesTracked == 5)
        #expect(throws: BatchNormError.invalidBufferCount(0)) { try backend.makeBuffer(count: 0) }
        #expect(throws: BatchNormError.invalidBufferCount(-1)) { try backend.makeBuffer(count: -1) }
        #expect(throws: BatchNormError.invalidBufferCount(0)) { try backend.upload([]) }
        #expect(throws: BatchNormError.self) { try backend.makeBuffer(count: .max) }
    }

    @Test("a buffer of another OpenCL context, or of the CPU backend, is refused by name, and nothing is written",
          arguments: Pass.allCases)
    func foreignBuffers(pass: Pass) throws {
        guard TestBackends.hasOpenCLDevice else { return }
        let backend = AnyBatchNormBackend(try TestBackends.openCL())
        // Another context's buffer passes the erasure and is refused by the OpenCL backend; a CPU
        // buffer is refused by the erasure itself, which cannot hand it to OpenCL.
        let others = [AnyBatchNormBackend(try OpenCLBackend(device: TestBackends.deviceQuery)), AnyBatchNormBackend(CPUBackend())]
        for other in others {
            for (name, isTensor) in BufferCall.arguments(of: pass) {
                var call = try BufferCall(backend: backend, pass: pass)
                let foreign = try other.upload([Float](repeating: BufferCall.sentinel, count: call.count(isTensor: isTensor)))
                call.buffers[name] = foreign
                #expect(throws: BatchNormError.foreignBuffer(argument: name)) { try call.run() }
                call.buffers[name] = nil
                #expect(try call.changedBuffers() == [], "\(pass) with a foreign \(name) from \(other.name) wrote a buffer")
                #expect(try other.download(foreign).allSatisfy { $0 == BufferCall.sentinel })
                #expect(call.batchesTracked == 5)
            }
        }
    }
}
