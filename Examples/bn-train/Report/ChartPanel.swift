/// One axis of a panel: its label and how its range is chosen.
struct ChartAxis: Sendable, Hashable {
    /// The label under the x axis or beside the y axis, with the unit: "accuracy (%)".
    var label: String
    /// A fixed range; nil fits the range to the data and rounds it out to tick values.
    var range: ClosedRange<Double>?
    /// Whether the values are counts (epochs, steps), so that ticks fall on whole numbers.
    var isInteger: Bool
    /// Whether the axis is logarithmic: for values that span decades, such as a loss. Values that
    /// are not positive cannot be placed on it, and break lines as values that are not finite do.
    var isLogarithmic: Bool

    /// - Parameters:
    ///   - label: The axis label, with the unit.
    ///   - range: A fixed range, or nil to fit the data.
    ///   - isInteger: Whether ticks must fall on whole numbers (linear axes only).
    ///   - isLogarithmic: Whether the axis is logarithmic.
    init(_ label: String, range: ClosedRange<Double>? = nil, isInteger: Bool = false, isLogarithmic: Bool = false) {
        (self.label, self.range, self.isInteger, self.isLogarithmic) = (label, range, isInteger, isLogarithmic)
    }
}

/// One plot of a chart: a title, two axes, and what is drawn between them.
struct ChartPanel: Sendable, Hashable {
    var title: String
    var xAxis: ChartAxis
    var yAxis: ChartAxis
    /// Lines, drawn in order over the bands and reference lines.
    var series: [ChartSeries]
    /// Shaded areas, drawn first.
    var bands: [ChartBand]
    /// Horizontal lines, drawn over the bands and under the series.
    var referenceLines: [ReferenceLine]
    /// Dots, drawn last.
    var markers: [ChartMarker]

    /// - Parameters:
    ///   - title: The panel's title, above its plot.
    ///   - xAxis: The horizontal axis.
    ///   - yAxis: The vertical axis.
    ///   - series: The lines.
    ///   - bands: Shaded areas under the lines.
    ///   - referenceLines: Horizontal lines under the series.
    ///   - markers: Dots over everything.
    init(title: String, xAxis: ChartAxis, yAxis: ChartAxis, series: [ChartSeries], bands: [ChartBand] = [],
         referenceLines: [ReferenceLine] = [], markers: [ChartMarker] = []) {
        (self.title, self.xAxis, self.yAxis, self.series) = (title, xAxis, yAxis, series)
        (self.bands, self.referenceLines, self.markers) = (bands, referenceLines, markers)
    }

    /// The finite x values of everything drawn, for fitting the x axis.
    var xValues: [Double] {
        let lines: [Double] = series.flatMap { $0.points.filter(\.isFinite).map(\.x) }
        let shaded: [Double] = bands.flatMap { $0.spans.filter(\.isFinite).map(\.x) }
        let dots: [Double] = markers.map(\.point).filter(\.isFinite).map(\.x)
        return lines + shaded + dots
    }

    /// The finite y values of everything drawn, reference lines included, for fitting the y axis.
    var yValues: [Double] {
        let lines: [Double] = series.flatMap { $0.points.filter(\.isFinite).map(\.y) }
        let shaded: [Double] = bands.flatMap { $0.spans.filter(\.isFinite).flatMap { [$0.lower, $0.upper] } }
        let references: [Double] = referenceLines.map(\.y).filter(\.isFinite)
        let dots: [Double] = markers.map(\.point).filter(\.isFinite).map(\.y)
        return lines + shaded + references + dots
    }
}
