import BatchNorm

extension TrainableNetwork {
    /// The fraction of `data` classified right in inference mode: batch norm normalizes with its
    /// running statistics, so each example's prediction depends on that example alone.
    /// - Parameter data: The examples.
    /// - Returns: The accuracy in [0, 1].
    /// - Throws: What a batch norm pass throws.
    func inferenceAccuracy(_ data: Dataset) throws -> Double {
        isTraining = false
        defer { isTraining = true }
        let scores = try logits(data.inputs)
        return Double(SoftmaxCrossEntropy.correct(logits: scores, labels: data.labels)) / Double(data.count)
    }

    /// The fraction of `data` classified right when batch norm normalizes each batch of `batchSize`
    /// consecutive examples with that batch's own statistics, as in training. The running statistics
    /// are restored afterwards, so the evaluation leaves the network as it was.
    /// - Parameters:
    ///   - data: The examples.
    ///   - batchSize: At least 2; a last batch of one example joins the batch before it.
    /// - Returns: The accuracy in [0, 1].
    /// - Throws: What a batch norm pass throws.
    func batchStatisticsAccuracy(_ data: Dataset, batchSize: Int) throws -> Double {
        let kept = try norms.map { try $0.runningStatistics() }
        // the statistics of each whole evaluation batch, whatever virtual batches training used
        let groups = norms.map(\.options.virtualBatchSize)
        for norm in norms { norm.options.virtualBatchSize = nil }
        defer {
            for (norm, statistics) in zip(norms, kept) { try? norm.setRunningStatistics(statistics) }
            for (norm, size) in zip(norms, groups) { norm.options.virtualBatchSize = size }
        }
        isTraining = true
        var correct = 0
        for range in batchRanges(count: data.count, size: batchSize) {
            let batch = data.rows(range)
            let scores = try logits(batch.inputs)
            correct += SoftmaxCrossEntropy.correct(logits: scores, labels: batch.labels)
        }
        return Double(correct) / Double(data.count)
    }
}

/// Consecutive index ranges of `size` covering `0..<count`; a last range of one index joins the one
/// before it, since batch statistics need at least two values.
/// - Parameters:
///   - count: The number of examples.
///   - size: The batch size, at least 2.
/// - Returns: The ranges.
func batchRanges(count: Int, size: Int) -> [Range<Int>] {
    var ranges = stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    if ranges.count > 1, let last = ranges.last, last.count == 1 {
        ranges.removeLast()
        ranges[ranges.count - 1] = ranges[ranges.count - 1].lowerBound..<last.upperBound
    }
    return ranges
}
