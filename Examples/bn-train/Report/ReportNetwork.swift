/// One of the experiment's networks as the report shows it: which it is, and its history.
struct ReportNetwork: Sendable, Hashable {
    var kind: NetworkKind
    var history: TrainingHistory

    /// The `network` column's value: `batch_norm`, `batch_renorm` or `plain`.
    var tableName: String { kind.tableName }
    /// The colour figures draw it in.
    var colour: ChartColour { kind.colour }

    /// Formats `fraction` as a percentage with at most two decimals and none that are zero: "90 %", "97.5 %".
    /// - Parameter fraction: A fraction such as an accuracy.
    /// - Returns: The percentage, with a space before the sign.
    static func percent(_ fraction: Double) -> String {
        "\(SVGBuilder.number(fraction * 100)) %"
    }
}

extension ExperimentReport {
    /// Every network's records as the rows of a long table, ordered by `position` (an epoch or a
    /// step), in the order of ``networks`` where several have one (the batch-norm network's row
    /// before the plain one's).
    /// - Parameters:
    ///   - records: A network's records: its epochs or its probes.
    ///   - position: Where a record falls in training.
    ///   - row: A record's row, given the network's table name.
    /// - Returns: The rows.
    func interleavedRows<Record>(_ records: (TrainingHistory) -> [Record], by position: (Record) -> Int,
                                 row: (String, Record) -> [String]) -> [[String]] {
        networks
            .flatMap { network in records(network.history).map { (network.tableName, $0) } }
            .enumerated()
            .sorted { (position($0.element.1), $0.offset) < (position($1.element.1), $1.offset) }
            .map { row($0.element.0, $0.element.1) }
    }

    /// The networks for a title: "with and without batch norm" for the two of `--normalization
    /// batch`, else their labels listed ("with batch renorm, with batch norm and without batch norm").
    var networksTitle: String {
        if kinds == [.batchNorm, .plain] { return "with and without batch norm" }
        let labels = networks.map(\.history.label)
        guard labels.count > 1 else { return labels.first ?? "" }
        return labels.dropLast().joined(separator: ", ") + " and " + labels[labels.count - 1]
    }

    /// The dataset's name as a file-name prefix: letters, digits, `.`, `_` and `-` kept, anything
    /// else (a `/`, a space) turned into `-`, so that a name can never point outside the folder.
    var fileStem: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let stem = String(dataset.map { allowed.contains($0) ? $0 : "-" })
        return stem.isEmpty || stem.allSatisfy({ $0 == "." }) ? "report" : stem
    }
}
