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

    /// The dataset's name as a file-name prefix: letters, digits, `.`, `_` and `-` kept, anything
    /// else (a `/`, a space) turned into `-`, so that a name can never point outside the folder.
    var fileStem: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let stem = String(dataset.map { allowed.contains($0) ? $0 : "-" })
        return stem.isEmpty || stem.allSatisfy({ $0 == "." }) ? "report" : stem
    }
}
