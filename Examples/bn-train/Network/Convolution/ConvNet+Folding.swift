import BatchNorm

extension ConvNet {
    /// The network for inference with each batch norm folded into the convolution before it
    /// (``FoldedLayer``): convolution → ReLU per block, no batch norm left, the same pooling and
    /// dense layer. Its logits equal this network's in inference mode within float rounding.
    /// - Returns: The folded network, which has no batch norms.
    /// - Throws: What downloading the running statistics or folding throws.
    func folded() throws -> ConvNet<Backend> {
        let convolutions = try zip(self.convolutions, norms).map { convolution, norm in
            let folded = try FoldedLayer.folding(
                gamma: norm.gamma, beta: norm.beta, running: try norm.runningStatistics(), options: norm.options,
                intoWeights: convolution.weights, bias: convolution.bias, outputChannels: convolution.outputChannels)
            return Convolution(inputChannels: convolution.inputChannels, outputChannels: convolution.outputChannels,
                               weights: folded.weights, bias: folded.bias)
        } + self.convolutions.dropFirst(norms.count)
        return try ConvNet(convolutions: convolutions, output: output, layout: layout, imageSide: imageSide,
                           batchNorm: nil, options: BatchNormOptions())
    }
}
