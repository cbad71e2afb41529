/// Labelled examples: one row of `inputs` per example and its class.
struct Dataset: Sendable {
    /// One example per row.
    var inputs: Matrix
    /// The class of each row, in `0..<classes`.
    var labels: [Int]
    /// The number of classes.
    var classes: Int

    var count: Int { labels.count }

    /// The examples at `indices`, in that order.
    /// - Parameter indices: Row indices.
    /// - Returns: A data set of those rows.
    func rows(_ indices: some Collection<Int>) -> Dataset {
        Dataset(inputs: inputs.rows(indices), labels: indices.map { labels[$0] }, classes: classes)
    }
}

/// A data set divided into the part a network trains on and the part it is judged on.
struct DatasetSplit: Sendable {
    var training: Dataset
    var heldOut: Dataset
    /// A short description for the report, such as "1000 training and 500 held-out points".
    var description: String
}
