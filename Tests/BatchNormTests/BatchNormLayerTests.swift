import BatchNorm
import BNTestSupport
import Testing

/// `BatchNormLayer` runs exactly the backend's passes on its own state: every result equals, bit for
/// bit, the backend's array operation on the same values (both backends are deterministic), and
/// every misuse throws and leaves the layer as it was.
@Suite("BatchNormLayer")
struct BatchNormLayerTests {
    static let cases = [TestCase("MLP batch", TensorShape(n: 6, c: 5)),
                        TestCase("images", TensorShape(n: 3, c: 5, h: 4, w: 3)),
                        TestCase("channels last", TensorShape(n: 2, c: 5, h: 3, w: 3, layout: .nhwc))]

    @Test("counts parameters as Keras does: 4·C in all, 2·C trainable, 2·C not", arguments: BackendKind.available)
    func parameterCounts(kind: BackendKind) throws {
        try Self.parameterCounts(kind.make())
    }

    static func parameterCounts(_ backend: AnyBatchNormBackend) throws {
        let layer = try BatchNormLayer(backend: backend, features: 7)
        #expect((layer.parameterCount, layer.trainableParameterCount, layer.nonTrainableParameterCount) == (28, 14, 14))
        #expect(layer.gamma == [Float](repeating: 1, count: 7) && layer.beta == [Float](repeating: 0, count: 7))
        #expect(try layer.runningStatistics() == RunningStatistics(channels: 7))
        let gradients = try layer.parameterGradients()
        #expect(gradients.gamma == [Float](repeating: 0, count: 7) && gradients.beta == gradients.gamma)
        #expect(layer.isTraining)
    }

    @Test("a training step equals the backend's forward and backward passes", arguments: BackendKind.available, cases)
    func trainingStep(kind: BackendKind, testCase: TestCase) throws {
        try Self.trainingStep(kind.make(), testCase)
    }

    @Test("a renormalized step in virtual batches equals the backend's passes", arguments: BackendKind.available, cases)
    func groupedStep(kind: BackendKind, testCase: TestCase) throws {
        let n = testCase.shape.n
        try Self.trainingStep(kind.make(), testCase, options: BatchNormOptions(
            renormalization: Renormalization(rMax: 2, dMax: 1), virtualBatchSize: n.isMultiple(of: 2) ? n / 2 : n / 3))
    }

    @Test("a step fused with relu, in each storage type, equals the backend's fused passes in that storage",
          arguments: BackendKind.available, ElementType.allCases)
    func fusedStoredStep(kind: BackendKind, storage: ElementType) throws {
        let backend = try kind.make()
        for testCase in Self.cases {
            try Self.trainingStep(backend, testCase, options: BatchNormOptions(fusion: .relu), storage: storage)
            if storage != .float32 { try Self.trainingStep(backend, testCase, storage: storage) }
        }
    }

