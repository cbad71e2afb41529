import BatchNorm

/// A trained convolutional network judged twice on the same examples: with its batch norms in
/// inference mode (running statistics), and with each folded into the convolution before it.
struct FoldedEvaluation: Sendable, Hashable {
    /// The held-out accuracy with batch norm in inference mode.
    var inferenceAccuracy: Double
    /// The held-out accuracy of the folded network.
    var foldedAccuracy: Double
    /// The largest |difference| between the two networks' logits over every example and class.
    var largestDifference: Double
    /// The largest |logit| of the unfolded network, which the difference compares with.
    var largestLogit: Double

    /// - Parameters:
    ///   - network: A network with batch norms, trained.
    ///   - data: The examples both evaluations classify.
    /// - Throws: What a batch norm pass or folding throws.
    init<Backend>(_ network: ConvNet<Backend>, on data: Dataset) throws {
        network.isTraining = false
        defer { network.isTraining = true }
        let unfolded = try network.logits(data.inputs), folded = try network.folded().logits(data.inputs)
        inferenceAccuracy = Double(SoftmaxCrossEntropy.correct(logits: unfolded, labels: data.labels)) / Double(data.count)
        foldedAccuracy = Double(SoftmaxCrossEntropy.correct(logits: folded, labels: data.labels)) / Double(data.count)
        largestDifference = zip(unfolded.values, folded.values).map { Double(abs($0 - $1)) }.max() ?? 0
        largestLogit = unfolded.values.map { Double(abs($0)) }.max() ?? 0
    }
}
