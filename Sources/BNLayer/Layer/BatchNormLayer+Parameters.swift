import BNCore

/// Reading and setting a layer's parameters, running statistics and gradients, and the SGD step.
extension BatchNormLayer {
    /// Replaces γ and β, on the backend and in ``gamma`` and ``beta``.
    /// - Parameters:
    ///   - gamma: The new scale, one value per feature.
    ///   - beta: The new shift, one value per feature.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` when a count is not ``features``,
    ///   before anything changes; or a device error.
    public func setParameters(gamma: [Float], beta: [Float]) throws {
        try checkFeatureCount("gamma", gamma.count)
        try checkFeatureCount("beta", beta.count)
        try backend.write(gamma, to: gammaBuffer)
        self.gamma = gamma
        try backend.write(beta, to: betaBuffer)
        self.beta = beta
    }

    /// The running statistics, downloaded after all enqueued work has finished.
    /// - Returns: The running mean and variance and the batches counted.
    /// - Throws: A device error.
    public func runningStatistics() throws -> RunningStatistics {
        try backend.download(running)
    }

    /// Replaces the running statistics, as loading a trained model does.
    /// - Parameter statistics: The new mean and variance, one value per feature, and the batches counted.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` when a count is not ``features``,
    ///   before anything changes; or a device error.
    public func setRunningStatistics(_ statistics: RunningStatistics) throws {
        try checkFeatureCount("running.mean", statistics.mean.count)
        try checkFeatureCount("running.variance", statistics.variance.count)
        try backend.write(statistics.mean, to: running.mean)
        try backend.write(statistics.variance, to: running.variance)
        running.batchesTracked = statistics.batchesTracked
    }

    /// dγ and dβ of the last backward pass, downloaded; zero before the first.
    /// - Returns: The gradients of the loss with respect to γ and β.
    /// - Throws: A device error.
    public func parameterGradients() throws -> (gamma: [Float], beta: [Float]) {
        (try backend.download(gammaGradient), try backend.download(betaGradient))
    }

    /// One step of plain stochastic gradient descent on γ and β with the last backward pass's
    /// gradients: γ ← γ − rate·dγ, β ← β − rate·dβ. The arithmetic runs on the host, which holds γ
    /// and β already: the step downloads 2·C gradients and uploads 2·C parameters.
    /// - Parameter learningRate: The step size; finite.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` for a rate that is NaN or
    ///   infinite, before anything changes; or a device error.
    public func applyGradients(learningRate: Float) throws {
        guard learningRate.isFinite else {
            throw BatchNormError.invalidOption(name: "learningRate", value: "\(learningRate)", reason: "the learning rate must be finite")
        }
        let gradients = try parameterGradients()
        try setParameters(gamma: zip(gamma, gradients.gamma).map { $0 - learningRate * $1 },
                          beta: zip(beta, gradients.beta).map { $0 - learningRate * $1 })
    }

    /// Throws unless an array for the layer has one value per feature.
    private func checkFeatureCount(_ name: String, _ count: Int) throws {
        guard count == features else {
            throw BatchNormError.invalidOption(name: name, value: "\(count) elements",
                                               reason: "the layer has \(features) features; give one value per feature")
        }
    }
}
