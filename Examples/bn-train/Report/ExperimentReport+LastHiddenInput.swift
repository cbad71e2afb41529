/// The second figure: Ioffe and Szegedy (2015), Figure 1(b, c). The distribution of one
/// last-hidden-layer unit's input drifts during training without batch norm and stays put with it.
extension ExperimentReport {
    /// One panel per network side by side, in the reverse of ``networks``' order: (a) without and
    /// (b) with batch norm, then (c) with batch renorm when the run trained it. Each plots against the
    /// training step the 15th, 50th and 85th percentiles of the unit's input (the band between the
    /// outer two shaded) and its mean, dashed. All panels span the same x and y ranges, so that
    /// their spreads and drifts compare directly.
    var lastHiddenInputChart: LineChart {
        // The x axis ends at the last step recorded rather than at the next round tick, which can
        // leave a fifth of the plot empty.
        let panelNetworks = Array(networks.reversed())
        let lastStep = panelNetworks.compactMap { $0.history.probes.last?.step }.max() ?? 0
        let steps = lastStep > 0 ? 0...Double(lastStep) : nil
        let panels = panelNetworks.enumerated().map { index, network in
            let probes = network.history.probes
            func points(_ value: KeyPath<ProbeRecord, Double>) -> [ChartPoint] {
                probes.map { ChartPoint(Double($0.step), $0[keyPath: value]) }
            }
            let panelLetter = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index % 26)))
            return ChartPanel(
                title: "(\(panelLetter)) \(network.history.label)",
                xAxis: ChartAxis("training step", range: steps, isInteger: true),
                yAxis: ChartAxis("input to the unit's activation"),
                series: [
                    ChartSeries("median (50th percentile)", points: points(\.p50), colour: network.colour),
                    ChartSeries("15th and 85th percentiles", points: points(\.p15), colour: network.colour,
                                width: 1.25),
                    ChartSeries(nil, points: points(\.p85), colour: network.colour, width: 1.25),
                    ChartSeries("mean", points: points(\.mean), colour: .black, stroke: .dashed, width: 1.25),
                ],
                bands: [ChartBand(nil, spans: probes.map { probe in
                    ChartBand.Span(x: Double(probe.step), lower: probe.p15, upper: probe.p85)
                }, colour: network.colour)])
        }
        return LineChart(title: "\(dataset): input to one last-hidden-layer unit during training", subtitle: caption,
                         panels: panels, sharesXRange: true, sharesYRange: true)
    }

    /// The probes as a long table: `step,network,mean,p15,p50,p85`, one row per probe per network
    /// in step order.
    var lastHiddenInputTable: CSVTable {
        let rows = interleavedRows(\.probes, by: \.step) { name, probe in
            [String(probe.step), name] + [probe.mean, probe.p15, probe.p50, probe.p85].map(CSVTable.number)
        }
        return CSVTable(header: ["step", "network", "mean", "p15", "p50", "p85"], rows: rows)
    }
}
