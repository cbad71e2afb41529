import BNCore

/// The weights and bias of a dense or convolution layer with the batch norm that follows it folded
/// in, so that inference runs the layer alone and no batch norm at all.
///
/// In inference a batch norm is an affine map per channel, y = γ·(z − mean)/√(variance + ε) + β,
/// and the layer before it is linear in its weights, so the two compose into one layer:
///
///     scale_c = γ_c / √(variance_c + ε)
///     W′_c    = W_c · scale_c
///     b′_c    = (b_c − mean_c) · scale_c + β_c
///
/// with c the output channel. ``folding(gamma:beta:running:options:intoWeights:bias:outputChannels:)``
/// computes this in `Double` and rounds each result once to `Float`. The folded layer's output then
/// lies within float rounding of the layer followed by
/// ``BatchNormBackend/forwardInference(x:z:shape:gamma:beta:running:options:storage:)``: rounding W′ and b′
/// costs at most 2⁻²⁴ (6e-8) of the magnitude of the terms, scale·(Σ|W·x| + |b| + |mean|) + |β|,
/// as much as rounding the layer's output to `Float` before the batch norm costs.
public struct FoldedLayer: Sendable, Hashable {
    /// The folded weights, in the layout of the weights they were folded from: output channels first.
    public var weights: [Float]
    /// The folded bias, one value per output channel. A layer that had no bias needs one now.
    public var bias: [Float]

    /// The number of output channels, which is the number of bias values.
    public var outputChannels: Int { bias.count }

    /// Folds a batch norm's inference transform into the weights and bias of the layer before it.
    ///
    /// The weights are row-major with output channels first, so that each output channel owns a
    /// contiguous block of `weights.count / outputChannels` values, whatever follows:
    ///
    /// - a dense layer: `[out][in]` (PyTorch's `Linear.weight`);
    /// - a convolution: `[out][in / groups][kh][kw]` (PyTorch's `Conv2d.weight`), grouped and
    ///   depthwise ones included, and `[out][in / groups][kd][kh][kw]` for 3-D.
    ///
    /// Weights stored with output channels last need transposing first: Keras's `Dense` kernel is
    /// `[in][out]` and its `Conv2D` kernel `[kh][kw][in][out]`, and a transposed convolution's
    /// weights are `[in][out / groups][kh][kw]`. The batch norm must take the layer's output
    /// directly, with no activation between them.
    ///
    /// The statistics must have one value per output channel. That is `.spatial` mode, and also
    /// `.perActivation` mode after a dense layer, whose output `[N][out]` has one position per
    /// channel, so that both modes normalize the same values. A convolution's per-activation
    /// statistics (one value per channel and output position) cannot fold, since every position of
    /// a channel shares its weights; the call refuses them. Only ε is read from `options`:
    /// momentum and the variance convention concern training.
    ///
    /// NaN and infinity in the weights, bias, γ, β or running mean are data: they spread into their
    /// own output channel, as in the unfolded layer. A running variance that is negative or not
    /// finite is refused, since no trained layer has one and folding would hide it in the weights.
    ///
    /// - Parameters:
    ///   - gamma: The batch norm's scale γ, one value per output channel; `nil` for 1.
    ///   - beta: The batch norm's shift β, one value per output channel; `nil` for 0.
    ///   - running: The running mean and variance the batch norm infers with.
    ///   - options: The batch norm's options; ε is `options.epsilon`.
    ///   - weights: The layer's weights, row-major with output channels first.
    ///   - bias: The layer's bias, one value per output channel; `nil` for a layer without one.
    ///   - outputChannels: The layer's number of output channels, which is the batch norm's number
    ///     of channels.
    /// - Returns: The folded weights, in the layout of `weights`, and the folded bias.
    /// - Throws: ``BatchNormError/invalidFolding(argument:reason:)`` for fewer than 1 output channel,
    ///   a weight count that is not a positive multiple of `outputChannels`, a `bias`, `gamma`, `beta`,
    ///   `running.mean` or `running.variance` without one value per output channel, or a running
    ///   variance that is negative or not finite; ``BatchNormError/invalidOption(name:value:reason:)``
    ///   for an ε that is not positive and finite or a momentum outside [0, 1], as every pass
    ///   refuses them. Nothing is computed before the checks pass.
    public static func folding(
        gamma: [Float]?, beta: [Float]?, running: RunningStatistics, options: BatchNormOptions,
        intoWeights weights: [Float], bias: [Float]?, outputChannels: Int
    ) throws -> FoldedLayer {
        try checkFolding(gamma: gamma, beta: beta, running: running, options: options,
                         weights: weights, bias: bias, outputChannels: outputChannels)
        let weightsPerChannel = weights.count / outputChannels
        let epsilon = Double(options.epsilon)
        var foldedWeights: [Float] = []
        var foldedBias: [Float] = []
        foldedWeights.reserveCapacity(weights.count)
        foldedBias.reserveCapacity(outputChannels)
        for channel in 0..<outputChannels {
            let scale = Double(gamma?[channel] ?? 1) / (Double(running.variance[channel]) + epsilon).squareRoot()
            let block = channel * weightsPerChannel..<(channel + 1) * weightsPerChannel
            foldedWeights.append(contentsOf: weights[block].map { Float(Double($0) * scale) })
            let shifted = Double(bias?[channel] ?? 0) - Double(running.mean[channel])
            foldedBias.append(Float(shifted * scale + Double(beta?[channel] ?? 0)))
        }
        return FoldedLayer(weights: foldedWeights, bias: foldedBias)
    }
}