    static func trainingStep(_ backend: AnyBatchNormBackend, _ testCase: TestCase,
                             options: BatchNormOptions = BatchNormOptions(), storage: ElementType = .float32) throws {
        var inputs = TestInputs(testCase, mode: .spatial)
        inputs.running.batchesTracked = 2  // earlier batches, for renormalization to correct toward
        let shape = testCase.shape
        let layer = try BatchNormLayer(backend: backend, features: shape.c, options: options, storage: storage)
        try layer.setParameters(gamma: inputs.gamma, beta: inputs.beta)
        try layer.setRunningStatistics(inputs.running)

        var running = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                  running: &running, options: options, storage: storage)
        let gradients = try backend.backward(dy: inputs.dy, y: options.fusion == .relu ? forward.y : nil, x: inputs.x,
                                             shape: shape, gamma: inputs.gamma, statistics: forward.statistics,
                                             options: options, storage: storage)
        if options.fusion == .relu {
            #expect(forward.y.contains(0) && !forward.y.contains { $0 < 0 }, "the case exercises the relu: some outputs are cut")
            #expect(gradients.dx != (try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                          statistics: forward.statistics, options: BatchNormOptions(),
                                                          storage: storage).dx), "the mask changes dx")
        }
        if storage != .float32 {
            #expect(forward.y.allSatisfy { storage.rounded($0) == $0 || $0.isNaN }, "y comes back as stored")
        }

        #expect(try layer.forward(inputs.x, shape: shape) == forward.y)
        #expect(try layer.runningStatistics() == running)
        #expect(try layer.backward(inputs.dy) == gradients.dx)
        let layerGradients = try layer.parameterGradients()
        #expect(layerGradients.gamma == gradients.dGamma && layerGradients.beta == gradients.dBeta)
        // A second backward of the same forward pass gives the same again.
        #expect(try layer.backward(inputs.dy) == gradients.dx)
    }

    @Test("the buffer form chains on the device and equals the array form", arguments: BackendKind.available)
    func bufferForm(kind: BackendKind) throws {
        try Self.bufferForm(kind.make())
    }

    static func bufferForm(_ backend: AnyBatchNormBackend) throws {
        let testCase = cases[1], inputs = TestInputs(testCase, mode: .spatial)
        let arrays = try BatchNormLayer(backend: backend, features: 5), buffers = try BatchNormLayer(backend: backend, features: 5)
        let y = try arrays.forward(inputs.x, shape: testCase.shape), dx = try arrays.backward(inputs.dy)

        let x = try backend.upload(inputs.x), dy = try backend.upload(inputs.dy)
        let yBuffer = try buffers.forward(x, shape: testCase.shape)
        let dxBuffer = try buffers.backward(dy)
        #expect(try backend.download(yBuffer) == y)
        #expect(try backend.download(dxBuffer) == dx)
        #expect(try buffers.runningStatistics() == arrays.runningStatistics())
        #expect(try backend.download(buffers.gammaGradient) == arrays.parameterGradients().gamma)
    }

    @Test("inference normalizes with the running statistics, changes none, and backward holds them fixed",
          arguments: BackendKind.available)
    func inference(kind: BackendKind) throws {
        try Self.inference(kind.make())
    }

    static func inference(_ backend: AnyBatchNormBackend) throws {
        let testCase = cases[0], inputs = TestInputs(testCase, mode: .spatial), options = BatchNormOptions()
        let layer = try BatchNormLayer(backend: backend, features: 5)
        try layer.setParameters(gamma: inputs.gamma, beta: inputs.beta)
        _ = try layer.forward(inputs.x, shape: testCase.shape)
        let trained = try layer.runningStatistics()
        #expect(trained.batchesTracked == 1 && trained != RunningStatistics(channels: 5))

        layer.isTraining = false
        let y = try layer.forward(inputs.x.map { $0 * 0.5 }, shape: testCase.shape)
        #expect(y == (try backend.forwardInference(x: inputs.x.map { $0 * 0.5 }, shape: testCase.shape, gamma: inputs.gamma,
                                                   beta: inputs.beta, running: trained, options: options)))
        #expect(try layer.runningStatistics() == trained)
        let frozen = try backend.backward(dy: inputs.dy, x: inputs.x.map { $0 * 0.5 }, shape: testCase.shape,
                                                gamma: inputs.gamma, statistics: .running(trained), options: options)
        #expect(try layer.backward(inputs.dy) == frozen.dx)
        #expect(try layer.parameterGradients().gamma == frozen.dGamma)
    }

    @Test("an SGD step moves γ and β against their gradients, on the host and the backend alike",
          arguments: BackendKind.available)
    func gradientStep(kind: BackendKind) throws {
        try Self.gradientStep(kind.make())
    }

    static func gradientStep(_ backend: AnyBatchNormBackend) throws {
        let testCase = cases[0], inputs = TestInputs(testCase, mode: .spatial)
        let layer = try BatchNormLayer(backend: backend, features: 5)
        try layer.setParameters(gamma: inputs.gamma, beta: inputs.beta)
        _ = try layer.forward(inputs.x, shape: testCase.shape)
        _ = try layer.backward(inputs.dy)
        let gradients = try layer.parameterGradients()
        #expect(gradients.gamma.contains { $0 != 0 } && gradients.beta.contains { $0 != 0 })
        try layer.applyGradients(learningRate: 0.25)
        #expect(layer.gamma == zip(inputs.gamma, gradients.gamma).map { $0 - 0.25 * $1 })
        #expect(layer.beta == zip(inputs.beta, gradients.beta).map { $0 - 0.25 * $1 })
        #expect(try backend.download(layer.gammaBuffer) == layer.gamma)
        #expect(try backend.download(layer.betaBuffer) == layer.beta)
    }

    @Test("batches of another shape in between keep their own buffers: training resumes unchanged",
          arguments: BackendKind.available)
    func alternatingShapes(kind: BackendKind) throws {
        try Self.alternatingShapes(kind.make())
    }

    static func alternatingShapes(_ backend: AnyBatchNormBackend) throws {
        let training = TestInputs(cases[0], mode: .spatial), evaluation = TestInputs(TestCase("eval", TensorShape(n: 9, c: 5)), mode: .spatial)
        let images = TestInputs(cases[1], mode: .spatial)
        let reference = try BatchNormLayer(backend: backend, features: 5)
        let expected = try reference.forward(training.x, shape: cases[0].shape)
        let expectedDx = try reference.backward(training.dy)

        let layer = try BatchNormLayer(backend: backend, features: 5)
        for _ in 0..<3 {
            // A training pass's y depends on x, γ and β alone, whatever the running statistics hold.
            layer.isTraining = true
            #expect(try layer.forward(training.x, shape: cases[0].shape) == expected)
            layer.isTraining = false
            _ = try layer.forward(evaluation.x, shape: TensorShape(n: 9, c: 5))
            _ = try layer.forward(images.x, shape: cases[1].shape)
        }
        // The last forward pass is the one differentiated; a fresh training pass brings back its shape.
        layer.isTraining = true
        try layer.setRunningStatistics(RunningStatistics(channels: 5))
        #expect(try layer.forward(training.x, shape: cases[0].shape) == expected)
        #expect(try layer.backward(training.dy) == expectedDx)
        #expect(try layer.runningStatistics() == reference.runningStatistics())

        // In the buffer form, the output buffer of a shape is the same object each time it comes back.
        let x = try backend.upload(training.x), other = try backend.upload(evaluation.x)
        let first = try layer.forward(x, shape: cases[0].shape)
        _ = try layer.forward(other, shape: TensorShape(n: 9, c: 5))
        #expect(try layer.forward(x, shape: cases[0].shape) === first)
    }

    @Test("misuse throws a named error and changes nothing", arguments: BackendKind.available)
    func misuse(kind: BackendKind) throws {
        try Self.misuse(kind.make())
    }

    static func misuse(_ backend: AnyBatchNormBackend) throws {
        let testCase = cases[0], inputs = TestInputs(testCase, mode: .spatial)
        #expect(throws: BatchNormError.invalidOption(name: "features", value: "0", reason: "a layer needs at least 1 feature")) {
            try BatchNormLayer(backend: backend, features: 0)
        }
        #expect(throws: BatchNormError.self) { try BatchNormLayer(backend: backend, features: 3, options: BatchNormOptions(epsilon: 0)) }

        let layer = try BatchNormLayer(backend: backend, features: 5)
        #expect(throws: BatchNormError.backwardBeforeForward) { try layer.backward(inputs.dy) }
        #expect(throws: BatchNormError.layerFeatureMismatch(layerFeatures: 5, shape: TensorShape(n: 10, c: 3), mode: .spatial,
                                                            shapeFeatures: 3)) {
            try layer.forward(inputs.x, shape: TensorShape(n: 10, c: 3))
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "x", expected: 30, actual: 29, shape: testCase.shape)) {
            try layer.forward(Array(inputs.x.dropLast()), shape: testCase.shape)
        }
        #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: TensorShape(n: 1, c: 5), mode: .spatial)) {
            try layer.forward(Array(inputs.x.prefix(5)), shape: TensorShape(n: 1, c: 5))
        }
        #expect(try layer.runningStatistics() == RunningStatistics(channels: 5))

        // A successful pass, then a failed one: the failed one leaves nothing to differentiate.
        _ = try layer.forward(inputs.x, shape: testCase.shape)
        #expect(throws: BatchNormError.lengthMismatch(argument: "dy", expected: 30, actual: 31, shape: testCase.shape)) {
            try layer.backward(inputs.dy + [0])
        }
        #expect(throws: BatchNormError.self) { try layer.forward(inputs.x, shape: TensorShape(n: 6, c: 4)) }
        #expect(throws: BatchNormError.backwardBeforeForward) { try layer.backward(inputs.dy) }
        #expect(try layer.runningStatistics().batchesTracked == 1)

        #expect(throws: BatchNormError.self) { try layer.setParameters(gamma: [1, 2], beta: inputs.beta) }
        #expect(throws: BatchNormError.self) { try layer.setRunningStatistics(RunningStatistics(channels: 4)) }
        #expect(throws: BatchNormError.self) { try layer.applyGradients(learningRate: .nan) }
        #expect(layer.gamma == [Float](repeating: 1, count: 5))
        #expect(try backend.download(layer.gammaBuffer) == layer.gamma)
        #expect(try layer.runningStatistics().batchesTracked == 1)
    }

    @Test("a half-storage layer refuses x of another type, and a fusion it cannot run, changing nothing",
          arguments: BackendKind.available)
    func storageAndFusionMisuse(kind: BackendKind) throws {
        let backend = try kind.make(), testCase = Self.cases[0], inputs = TestInputs(testCase, mode: .spatial)
        let layer = try BatchNormLayer(backend: backend, features: 5, storage: .float16)
        #expect(layer.storage == .float16)
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "x", expected: .float16, actual: .float32)) {
            try layer.forward(try backend.upload(inputs.x), shape: testCase.shape)
        }
        #expect(throws: BatchNormError.self) {
            try BatchNormLayer(backend: backend, features: 5, options: BatchNormOptions(fusion: .addRelu))
        }
        layer.options.fusion = .addRelu
        do {
            _ = try layer.forward(inputs.x, shape: testCase.shape)
            Issue.record("a layer ran the .addRelu fusion without z")
        } catch let BatchNormError.invalidOption(name, value, reason) {
            #expect(name == "fusion" && value == "add-relu" && reason.contains(".relu"))
        }
        #expect(throws: BatchNormError.backwardBeforeForward) { try layer.backward(inputs.dy) }
        #expect(try layer.runningStatistics() == RunningStatistics(channels: 5))
        layer.options.fusion = .relu
        let y = try layer.forward(try backend.upload(inputs.x, as: .float16), shape: testCase.shape)
        #expect(y.elementType == .float16)
        #expect(try layer.runningStatistics().batchesTracked == 1)
    }

    @Test("per-activation mode counts C·H·W features")
    func perActivation() throws {
        let layer = try BatchNormLayer(backend: CPUBackend(), features: 60, options: BatchNormOptions(mode: .perActivation))
        let shape = TensorShape(n: 3, c: 5, h: 4, w: 3)
        let inputs = TestInputs(TestCase("images", shape), mode: .perActivation)
        #expect(try layer.forward(inputs.x, shape: shape).count == 180)
        #expect(layer.parameterCount == 240)
    }
}
