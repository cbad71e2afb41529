/// What a training forward pass returns.
public struct ForwardTrainingResult: Sendable, Hashable {
    /// The normalized output, in x's layout.
    public var y: [Float]
    /// The batch mean of each feature.
    public var mean: [Float]
    /// `1/√(σ² + ε)` of each feature, with σ² the biased batch variance: what the backward pass takes.
    public var invStd: [Float]

    /// - Parameters:
    ///   - y: The normalized output.
    ///   - mean: The batch means.
    ///   - invStd: The inverse standard deviations.
    public init(y: [Float], mean: [Float], invStd: [Float]) {
        self.y = y
        self.mean = mean
        self.invStd = invStd
    }
}

/// What a backward pass returns.
public struct BackwardResult: Sendable, Hashable {
    /// The gradient of the loss with respect to x, in x's layout.
    public var dx: [Float]
    /// The gradient with respect to γ: Σ dy·x̂ per feature.
    public var dGamma: [Float]
    /// The gradient with respect to β: Σ dy per feature.
    public var dBeta: [Float]
    /// The gradient with respect to `.addRelu`'s second input z; nil for other passes.
    public var dz: [Float]?

    /// - Parameters:
    ///   - dx: The input gradient.
    ///   - dGamma: The scale gradient.
    ///   - dBeta: The shift gradient.
    ///   - dz: The gradient with respect to z, for `.addRelu`; nil by default.
    public init(dx: [Float], dGamma: [Float], dBeta: [Float], dz: [Float]? = nil) {
        self.dx = dx
        self.dGamma = dGamma
        self.dBeta = dBeta
        self.dz = dz
    }
}
