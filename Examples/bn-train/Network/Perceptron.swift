import BatchNorm

/// A multilayer perceptron: (dense → batch norm → activation) per hidden layer, then a dense layer
/// to the class logits. The dense layers run in plain Swift on the host; each batch norm is a
/// ``BatchNormLayer`` on the chosen backend. Without batch norm the hidden layers are dense →
/// activation, and nothing else differs.
final class Perceptron<Backend: BatchNormBackend>: TrainableNetwork {
    var hidden: [DenseLayer]
    var output: DenseLayer
    /// One per hidden layer, or none for the network without batch norm.
    let norms: [BatchNormLayer<Backend>]
    let activation: Activation

    /// What a forward pass keeps for the backward pass, per hidden layer.
    struct Trace {
        /// The input of each hidden layer's dense layer (the network's input first).
        var inputs: [Matrix] = []
        /// The input of each hidden layer's activation: the batch norm's output, or the dense
        /// layer's without batch norm.
        var preActivations: [Matrix] = []
        /// The output of each hidden layer's activation.
        var activations: [Matrix] = []
    }

    /// - Parameters:
    ///   - layers: The hidden dense layers and the output layer, in order; the network without batch
    ///     norm gets the same values, so that both start from the same weights.
    ///   - activation: The hidden layers' nonlinearity.
    ///   - batchNorm: The backend for batch norm after each hidden dense layer, or nil for none.
    ///   - options: The batch norms' options.
    ///   - storage: How the batch norms store the tensors they read and write.
    /// - Throws: What making a ``BatchNormLayer`` throws.
    init(layers: [DenseLayer], activation: Activation, batchNorm backend: Backend?, options: BatchNormOptions,
         storage: ElementType = .float32) throws {
        let hidden = Array(layers.dropLast())
        norms = try backend.map { backend in
            try hidden.map { try BatchNormLayer(backend: backend, features: $0.bias.count, options: options, storage: storage) }
        } ?? []
        self.hidden = hidden
        output = layers[layers.count - 1]
        self.activation = activation
    }

    /// The logits of a batch, and what the backward pass needs.
    /// - Parameter x: One example per row.
    /// - Returns: One row of class logits per example, and the trace.
    /// - Throws: What a batch norm's forward pass throws.
    func forward(_ x: Matrix) throws -> (logits: Matrix, trace: Trace) {
        var trace = Trace(), current = x
        for (index, layer) in hidden.enumerated() {
            trace.inputs.append(current)
            var preActivation = layer.forward(current)
            if index < norms.count {
                preActivation.values = try norms[index].forward(preActivation.values,
                                                                shape: TensorShape(n: preActivation.rows, c: preActivation.columns))
            }
            current = Matrix(rows: preActivation.rows, columns: preActivation.columns,
                             values: activation.apply(preActivation.values))
            trace.preActivations.append(preActivation)
            trace.activations.append(current)
        }
        return (output.forward(current), trace)
    }

    /// The gradients of the dense layers, input first, then the output layer.
    struct Gradients {
        var weights: [Matrix] = []
        var biases: [[Float]] = []
    }

    /// Backpropagates the loss gradient: returns the dense layers' gradients and leaves dγ and dβ in
    /// each batch norm layer.
    /// - Parameters:
    ///   - trace: The forward pass's trace, which must be this network's last forward pass.
    ///   - logitGradient: dL/dlogits.
    /// - Returns: dL/dW and dL/db of every dense layer.
    /// - Throws: What a batch norm's backward pass throws.
    func backward(_ trace: Trace, logitGradient: Matrix) throws -> Gradients {
        var gradients = Gradients()
        var step = output.backward(input: trace.activations[trace.activations.count - 1], outputGradient: logitGradient)
        gradients.weights.append(step.weights)
        gradients.biases.append(step.bias)
        for index in hidden.indices.reversed() {
            var current = step.input
            current.values = activation.backward(current.values, inputs: trace.preActivations[index].values,
                                                 outputs: trace.activations[index].values)
            if index < norms.count {
                current.values = try norms[index].backward(current.values)
            }
            step = hidden[index].backward(input: trace.inputs[index], outputGradient: current)
            gradients.weights.insert(step.weights, at: 0)
            gradients.biases.insert(step.bias, at: 0)
        }
        return gradients
    }

    /// One step of plain SGD on every weight and bias, and on every batch norm's γ and β with the
    /// gradients its last backward pass left.
    /// - Parameters:
    ///   - gradients: What ``backward(_:logitGradient:)`` returned.
    ///   - learningRate: The step size.
    /// - Throws: What a batch norm's update throws.
    func descend(_ gradients: Gradients, learningRate: Float) throws {
        for index in hidden.indices {
            hidden[index].descend(weights: gradients.weights[index], bias: gradients.biases[index], learningRate: learningRate)
        }
        output.descend(weights: gradients.weights[hidden.count], bias: gradients.biases[hidden.count], learningRate: learningRate)
        try descendNorms(learningRate: learningRate)
    }

    func lastHiddenInputs(_ data: Dataset, unit: Int) throws -> [Float] {
        isTraining = false
        defer { isTraining = true }
        let (_, trace) = try forward(data.inputs)
        return trace.preActivations[trace.preActivations.count - 1].column(unit)
    }
}
