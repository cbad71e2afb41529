/// The first figure: how fast each network learns, epoch by epoch.
extension ExperimentReport {
    /// Two panels side by side: (a) the training loss per epoch on a logarithmic axis, which keeps
    /// a late difference of 0.05 against 0.1 visible and a diverging network's loss of 1e5 on the
    /// same page, (b) the held-out accuracy per epoch
    /// in percent, with the training accuracy thin and dashed, a dashed line at the target and a dot
    /// where each network first reaches it. The legend says the epoch, or that it was not reached.
    var learningCurvesChart: LineChart {
        let epoch = ChartAxis("epoch", isInteger: true)
        let loss = ChartPanel(
            title: "(a) training loss", xAxis: epoch,
            yAxis: ChartAxis("cross-entropy loss (log scale)", isLogarithmic: true),
            series: networks.map { network in
                ChartSeries(network.history.label,
                            points: network.history.epochs.map { ChartPoint(Double($0.epoch), $0.loss) },
                            colour: network.colour)
            })
        let target = ReportNetwork.percent(targetAccuracy)
        let accuracy = ChartPanel(
            title: "(b) accuracy", xAxis: epoch, yAxis: ChartAxis("accuracy (%)"),
            series: networks.flatMap { network in
                let history = network.history
                let reached = history.epochsToTarget.map { "\(target) at epoch \($0)" } ?? "\(target) not reached"
                return [
                    ChartSeries("\(history.label), held out (\(reached))",
                                points: history.epochs.map { ChartPoint(Double($0.epoch), 100 * $0.heldOutAccuracy) },
                                colour: network.colour),
                    // Thinner and dashed: the training accuracy is context, the held-out one the result.
                    ChartSeries("\(history.label), training",
                                points: history.epochs.map { ChartPoint(Double($0.epoch), 100 * $0.trainingAccuracy) },
                                colour: network.colour, stroke: .dashed, width: 1.25),
                ]
            },
            referenceLines: [ReferenceLine("target: \(target)", y: 100 * targetAccuracy)],
            markers: networks.compactMap { network in
                guard let epoch = network.history.epochsToTarget,
                      let record = network.history.epochs.first(where: { $0.epoch == epoch }) else { return nil }
                return ChartMarker(ChartPoint(Double(epoch), 100 * record.heldOutAccuracy), colour: network.colour)
            })
        return LineChart(title: "\(dataset): learning curves, \(networksTitle)", subtitle: caption,
                         panels: [loss, accuracy], sharesXRange: true)
    }

    /// The learning curves as a long table: `epoch,network,loss,training_accuracy,held_out_accuracy`,
    /// one row per epoch per network in epoch order, accuracies as fractions as recorded.
    var learningCurvesTable: CSVTable {
        let rows = interleavedRows(\.epochs, by: \.epoch) { name, record in
            [String(record.epoch), name, CSVTable.number(record.loss),
             CSVTable.number(record.trainingAccuracy), CSVTable.number(record.heldOutAccuracy)]
        }
        return CSVTable(header: ["epoch", "network", "loss", "training_accuracy", "held_out_accuracy"], rows: rows)
    }
}
