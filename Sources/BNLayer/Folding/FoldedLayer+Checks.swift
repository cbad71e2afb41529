import BNCore

/// The checks of a fold, run before anything is computed, each naming the argument at fault.
extension FoldedLayer {
    /// Throws unless the arguments of ``folding(gamma:beta:running:options:intoWeights:bias:outputChannels:)``
    /// fit together; see that function for the rules.
    static func checkFolding(
        gamma: [Float]?, beta: [Float]?, running: RunningStatistics, options: BatchNormOptions,
        weights: [Float], bias: [Float]?, outputChannels: Int
    ) throws {
        guard outputChannels >= 1 else {
            throw BatchNormError.invalidFolding(
                argument: "outputChannels",
                reason: "is \(outputChannels); a layer has at least 1 output channel, the number of channels of the batch norm after it")
        }
        guard !weights.isEmpty, weights.count % outputChannels == 0 else {
            throw BatchNormError.invalidFolding(
                argument: "weights",
                reason: "has \(weights.count) elements, which is not a positive multiple of \(outputChannels) output channels; "
                    + "give the weights row-major with output channels first ([out][in] for a dense layer, "
                    + "[out][in/groups][kh][kw] for a convolution), and transpose kernels stored output channels last, such as Keras's")
        }
        try options.validate()
        let perChannel: KeyValuePairs<String, Int?> = [
            "bias": bias?.count, "gamma": gamma?.count, "beta": beta?.count,
            "running.mean": running.mean.count, "running.variance": running.variance.count,
        ]
        for (argument, count) in perChannel {
            guard let count, count != outputChannels else { continue }
            throw BatchNormError.invalidFolding(
                argument: argument,
                reason: "has \(count) elements but the layer has \(outputChannels) output channels; "
                    + perChannelAdvice(argument: argument, count: count, outputChannels: outputChannels, mode: options.mode))
        }
        for (channel, variance) in running.variance.enumerated() where !(variance.isFinite && variance >= 0) {
            throw BatchNormError.invalidFolding(
                argument: "running.variance[\(channel)]",
                reason: "is \(variance); a variance is finite and at least 0, so these statistics are damaged: "
                    + "load the running statistics the batch norm was trained with")
        }
    }

    /// What to do about a per-channel array of the wrong length: a convolution's per-activation
    /// batch norm gets the reason it cannot fold, anything else the count to give.
    private static func perChannelAdvice(argument: String, count: Int, outputChannels: Int, mode: NormalizationMode) -> String {
        if mode == .perActivation, argument != "bias", count > outputChannels, count % outputChannels == 0 {
            return "a convolution's per-activation batch norm has one value per channel and output position, "
                + "but every position of a channel shares its weights, so only a per-channel (.spatial) batch norm folds"
        }
        let absent = ["bias": ", or nil for a layer without bias", "gamma": ", or nil for γ = 1", "beta": ", or nil for β = 0"]
        return "give one value per output channel" + (absent[argument] ?? "")
    }
}
