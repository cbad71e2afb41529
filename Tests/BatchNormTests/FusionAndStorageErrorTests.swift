import BatchNorm
import BNTestSupport
import Testing

/// The fused operations' tensors and the element types are checked before anything runs, on every
/// backend, with errors that name the operand.
@Suite("Fused operands and element types are checked")
struct FusionAndStorageErrorTests {
    static let shape = TensorShape(n: 4, c: 3, h: 2, w: 2)

    @Test("a missing or unused z, y or dz is refused", arguments: BackendKind.available)
    func fusionOperands(kind: BackendKind) throws {
        try checkFusionOperands(on: try kind.make())
    }

    @Test("tensors share x's element type and per-feature arrays are f32", arguments: BackendKind.available)
    func elementTypes(kind: BackendKind) throws {
        try checkElementTypes(on: try kind.make())
    }

    @Test("transfers refuse another element type", arguments: BackendKind.available)
    func transfers(kind: BackendKind) throws {
        try checkTransfers(on: try kind.make())
    }

    @Test("synchronized batch norm's split phases refuse a fusion, and BatchNormLayer the one with a second input", arguments: BackendKind.available)
    func refusedFusion(kind: BackendKind) throws {
        try checkRefusedFusion(on: try kind.make())
    }

    @Test("the errors say what to do")
    func descriptions() {
        #expect(BatchNormError.fusionOperandMismatch(argument: "z", fusion: .addRelu, isRequired: true).description
                    == "options.fusion = add-relu needs z; pass it, or set options.fusion to the operation you ran")
        #expect(BatchNormError.elementTypeMismatch(argument: "y", expected: .float16, actual: .float32).description
                    .contains("make the buffer with elementType: .float16"))
    }

    // MARK: checks, generic over the backend

    private func tensor(_ backend: AnyBatchNormBackend, _ type: ElementType = .float32) throws -> AnyBatchNormBuffer {
        try backend.upload([Float](repeating: 0.5, count: 48), as: type)
    }

    private func perFeature(_ backend: AnyBatchNormBackend, _ values: [Float] = [1, 1, 1]) throws -> AnyBatchNormBuffer {
        try backend.upload(values)
    }

    private func checkFusionOperands(on backend: AnyBatchNormBackend) throws {
        let x = try tensor(backend), y = try tensor(backend), dx = try tensor(backend), z = try tensor(backend)
        let mean = try perFeature(backend, [0, 0, 0]), invStd = try perFeature(backend)
        let dGamma = try perFeature(backend), dBeta = try perFeature(backend)
        var running = try backend.upload(RunningStatistics(channels: 3))
        let before = try backend.download(running)
        let addRelu = BatchNormOptions(fusion: .addRelu), relu = BatchNormOptions(fusion: .relu)

        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "z", fusion: .addRelu, isRequired: true)) {
            try backend.forwardTraining(x: x, z: nil, shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                        options: addRelu, y: y, mean: mean, invStd: invStd)
        }
        #expect(try backend.download(running) == before && running.batchesTracked == 0, "a refused call changed nothing")
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "z", fusion: .relu, isRequired: false)) {
            try backend.forwardInference(x: x, z: z, shape: Self.shape, gamma: nil, beta: nil, running: running,
                                         options: relu, y: y)
        }
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "y", fusion: .relu, isRequired: true)) {
            try backend.backward(dy: x, y: nil, x: x, shape: Self.shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd),
                                 options: relu, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "y", fusion: .none, isRequired: false)) {
            try backend.backward(dy: x, y: y, x: x, shape: Self.shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd),
                                 options: BatchNormOptions(), dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "dz", fusion: .addRelu, isRequired: true)) {
            try backend.backward(dy: x, y: y, x: x, shape: Self.shape, gamma: nil, statistics: .running(running),
                                       options: addRelu, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "dz", fusion: .relu, isRequired: false)) {
            try backend.backward(dy: x, y: y, x: x, shape: Self.shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd),
                                 options: relu, dx: dx, dz: z, dGamma: dGamma, dBeta: dBeta)
        }
        // the array forms: add-relu's z and the backward pass's y
        var runningArrays = RunningStatistics(channels: 3)
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "z", fusion: .addRelu, isRequired: true)) {
            _ = try backend.forwardTraining(x: [Float](repeating: 1, count: 48), shape: Self.shape, gamma: nil, beta: nil,
                                            running: &runningArrays, options: addRelu)
        }
        #expect(throws: BatchNormError.fusionOperandMismatch(argument: "y", fusion: .relu, isRequired: true)) {
            _ = try backend.backward(dy: [Float](repeating: 1, count: 48), x: [Float](repeating: 1, count: 48),
                                     shape: Self.shape, gamma: nil, statistics: .batch(mean: [0, 0, 0], invStd: [1, 1, 1]), options: relu)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "z", expected: 48, actual: 47, shape: Self.shape)) {
            _ = try backend.forwardInference(x: [Float](repeating: 1, count: 48), z: [Float](repeating: 1, count: 47),
                                             shape: Self.shape, gamma: nil, beta: nil, running: runningArrays,
                                             options: addRelu)
        }
    }

    private func checkElementTypes(on backend: AnyBatchNormBackend) throws {
        let x = try tensor(backend), half = try tensor(backend, .float16), bfloat = try tensor(backend, .bfloat16)
        let mean = try perFeature(backend, [0, 0, 0]), invStd = try perFeature(backend)
        let running = try backend.upload(RunningStatistics(channels: 3))
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "y", expected: .float32, actual: .float16)) {
            try backend.forwardInference(x: x, z: nil, shape: Self.shape, gamma: nil, beta: nil, running: running,
                                         options: BatchNormOptions(), y: half)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "z", expected: .float16, actual: .bfloat16)) {
            try backend.forwardInference(x: half, z: bfloat, shape: Self.shape, gamma: nil, beta: nil, running: running,
                                         options: BatchNormOptions(fusion: .addRelu), y: half)
        }
        let halfGamma = try backend.upload([Float](repeating: 1, count: 3), as: .float16)
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "gamma", expected: .float32, actual: .float16)) {
            try backend.forwardInference(x: half, z: nil, shape: Self.shape, gamma: halfGamma, beta: nil,
                                         running: running, options: BatchNormOptions(), y: half)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "x", expected: .bfloat16, actual: .float16)) {
            try backend.backward(dy: bfloat, y: nil, x: half, shape: Self.shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd),
                                 options: BatchNormOptions(), dx: bfloat, dz: nil, dGamma: mean, dBeta: invStd)
        }
    }

    private func checkTransfers(on backend: AnyBatchNormBackend) throws {
        let single = try perFeature(backend), half = try backend.upload([Float16(1), 2, 3])
        #expect(half.elementType == .float16 && half.count == 3)
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "values", expected: .float32, actual: .float16)) {
            try backend.write([Float16(1), 2, 3], to: single)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "values", expected: .float16, actual: .bfloat16)) {
            _ = try backend.download(half, as: BFloat16.self)
        }
        try backend.write([Float16(4), 5, 0.1], to: half)
        #expect(try backend.download(half, as: Float16.self) == [4, 5, 0.1])
        #expect(try backend.download(half) == [4, 5, Float(Float16(0.1))], "download widens exactly")
    }

    private func checkRefusedFusion(on backend: AnyBatchNormBackend) throws {
        let x = try tensor(backend)
        #expect(throws: BatchNormError.self) {
            _ = try backend.localStatistics(x: x, shape: Self.shape, options: BatchNormOptions(fusion: .relu))
        }
        do {
            _ = try backend.localStatistics(x: x, shape: Self.shape, options: BatchNormOptions(fusion: .relu))
        } catch let BatchNormError.invalidOption(name, value, _) {
            #expect(name == "fusion" && value == "relu")
        }
        #expect(throws: BatchNormError.self) {
            _ = try BatchNormLayer(backend: backend, features: 3, options: BatchNormOptions(fusion: .addRelu))
        }
    }
}
