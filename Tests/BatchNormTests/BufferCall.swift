import BatchNorm

/// One buffer-form call of a pass, every buffer held under the name errors give it and filled with
/// a sentinel, so that a test can swap one buffer for a bad one and then check that the refused call
/// wrote nothing.
struct BufferCall {
    let backend: AnyBatchNormBackend
    let pass: ErrorCaseTests.Pass
    let shape = TensorShape(n: 4, c: 3, h: 2, w: 2)
    var buffers: [String: AnyBatchNormBuffer] = [:]
    /// The running statistics' count, which only a successful training call advances.
    var batchesTracked = 5

    static var sentinel: Float { 7 }

    /// The buffers `pass` takes, and whether each is a tensor (x's length) or per feature.
    static func arguments(of pass: ErrorCaseTests.Pass) -> [(name: String, isTensor: Bool)] {
        switch pass {
        case .forwardTraining:
            [("x", true), ("y", true), ("gamma", false), ("beta", false), ("running.mean", false),
             ("running.variance", false), ("mean", false), ("invStd", false)]
        case .forwardInference:
            [("x", true), ("y", true), ("gamma", false), ("beta", false), ("running.mean", false), ("running.variance", false)]
        case .backward:
            [("dy", true), ("x", true), ("dx", true), ("gamma", false), ("mean", false), ("invStd", false),
             ("dGamma", false), ("dBeta", false)]
        case .backwardFrozen:
            [("dy", true), ("x", true), ("dx", true), ("gamma", false), ("running.mean", false),
             ("running.variance", false), ("dGamma", false), ("dBeta", false)]
        }
    }

    /// The length a buffer of the call should have.
    func count(isTensor: Bool) -> Int { isTensor ? 48 : 3 }

    init(backend: AnyBatchNormBackend, pass: ErrorCaseTests.Pass) throws {
        self.backend = backend
        self.pass = pass
        for (name, isTensor) in Self.arguments(of: pass) {
            buffers[name] = try backend.upload([Float](repeating: Self.sentinel, count: count(isTensor: isTensor)))
        }
    }

    /// Runs the pass on the buffers.
    mutating func run(options: BatchNormOptions = BatchNormOptions()) throws {
        let b = buffers
        switch pass {
        case .forwardTraining:
            var running = RunningStatisticsBuffers(mean: b["running.mean"]!, variance: b["running.variance"]!,
                                                   batchesTracked: batchesTracked)
            try backend.forwardTraining(x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: &running,
                                        options: options, y: b["y"]!, mean: b["mean"]!, invStd: b["invStd"]!)
            batchesTracked = running.batchesTracked
        case .forwardInference:
            let running = RunningStatisticsBuffers(mean: b["running.mean"]!, variance: b["running.variance"]!)
            try backend.forwardInference(x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: running,
                                         options: options, y: b["y"]!)
        case .backward:
            try backend.backward(dy: b["dy"]!, y: nil, x: b["x"]!, shape: shape, gamma: b["gamma"], statistics: .batch(mean: b["mean"]!, invStd: b["invStd"]!), options: options, dx: b["dx"]!, dz: nil, dGamma: b["dGamma"]!, dBeta: b["dBeta"]!)
        case .backwardFrozen:
            let running = RunningStatisticsBuffers(mean: b["running.mean"]!, variance: b["running.variance"]!)
            try backend.backward(dy: b["dy"]!, y: nil, x: b["x"]!, shape: shape, gamma: b["gamma"], statistics: .running(running),
                                       options: options, dx: b["dx"]!, dz: nil, dGamma: b["dGamma"]!, dBeta: b["dBeta"]!)
        }
    }

    /// The names of the buffers that no longer hold only the sentinel, after all enqueued work.
    func changedBuffers() throws -> [String] {
        try buffers.keys.sorted().filter { name in
            try backend.download(buffers[name]!).contains { $0 != Self.sentinel }
        }
    }
}
