/// One entry of a panel's legend: a sample of how something is drawn, and its name.
struct LegendEntry: Sendable, Hashable {
    /// What the sample shows.
    enum Sample: Sendable, Hashable {
        /// A short line, stroked as the series or reference line is.
        case line(ChartColour, ChartStroke, width: Double)
        /// A small filled box, as the band is filled.
        case band(ChartColour, opacity: Double)
    }

    var text: String
    var sample: Sample

    /// The entries of `panel`'s named series, bands and reference lines, in that order: the order
    /// the panel lists them, so that a caller chooses the legend's order.
    /// - Parameter panel: The panel.
    /// - Returns: Its legend's entries.
    static func entries(of panel: ChartPanel) -> [LegendEntry] {
        let series = panel.series.compactMap { series in
            series.name.map { LegendEntry(text: $0, sample: .line(series.colour, series.stroke, width: series.width)) }
        }
        let bands = panel.bands.compactMap { band in
            band.name.map { LegendEntry(text: $0, sample: .band(band.colour, opacity: band.opacity)) }
        }
        let lines = panel.referenceLines.compactMap { line in
            line.name.map { LegendEntry(text: $0, sample: .line(line.colour, line.stroke, width: line.width)) }
        }
        return series + bands + lines
    }

    /// The entry's width: sample, gap, text.
    /// - Parameter style: The chart's sizes.
    /// - Returns: The width in user units.
    func width(_ style: ChartStyle) -> Double {
        style.legendSampleLength + style.labelGap + TextMetrics.width(of: text, size: style.legendSize)
    }

    /// `entries` placed left to right in rows no wider than `width` where entries allow (an entry
    /// wider than `width` gets a row of its own), with each entry's offset from the row's start.
    /// - Parameters:
    ///   - entries: The entries, in order.
    ///   - width: The widest a row may be.
    ///   - style: The chart's sizes.
    /// - Returns: The rows, each a list of entries and their offsets; empty for no entries.
    static func rows(_ entries: [LegendEntry], width: Double,
                     style: ChartStyle) -> [[(entry: LegendEntry, offset: Double)]] {
        var rows: [[(entry: LegendEntry, offset: Double)]] = []
        var row: [(entry: LegendEntry, offset: Double)] = []
        var used = 0.0
        for entry in entries {
            let start = row.isEmpty ? 0 : used + style.legendEntryGap
            if !row.isEmpty && start + entry.width(style) > width {
                rows.append(row)
                row = [(entry, 0)]
                used = entry.width(style)
            } else {
                row.append((entry, start))
                used = start + entry.width(style)
            }
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}
