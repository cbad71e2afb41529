import BatchNorm

/// What a trainer needs of a network: the multilayer perceptron and the convolutional network both
/// are one. Each batch norm is a ``BatchNormLayer`` on the chosen backend; everything else runs on
/// the host.
protocol TrainableNetwork: AnyObject {
    associatedtype Backend: BatchNormBackend

    /// The network's batch norms, in order; empty for the network without batch norm.
    var norms: [BatchNormLayer<Backend>] { get }

    /// What a forward pass keeps for the backward pass.
    associatedtype Trace
    /// The gradients of the host layers' parameters.
    associatedtype Gradients

    /// The class logits of a batch in the batch norms' current mode, one row per example, and what
    /// the backward pass needs.
    /// - Parameter x: One example per row.
    /// - Throws: What a batch norm's forward pass throws.
    func forward(_ x: Matrix) throws -> (logits: Matrix, trace: Trace)

    /// Backpropagates the loss gradient: returns the host layers' gradients and leaves dγ and dβ in
    /// each batch norm.
    /// - Parameters:
    ///   - trace: The forward pass's trace, which must be this network's last forward pass.
    ///   - logitGradient: dL/dlogits.
    /// - Throws: What a batch norm's backward pass throws.
    func backward(_ trace: Trace, logitGradient: Matrix) throws -> Gradients

    /// One step of plain SGD on every parameter with `gradients`, and on every batch norm's γ and β
    /// with the gradients its last backward pass left.
    /// - Parameters:
    ///   - gradients: What ``backward(_:logitGradient:)`` returned.
    ///   - learningRate: The step size.
    /// - Throws: What a batch norm's update throws.
    func descend(_ gradients: Gradients, learningRate: Float) throws

    /// The values one unit of the last hidden layer feeds its activation, over `data`, in
    /// inference mode: the probe of the report's second figure.
    /// - Parameters:
    ///   - data: The probe examples.
    ///   - unit: The unit (a channel, in a convolutional network) of the last hidden layer.
    /// - Returns: One value per example (per example and position, for a channel).
    /// - Throws: What a batch norm pass throws.
    func lastHiddenInputs(_ data: Dataset, unit: Int) throws -> [Float]
}

extension TrainableNetwork {
    /// Whether the batch norms use batch statistics and update their running statistics.
    var isTraining: Bool {
        get { norms.first?.isTraining ?? true }
        set { for norm in norms { norm.isTraining = newValue } }
    }

    /// The batch norms' renormalization limits (``BatchNormOptions/renormalization``): nil for batch
    /// norm. Setting it changes every batch norm's options from its next training pass on.
    var renormalization: Renormalization? {
        get { norms.first?.options.renormalization }
        set { for norm in norms { norm.options.renormalization = newValue } }
    }

    /// The class logits of a batch in the batch norms' current mode, one row per example.
    /// - Parameter x: One example per row.
    /// - Throws: What a batch norm pass throws.
    func logits(_ x: Matrix) throws -> Matrix { try forward(x).logits }

    /// One training step on a batch: forward in training mode, loss, backward, plain SGD on every
    /// parameter, the batch norms' γ and β included.
    /// - Parameters:
    ///   - batch: The examples.
    ///   - learningRate: The step size.
    /// - Returns: The batch's loss and how many it classified right before the step.
    /// - Throws: What a batch norm pass throws.
    func trainingStep(_ batch: Dataset, learningRate: Float) throws -> SoftmaxCrossEntropy {
        isTraining = true
        let (logits, trace) = try forward(batch.inputs)
        let loss = SoftmaxCrossEntropy(logits: logits, labels: batch.labels)
        try descend(try backward(trace, logitGradient: loss.gradient), learningRate: learningRate)
        return loss
    }

    /// The SGD step of every batch norm's γ and β, with the gradients of its last backward pass.
    /// - Parameter learningRate: The step size.
    /// - Throws: What a batch norm's update throws.
    func descendNorms(learningRate: Float) throws {
        for norm in norms { try norm.applyGradients(learningRate: learningRate) }
    }
}
