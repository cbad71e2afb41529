/// What a training forward pass returns.
public struct ForwardTrainingResult: Sendable, Hashable {
    /// The normalized output, in x's layout.
    public var y: [Float]
    /// The batch mean of each feature.
    public var mean: [Float]
    /// `1/√(σ² + ε)` of each feature, with σ² the biased batch variance: what the backward pass takes.
    public var invStd: [Float]
    /// Batch Renormalization's r and d per feature, when the options asked for it; nil otherwise.
    public var corrections: RenormCorrections<[Float]>?

    /// - Parameters:
    ///   - y: The normalized output.
    ///   - mean: The batch means.
    ///   - invStd: The inverse standard deviations.
    ///   - corrections: r and d of a renormalizing pass; nil by default.
    public init(y: [Float], mean: [Float], invStd: [Float], corrections: RenormCorrections<[Float]>? = nil) {
        self.y = y
        self.mean = mean
        self.invStd = invStd
        self.corrections = corrections
    }

    /// The statistics the backward pass of this forward pass takes: `.batch`, or `.renormalized`
    /// with r and d when the pass renormalized.
    public var statistics: BackwardStatistics<[Float]> {
        guard let corrections else { return .batch(mean: mean, invStd: invStd) }
        return .renormalized(mean: mean, invStd: invStd, r: corrections.r, d: corrections.d)
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
