/// One of the experiment's two networks as the report shows it: its history, the name tables
/// give it and the colour figures draw it in.
struct ReportNetwork: Sendable, Hashable {
    var history: TrainingHistory
    /// The `network` column's value: `batch_norm` or `plain`.
    var tableName: String
    var colour: ChartColour

    /// Formats `fraction` as a percentage with at most two decimals and none that are zero: "90 %", "97.5 %".
    /// - Parameter fraction: A fraction such as an accuracy.
    /// - Returns: The percentage, with a space before the sign.
    static func percent(_ fraction: Double) -> String {
        "\(SVGBuilder.number(fraction * 100)) %"
    }
}

extension ExperimentReport {
    /// The network with batch norm, in blue: the palette's first colour.
    var batchNormNetwork: ReportNetwork {
        ReportNetwork(history: withBatchNorm, tableName: "batch_norm", colour: .blue)
    }

    /// The network without batch norm, in vermillion, which every form of colour blindness tells from blue.
    var plainNetwork: ReportNetwork {
        ReportNetwork(history: withoutBatchNorm, tableName: "plain", colour: .vermillion)
    }

    /// Both networks' records as the rows of a long table, ordered by `position` (an epoch or a
    /// step), the batch-norm network's row first where both have one.
    /// - Parameters:
    ///   - records: A network's records: its epochs or its probes.
    ///   - position: Where a record falls in training.
    ///   - row: A record's row, given the network's table name.
    /// - Returns: The rows.
    func interleavedRows<Record>(_ records: (TrainingHistory) -> [Record], by position: (Record) -> Int,
                                 row: (String, Record) -> [String]) -> [[String]] {
        [batchNormNetwork, plainNetwork]
            .flatMap { network in records(network.history).map { (network.tableName, $0) } }
            .enumerated()
            .sorted { (position($0.element.1), $0.offset) < (position($1.element.1), $1.offset) }
            .map { row($0.element.0, $0.element.1) }
    }

    /// The dataset's name as a file-name prefix: letters, digits, `.`, `_` and `-` kept, anything
    /// else (a `/`, a space) turned into `-`, so that a name can never point outside the folder.
    var fileStem: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let stem = String(dataset.map { allowed.contains($0) ? $0 : "-" })
        return stem.isEmpty || stem.allSatisfy({ $0 == "." }) ? "report" : stem
    }
}
