import BNCore

/// One device-resident training step of a test case, forward training then backward on buffers,
/// with every buffer made once and reused as a training loop reuses them.
public struct TrainingStep<Backend: BatchNormBackend> {
    public let backend: Backend
    public let shape: TensorShape
    public let options: BatchNormOptions
    public let x: Backend.Buffer, dy: Backend.Buffer, gamma: Backend.Buffer, beta: Backend.Buffer
    public let y: Backend.Buffer, mean: Backend.Buffer, invStd: Backend.Buffer
    public let dx: Backend.Buffer, dGamma: Backend.Buffer, dBeta: Backend.Buffer
    /// Updated by every step.
    public var running: RunningStatisticsBuffers<Backend.Buffer>

    /// Uploads the inputs of `testCase` and makes the outputs.
    /// - Parameters:
    ///   - backend: The backend the step runs on.
    ///   - testCase: The shape and data profile.
    ///   - options: The options of both passes.
    ///   - seed: The seed of the inputs (``TestInputs``).
    /// - Throws: What the backend's `upload` and `makeBuffer` throw.
    public init(backend: Backend, testCase: TestCase, options: BatchNormOptions = BatchNormOptions(), seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: options.mode, seed: seed)
        self.backend = backend
        self.shape = testCase.shape
        self.options = options
        (x, dy) = (try backend.upload(inputs.x), try backend.upload(inputs.dy))
        (gamma, beta) = (try backend.upload(inputs.gamma), try backend.upload(inputs.beta))
        let features = inputs.gamma.count
        (y, dx) = (try backend.makeBuffer(count: inputs.x.count), try backend.makeBuffer(count: inputs.x.count))
        (mean, invStd) = (try backend.makeBuffer(count: features), try backend.makeBuffer(count: features))
        (dGamma, dBeta) = (try backend.makeBuffer(count: features), try backend.makeBuffer(count: features))
        running = try backend.upload(inputs.running)
    }

    /// Enqueues forward training (updating ``running``), then backward with the batch statistics it saved.
    /// - Throws: What the backend's passes throw.
    public mutating func run() throws {
        try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running, options: options,
                                    y: y, mean: mean, invStd: invStd)
        try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd), options: options,
                             dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
    }

    /// The outputs of the last step, once it has finished: y, mean, invStd, dx, dγ and dβ.
    /// - Returns: The six arrays, in that order.
    /// - Throws: What the backend's `download` throws.
    public func outputs() throws -> [[Float]] {
        try [y, mean, invStd, dx, dGamma, dBeta].map(backend.download)
    }
}
