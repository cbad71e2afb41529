import BatchNorm

/// A small convolutional network for one-channel images: (3×3 convolution → batch norm → ReLU) per
/// block, then 2×2 max pooling and a dense layer to the class logits. Convolutions, pooling and the
/// dense layer run in plain Swift on the host; each batch norm is a ``BatchNormLayer`` on the chosen
/// backend, fusing the ReLU after it (`.relu`: one pass forward, the mask inside its backward pass)
/// and storing its tensors as the run asks. Without batch norm each block is convolution → ReLU, and
/// nothing else differs. Every tensor is in one layout, NCHW or NHWC, from the input to the pooling.
final class ConvNet<Backend: BatchNormBackend>: TrainableNetwork {
    var convolutions: [Convolution]
    var output: DenseLayer
    /// One per convolution, or none for the network without batch norm.
    let norms: [BatchNormLayer<Backend>]
    let layout: TensorLayout
    /// The input images' height and width.
    let imageSide: Int

    /// What a forward pass keeps for the backward pass.
    struct Trace {
        /// Each convolution's input (the images first).
        var inputs: [FeatureMap] = []
        /// Each block's output, after its ReLU.
        var outputs: [FeatureMap] = []
        /// Each block's input to its ReLU where the pass computed it apart: the convolution's output
        /// without batch norm, the batch norm's output when its fusion is off; nil where fused.
        var preActivations: [FeatureMap?] = []
        /// Where each pooled value came from, in the last block's output.
        var poolSources: [Int] = []
        /// The pooled map, for its shape.
        var pooled: FeatureMap?
        /// The dense layer's input: the pooled map, one row per image.
        var flattened = Matrix(rows: 0, columns: 0)
    }

    /// - Parameters:
    ///   - convolutions: The blocks' convolutions, in order, each taking the channels the one before gives.
    ///   - output: The dense layer from the pooled map (C·(side/2)² values per image) to the logits.
    ///   - layout: Where the channels go in every map.
    ///   - imageSide: The images' height and width, even.
    ///   - backend: The backend for a batch norm after each convolution, or nil for none.
    ///   - options: The batch norms' options; their fusion is set to `.relu`.
    ///   - storage: How the batch norms store the tensors they read and write.
    /// - Throws: What making a ``BatchNormLayer`` throws.
    init(convolutions: [Convolution], output: DenseLayer, layout: TensorLayout, imageSide: Int,
         batchNorm backend: Backend?, options: BatchNormOptions, storage: ElementType = .float32) throws {
        var fused = options
        fused.fusion = .relu
        norms = try backend.map { backend in
            try convolutions.map { try BatchNormLayer(backend: backend, features: $0.outputChannels, options: fused, storage: storage) }
        } ?? []
        self.convolutions = convolutions
        self.output = output
        self.layout = layout
        self.imageSide = imageSide
    }

    /// The logits of a batch, and what the backward pass needs.
    /// - Parameter x: One image per row, its pixels row by row.
    /// - Returns: One row of class logits per image, and the trace.
    /// - Throws: What a batch norm's forward pass throws.
    func forward(_ x: Matrix) throws -> (logits: Matrix, trace: Trace) {
        var trace = Trace()
        var current = FeatureMap(images: x, height: imageSide, width: imageSide, layout: layout)
        for (index, convolution) in convolutions.enumerated() {
            trace.inputs.append(current)
            let z = convolution.forward(current)
            var preActivation: FeatureMap? = z
            current = z
            if index < norms.count {
                current = z.with(values: try norms[index].forward(z.values, shape: z.shape))
                preActivation = norms[index].options.fusion == .relu ? nil : current
            }
            if preActivation != nil { current.values = Activation.relu.apply(current.values) }
            trace.preActivations.append(preActivation)
            trace.outputs.append(current)
        }
        let (pooled, sources) = MaxPool.forward(current)
        trace.pooled = pooled
        trace.poolSources = sources
        trace.flattened = pooled.flattened()
        return (output.forward(trace.flattened), trace)
    }

    /// The gradients of the host layers: each convolution's, then the dense layer's.
    struct Gradients {
        var convolutions: [(weights: [Float], bias: [Float])] = []
        var outputWeights = Matrix(rows: 0, columns: 0)
        var outputBias: [Float] = []
    }

    /// Backpropagates the loss gradient: returns the host layers' gradients and leaves dγ and dβ in
    /// each batch norm.
    /// - Parameters:
    ///   - trace: The forward pass's trace, which must be this network's last forward pass.
    ///   - logitGradient: dL/dlogits.
    /// - Returns: dL/dW and dL/db of every convolution and of the dense layer.
    /// - Throws: What a batch norm's backward pass throws.
    func backward(_ trace: Trace, logitGradient: Matrix) throws -> Gradients {
        var gradients = Gradients()
        let dense = output.backward(input: trace.flattened, outputGradient: logitGradient)
        (gradients.outputWeights, gradients.outputBias) = (dense.weights, dense.bias)
        guard let pooled = trace.pooled, let last = trace.outputs.last else { return gradients }
        var current = MaxPool.backward(pooled.unflattening(dense.input), sources: trace.poolSources, input: last)
        for index in convolutions.indices.reversed() {
            if let preActivation = trace.preActivations[index] {
                // the host's ReLU: dy where its input is positive
                current.values = Activation.relu.backward(current.values, inputs: preActivation.values,
                                                          outputs: trace.outputs[index].values)
            }
            if index < norms.count { current.values = try norms[index].backward(current.values) }
            let step = convolutions[index].backward(input: trace.inputs[index], outputGradient: current)
            gradients.convolutions.insert((step.weights, step.bias), at: 0)
            current = step.input
        }
        return gradients
    }

    /// One step of plain SGD on every convolution, the dense layer, and every batch norm's γ and β.
    /// - Parameters:
    ///   - gradients: What ``backward(_:logitGradient:)`` returned.
    ///   - learningRate: The step size.
    /// - Throws: What a batch norm's update throws.
    func descend(_ gradients: Gradients, learningRate: Float) throws {
        for (index, gradient) in gradients.convolutions.enumerated() {
            convolutions[index].descend(weights: gradient.weights, bias: gradient.bias, learningRate: learningRate)
        }
        output.descend(weights: gradients.outputWeights, bias: gradients.outputBias, learningRate: learningRate)
        try descendNorms(learningRate: learningRate)
    }

    /// One channel of the last block's input to its ReLU, at every position of every image: the last
    /// batch norm runs unfused for this pass, so that its output before the ReLU exists.
    func lastHiddenInputs(_ data: Dataset, unit: Int) throws -> [Float] {
        isTraining = false
        let last = norms.last, fusion = last?.options.fusion
        last?.options.fusion = .none
        defer {
            isTraining = true
            if let fusion { last?.options.fusion = fusion }
        }
        let (_, trace) = try forward(data.inputs)
        return trace.preActivations.last??.channel(unit) ?? []
    }
}
