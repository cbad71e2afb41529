/// Where a chart's title, panels and legends go, in user units: everything ``LineChart/svg()``
/// needs beyond the data.
///
/// Every panel gets the same cell size, so that plots line up and have the same scale on screen;
/// the cell is as wide as the widest tick labels and as tall as the tallest legend need.
struct ChartLayout {
    /// One panel's place and axes.
    struct PanelPlace {
        /// The panel's plot area.
        var plot: PlotArea
        /// The top of the panel's cell, where its title goes.
        var top: Double
        /// The left edge of the panel's cell, where its y-axis label goes.
        var left: Double
        /// The panel's legend rows, each entry with its offset from the plot's left edge.
        var legendRows: [[(entry: LegendEntry, offset: Double)]]
        /// The top of the legend's first row.
        var legendTop: Double
    }

    var width: Double
    var height: Double
    var titleLines: [String]
    var subtitleLines: [String]
    var panels: [PanelPlace]

    /// Lays out `chart`.
    /// - Parameter chart: The chart.
    init(_ chart: LineChart) {
        let style = chart.style
        let scales = Self.scales(chart)
        let count = max(chart.panels.count, 1)

        // Horizontal: y-axis label, tick labels, ticks, plot, room for the last x label's right half.
        let yLabelWidth = scales.flatMap { $0.y.labels.map { TextMetrics.width(of: $0, size: style.tickLabelSize) } }
            .max() ?? 0
        let leftWidth = style.lineHeight(style.axisLabelSize) + style.labelGap + yLabelWidth + style.labelGap
            + style.tickLength
        let lastXLabelHalf = scales.compactMap { pair in
            pair.x.labels.last.map { TextMetrics.width(of: $0, size: style.tickLabelSize) / 2 }
        }.max() ?? 0
        let rightWidth = max(lastXLabelHalf, 2 * style.labelGap)
        let cellWidth = leftWidth + style.plotWidth + rightWidth

        let columns = chart.arrangement == .sideBySide ? count : 1
        width = 2 * style.margin + Double(columns) * cellWidth + Double(columns - 1) * style.panelGap

        // Vertical: title and subtitle, wrapped to the chart's width.
        let textWidth = width - 2 * style.margin
        titleLines = TextMetrics.wrapped(chart.title, width: textWidth, size: style.titleSize)
        subtitleLines = chart.subtitle.map { TextMetrics.wrapped($0, width: textWidth, size: style.subtitleSize) } ?? []
        let headerHeight = style.margin + Double(titleLines.count) * style.lineHeight(style.titleSize)
            + Double(subtitleLines.count) * style.lineHeight(style.subtitleSize) + 2 * style.labelGap

        // Each cell: panel title, plot, ticks and their labels, x-axis label, legend.
        let legendWidth = style.plotWidth + rightWidth
        let legendRows = chart.panels.map {
            LegendEntry.rows(LegendEntry.entries(of: $0), width: legendWidth, style: style)
        }
        let legendHeight = Double(legendRows.map(\.count).max() ?? 0) * style.lineHeight(style.legendSize)
        let aboveLegend = style.lineHeight(style.panelTitleSize) + style.labelGap + style.plotHeight
            + style.tickLength + style.labelGap + style.lineHeight(style.tickLabelSize)
            + style.lineHeight(style.axisLabelSize) + style.labelGap
        let cellHeight = aboveLegend + legendHeight

        let rows = chart.arrangement == .sideBySide ? 1 : count
        height = headerHeight + Double(rows) * cellHeight + Double(rows - 1) * style.panelGap + style.margin

        panels = chart.panels.indices.map { index in
            let column = chart.arrangement == .sideBySide ? index : 0
            let row = chart.arrangement == .sideBySide ? 0 : index
            let left = style.margin + Double(column) * (cellWidth + style.panelGap)
            let top = headerHeight + Double(row) * (cellHeight + style.panelGap)
            let plot = PlotArea(x: left + leftWidth, y: top + style.lineHeight(style.panelTitleSize) + style.labelGap,
                                width: style.plotWidth, height: style.plotHeight,
                                xScale: scales[index].x, yScale: scales[index].y)
            return PanelPlace(plot: plot, top: top, left: left, legendRows: legendRows[index],
                              legendTop: top + aboveLegend)
        }
    }

    /// Each panel's x and y scales, fitted to its data or to every panel's where the chart shares a
    /// range; y axes are padded by ``ChartStyle/yPadding``, x axes end at their ticks.
    private static func scales(_ chart: LineChart) -> [(x: AxisScale, y: AxisScale)] {
        let style = chart.style
        let allX = chart.panels.flatMap(\.xValues)
        let allY = chart.panels.flatMap(\.yValues)
        return chart.panels.map { panel in
            (AxisScale(panel.xAxis, values: chart.sharesXRange ? allX : panel.xValues, padding: 0,
                       maxTickCount: style.maxTickCount),
             AxisScale(panel.yAxis, values: chart.sharesYRange ? allY : panel.yValues, padding: style.yPadding,
                       maxTickCount: style.maxTickCount))
        }
    }
}

/// A panel's plot area on the page and the data ranges it shows: the map from data to user units.
struct PlotArea {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var xScale: AxisScale
    var yScale: AxisScale

    var right: Double { x + width }
    var bottom: Double { y + height }

    /// Where data value `value` goes horizontally.
    /// - Parameter value: An x value.
    /// - Returns: The user-space x; not finite when `value` cannot be placed (see ``AxisScale/fraction(_:)``).
    func pageX(_ value: Double) -> Double {
        x + xScale.fraction(value) * width
    }

    /// Where data value `value` goes vertically (up the page as the value grows).
    /// - Parameter value: A y value.
    /// - Returns: The user-space y; not finite when `value` cannot be placed (see ``AxisScale/fraction(_:)``).
    func pageY(_ value: Double) -> Double {
        bottom - yScale.fraction(value) * height
    }

    /// Where `point` goes, or nil when it cannot be drawn.
    /// - Parameter point: A data point.
    /// - Returns: The user-space point, or nil.
    func page(_ point: ChartPoint) -> (x: Double, y: Double)? {
        let (px, py) = (pageX(point.x), pageY(point.y))
        return px.isFinite && py.isFinite ? (px, py) : nil
    }
}
