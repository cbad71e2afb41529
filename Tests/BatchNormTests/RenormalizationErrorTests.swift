import BatchNorm
import BNTestSupport
import Testing

/// Bad Batch Renormalization input is refused on every backend, before anything the caller owns
/// changes: limits outside their ranges, limits that correct toward running statistics that have
/// tracked no batch, missing or unwanted r and d outputs, wrong lengths, foreign buffers and the
/// split phases of synchronized batch norm, which do not renormalize.
@Suite("Bad renormalization input is refused and changes nothing")
struct RenormalizationErrorTests {
    static let shape = TensorShape(n: 4, c: 3, h: 2, w: 2)
    static let sentinel: Float = 7

    /// Fills a buffer of `count` with the sentinel.
    static func filled(_ backend: AnyBatchNormBackend, _ count: Int) throws -> AnyBatchNormBuffer {
        try backend.upload([Float](repeating: sentinel, count: count))
    }

    /// Running statistics that have tracked batches, as renormalization needs.
    static var running: RunningStatistics {
        var running = RunningStatistics(channels: 3)
        running.batchesTracked = 4
        return running
    }

    static func x() -> [Float] { (0..<48).map { Float($0 % 7) - 3 } }

    @Test("limits outside [1, ∞) and [0, ∞) are refused by name", arguments: BackendKind.available, [
        ("renormalization.rMax", Renormalization(rMax: 0.5, dMax: 0)),
        ("renormalization.rMax", Renormalization(rMax: .nan, dMax: 0)),
        ("renormalization.rMax", Renormalization(rMax: .infinity, dMax: 0)),
        ("renormalization.dMax", Renormalization(rMax: 2, dMax: -1)),
        ("renormalization.dMax", Renormalization(rMax: 2, dMax: .infinity)),
    ])
    func badLimits(kind: BackendKind, bad: (name: String, limits: Renormalization)) throws {
        let backend = try kind.make()
        var running = Self.running
        let options = BatchNormOptions(renormalization: bad.limits)
        do {
            _ = try backend.forwardTraining(x: Self.x(), shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                            options: options)
            Issue.record("limits \(bad.limits) were accepted on \(kind)")
        } catch let BatchNormError.invalidOption(name, _, reason) {
            #expect(name == bad.name)
            #expect(reason.contains("give"), "the reason says what to give instead: \(reason)")
        }
        #expect(running == Self.running, "running statistics changed by a refused call on \(kind)")
    }

    @Test("correcting limits need running statistics of earlier batches; batch-norm limits do not",
          arguments: BackendKind.available)
    func nothingToCompareAgainst(kind: BackendKind) throws {
        let backend = try kind.make()
        let fresh = RunningStatistics(channels: 3)
        var running = fresh
        #expect(throws: BatchNormError.self) {
            try backend.forwardTraining(x: Self.x(), shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                        options: BatchNormOptions(renormalization: Renormalization(rMax: 2, dMax: 1)))
        }
        do {
            _ = try backend.forwardTraining(x: Self.x(), shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                            options: BatchNormOptions(renormalization: Renormalization(rMax: 1, dMax: 0.5)))
        } catch let BatchNormError.invalidOption(name, _, reason) {
            #expect(name == "renormalization")
            #expect(reason.contains("Renormalization.batchNorm") && reason.contains("batchesTracked"))
        }
        #expect(running == fresh, "running statistics changed by a refused call on \(kind)")
        let result = try backend.forwardTraining(x: Self.x(), shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                                 options: BatchNormOptions(renormalization: .batchNorm))
        #expect(result.corrections?.r == [1, 1, 1] && result.corrections?.d == [0, 0, 0])
        #expect(running.batchesTracked == 1)
    }

    /// The buffers of one buffer-form training call, each filled with the sentinel.
    struct TrainingBuffers {
        var x, y, mean, invStd: AnyBatchNormBuffer
        var running: RunningStatisticsBuffers<AnyBatchNormBuffer>

        init(_ backend: AnyBatchNormBackend) throws {
            x = try backend.upload(RenormalizationErrorTests.x())
            y = try filled(backend, 48)
            mean = try filled(backend, 3)
            invStd = try filled(backend, 3)
            running = try backend.upload(RenormalizationErrorTests.running)
        }

        func unchanged(on backend: AnyBatchNormBackend) throws -> Bool {
            try [y, mean, invStd].allSatisfy { try backend.download($0).allSatisfy { $0 == sentinel } }
                && backend.download(running) == RenormalizationErrorTests.running
        }
    }

    @Test("r and d buffers are required exactly when the options renormalize, at one value per feature",
          arguments: BackendKind.available)
    func correctionBuffers(kind: BackendKind) throws {
        let backend = try kind.make()
        let renorm = BatchNormOptions(renormalization: Renormalization(rMax: 2, dMax: 1))
        let cases: [(options: BatchNormOptions, corrections: RenormCorrections<AnyBatchNormBuffer>?, error: BatchNormError)] = [
            (renorm, nil, .renormOperandMismatch(argument: "corrections.r", isRequired: true)),
            (BatchNormOptions(), RenormCorrections(r: try Self.filled(backend, 3), d: try Self.filled(backend, 3)),
             .renormOperandMismatch(argument: "corrections.r", isRequired: false)),
            (renorm, RenormCorrections(r: try Self.filled(backend, 3), d: try Self.filled(backend, 2)),
             .lengthMismatch(argument: "corrections.d", expected: 3, actual: 2, shape: Self.shape)),
            (renorm, RenormCorrections(r: try backend.upload([Float](repeating: 1, count: 3), as: .float16),
                                       d: try Self.filled(backend, 3)),
             .elementTypeMismatch(argument: "corrections.r", expected: .float32, actual: .float16)),
        ]
        for (options, corrections, error) in cases {
            let buffers = try TrainingBuffers(backend)
            var running = buffers.running
            #expect(throws: error) {
                try backend.forwardTraining(x: buffers.x, z: nil, shape: Self.shape, gamma: nil, beta: nil,
                                            running: &running, options: options, y: buffers.y, mean: buffers.mean,
                                            invStd: buffers.invStd, corrections: corrections)
            }
            #expect(try buffers.unchanged(on: backend), "a refused call wrote to the caller's buffers on \(kind)")
            #expect(running.batchesTracked == buffers.running.batchesTracked)
            if let corrections {
                #expect(try backend.download(corrections.d).allSatisfy { $0 == Self.sentinel })
            }
        }
        #expect(BatchNormError.renormOperandMismatch(argument: "corrections.r", isRequired: true).description
            .contains("pass corrections"))
    }

    @Test("a renormalized backward pass checks r and d as it checks the statistics", arguments: BackendKind.available)
    func backwardCorrections(kind: BackendKind) throws {
        let backend = try kind.make()
        let ones = [Float](repeating: 1, count: 3)
        #expect(throws: BatchNormError.lengthMismatch(argument: "corrections.d", expected: 3, actual: 4, shape: Self.shape)) {
            try backend.backward(dy: Self.x(), x: Self.x(), shape: Self.shape, gamma: nil,
                                 statistics: .renormalized(mean: ones, invStd: ones, r: ones, d: [0, 0, 0, 0]),
                                 options: BatchNormOptions())
        }
    }

    @Test("a buffer of another backend is refused as r", .enabled(if: TestBackends.hasOpenCLDevice))
    func foreignCorrections() throws {
        let backend = try BackendKind.openCL.make(), cpu = AnyBatchNormBackend(CPUBackend())
        let buffers = try TrainingBuffers(backend)
        var running = buffers.running
        #expect(throws: BatchNormError.foreignBuffer(argument: "corrections.r")) {
            try backend.forwardTraining(x: buffers.x, z: nil, shape: Self.shape, gamma: nil, beta: nil, running: &running,
                                        options: BatchNormOptions(renormalization: .batchNorm), y: buffers.y,
                                        mean: buffers.mean, invStd: buffers.invStd,
                                        corrections: RenormCorrections(r: try Self.filled(cpu, 3), d: try Self.filled(backend, 3)))
        }
        #expect(try buffers.unchanged(on: backend))
    }

    @Test("the split phases of synchronized batch norm refuse to renormalize", arguments: BackendKind.available)
    func splitPhases(kind: BackendKind) throws {
        let backend = try kind.make()
        let x = try backend.upload(Self.x())
        do {
            _ = try backend.localStatistics(x: x, shape: Self.shape, options: BatchNormOptions(renormalization: .batchNorm))
            Issue.record("a split phase renormalized on \(kind)")
        } catch let BatchNormError.invalidOption(name, _, reason) {
            #expect(name == "renormalization")
            #expect(reason.contains("set renormalization to nil"))
        }
    }
}
