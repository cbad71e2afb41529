/// One panel drawn into an SVG document.
extension ChartPanel {
    /// The vertical offset from a tick to its label's baseline that centres digits on the tick:
    /// about half the cap height of the fonts named (0.72 em in DejaVu Sans and Helvetica).
    private static let centringOffset = 0.36
    /// A band's legend sample is a box this fraction of the legend's font size tall: about a
    /// capital letter's height, so that it sits level with the text.
    private static let bandSampleHeight = 0.8

    /// Writes the panel: grid, bands, reference lines, series and markers clipped to the plot, then
    /// the frame, ticks, labels, title and legend.
    /// - Parameters:
    ///   - svg: The document to add to.
    ///   - place: Where the panel goes and its axes.
    ///   - id: The panel's group id, which prefixes its parts' ids.
    ///   - style: Sizes and fonts.
    func write(into svg: inout SVGBuilder, at place: ChartLayout.PanelPlace, id: String, style: ChartStyle) {
        let plot = place.plot
        svg.open("g", [("id", id)])
        writeGrid(plot, into: &svg, style: style)

        svg.open("g", [("clip-path", "url(#\(id)-clip)")])
        for (index, band) in bands.enumerated() {
            Self.write(band, in: plot, id: "\(id)-band\(index + 1)", into: &svg)
        }
        for line in referenceLines where plot.pageY(line.y).isFinite {
            let y = SVGBuilder.number(plot.pageY(line.y))
            svg.element("line", [("x1", SVGBuilder.number(plot.x)), ("y1", y), ("x2", SVGBuilder.number(plot.right)),
                                 ("y2", y)] + Self.strokeAttributes(line.colour, line.stroke, width: line.width))
        }
        for (index, series) in series.enumerated() {
            Self.write(series, in: plot, id: "\(id)-series\(index + 1)", into: &svg)
        }
        for marker in markers {
            guard let center = plot.page(marker.point) else { continue }
            svg.element("circle", [("cx", SVGBuilder.number(center.x)), ("cy", SVGBuilder.number(center.y)),
                                   ("r", SVGBuilder.number(style.markerRadius)), ("fill", marker.colour.hex),
                                   ("stroke", "#ffffff"), ("stroke-width", "1.5")])
        }
        svg.close()

        writeAxes(plot, into: &svg, style: style)
        writeLabels(place, into: &svg, style: style)
        writeLegend(place, id: id, into: &svg, style: style)
        svg.close()
    }

    /// Light lines across the plot at every tick.
    private func writeGrid(_ plot: PlotArea, into svg: inout SVGBuilder, style: ChartStyle) {
        var path = ""
        for value in plot.xScale.ticks {
            let x = SVGBuilder.number(plot.pageX(value))
            path += "M\(x),\(SVGBuilder.number(plot.y))V\(SVGBuilder.number(plot.bottom))"
        }
        for value in plot.yScale.ticks {
            let y = SVGBuilder.number(plot.pageY(value))
            path += "M\(SVGBuilder.number(plot.x)),\(y)H\(SVGBuilder.number(plot.right))"
        }
        guard !path.isEmpty else { return }
        svg.element("path", [("d", path), ("fill", "none"), ("stroke", style.gridColour), ("stroke-width", "1")])
    }

    /// The frame around the plot and the tick marks outside it.
    private func writeAxes(_ plot: PlotArea, into svg: inout SVGBuilder, style: ChartStyle) {
        svg.element("rect", [("x", SVGBuilder.number(plot.x)), ("y", SVGBuilder.number(plot.y)),
                             ("width", SVGBuilder.number(plot.width)), ("height", SVGBuilder.number(plot.height)),
                             ("fill", "none"), ("stroke", style.axisColour), ("stroke-width", "1")])
        var path = ""
        for value in plot.xScale.ticks {
            path += "M\(SVGBuilder.number(plot.pageX(value))),\(SVGBuilder.number(plot.bottom))"
                + "v\(SVGBuilder.number(style.tickLength))"
        }
        for value in plot.yScale.ticks {
            path += "M\(SVGBuilder.number(plot.x)),\(SVGBuilder.number(plot.pageY(value)))"
                + "h\(SVGBuilder.number(-style.tickLength))"
        }
        guard !path.isEmpty else { return }
        svg.element("path", [("d", path), ("fill", "none"), ("stroke", style.axisColour), ("stroke-width", "1")])
    }

    /// Tick labels, axis labels and the panel's title.
    private func writeLabels(_ place: ChartLayout.PanelPlace, into svg: inout SVGBuilder, style: ChartStyle) {
        let plot = place.plot
        let tickSize = SVGBuilder.number(style.tickLabelSize)
        let xLabelBaseline = plot.bottom + style.tickLength + style.labelGap + style.tickLabelSize
        for (value, label) in zip(plot.xScale.ticks, plot.xScale.labels) {
            svg.element("text", [("x", SVGBuilder.number(plot.pageX(value))), ("y", SVGBuilder.number(xLabelBaseline)),
                                 ("font-size", tickSize), ("text-anchor", "middle"), ("fill", style.textColour)],
                        content: label)
        }
        for (value, label) in zip(plot.yScale.ticks, plot.yScale.labels) {
            let baseline = plot.pageY(value) + style.tickLabelSize * Self.centringOffset
            svg.element("text", [("x", SVGBuilder.number(plot.x - style.tickLength - style.labelGap)),
                                 ("y", SVGBuilder.number(baseline)), ("font-size", tickSize),
                                 ("text-anchor", "end"), ("fill", style.textColour)],
                        content: label)
        }
        let axisSize = SVGBuilder.number(style.axisLabelSize)
        let xAxisBaseline = plot.bottom + style.tickLength + style.labelGap + style.lineHeight(style.tickLabelSize)
            + style.axisLabelSize
        svg.element("text", [("x", SVGBuilder.number(plot.x + plot.width / 2)), ("y", SVGBuilder.number(xAxisBaseline)),
                             ("font-size", axisSize), ("text-anchor", "middle"), ("fill", style.textColour)],
                    content: xAxis.label)
        // Rotated a quarter turn anticlockwise about its own anchor, the label reads bottom to top
        // with its baseline one font size right of the cell's edge and its glyphs left of it.
        let (yAxisX, yAxisY) = (SVGBuilder.number(place.left + style.axisLabelSize),
                                SVGBuilder.number(plot.y + plot.height / 2))
        svg.element("text", [("x", yAxisX), ("y", yAxisY), ("transform", "rotate(-90 \(yAxisX) \(yAxisY))"),
                             ("font-size", axisSize), ("text-anchor", "middle"), ("fill", style.textColour)],
                    content: yAxis.label)
        svg.element("text", [("x", SVGBuilder.number(plot.x + plot.width / 2)),
                             ("y", SVGBuilder.number(place.top + style.panelTitleSize)),
                             ("font-size", SVGBuilder.number(style.panelTitleSize)), ("font-weight", "bold"),
                             ("text-anchor", "middle"), ("fill", style.textColour)],
                    content: title)
    }

    /// The legend under the x-axis label, in rows from the plot's left edge, where it never covers data.
    private func writeLegend(_ place: ChartLayout.PanelPlace, id: String, into svg: inout SVGBuilder,
                             style: ChartStyle) {
        guard !place.legendRows.isEmpty else { return }
        svg.open("g", [("id", "\(id)-legend")])
        for (row, entries) in place.legendRows.enumerated() {
            let top = place.legendTop + Double(row) * style.lineHeight(style.legendSize)
            let middle = top + style.lineHeight(style.legendSize) / 2
            for (entry, offset) in entries {
                let x = place.plot.x + offset
                switch entry.sample {
                case let .line(colour, stroke, width):
                    svg.element("line", [("x1", SVGBuilder.number(x)), ("y1", SVGBuilder.number(middle)),
                                         ("x2", SVGBuilder.number(x + Self.sampleLength(stroke, width: width, style))),
                                         ("y2", SVGBuilder.number(middle))]
                                + Self.strokeAttributes(colour, stroke, width: width))
                case let .band(colour, opacity):
                    let boxHeight = style.legendSize * Self.bandSampleHeight
                    svg.element("rect", [("x", SVGBuilder.number(x)), ("y", SVGBuilder.number(middle - boxHeight / 2)),
                                         ("width", SVGBuilder.number(style.legendSampleLength)),
                                         ("height", SVGBuilder.number(boxHeight)), ("fill", colour.hex),
                                         ("fill-opacity", SVGBuilder.number(opacity))])
                }
                svg.element("text", [("x", SVGBuilder.number(x + style.legendSampleLength + style.labelGap)),
                                     ("y", SVGBuilder.number(middle + style.legendSize * Self.centringOffset)),
                                     ("font-size", SVGBuilder.number(style.legendSize)), ("fill", style.textColour)],
                            content: entry.text)
            }
        }
        svg.close()
    }

    /// A series as one polyline per run of points that can be placed, or a dot for a run of one.
    private static func write(_ series: ChartSeries, in plot: PlotArea, id: String, into svg: inout SVGBuilder) {
        svg.open("g", [("id", id)])
        if let name = series.name { svg.element("title", content: name) }
        for points in runs(series.points.map(plot.page)) {
            if points.count == 1 {
                svg.element("circle", [("cx", SVGBuilder.number(points[0].x)), ("cy", SVGBuilder.number(points[0].y)),
                                       ("r", SVGBuilder.number(series.width)), ("fill", series.colour.hex)])
            } else if points.count > 1 {
                svg.element("polyline", [("points", SVGBuilder.points(points)), ("fill", "none"),
                                         ("stroke-linejoin", "round")]
                            + strokeAttributes(series.colour, series.stroke, width: series.width))
            }
        }
        svg.close()
    }

    /// A band as one polygon per run of spans whose edges can both be placed: along the lower edge,
    /// back along the upper.
    private static func write(_ band: ChartBand, in plot: PlotArea, id: String, into svg: inout SVGBuilder) {
        svg.open("g", [("id", id)])
        if let name = band.name { svg.element("title", content: name) }
        let edges = band.spans.map { span -> [(x: Double, y: Double)]? in
            guard let lower = plot.page(ChartPoint(span.x, span.lower)),
                  let upper = plot.page(ChartPoint(span.x, span.upper)) else { return nil }
            return [lower, upper]
        }
        for run in runs(edges) where run.count > 1 {
            let lower = run.map { $0[0] }
            let upper = run.map { $0[1] }
            svg.element("polygon", [("points", SVGBuilder.points(lower + upper.reversed())),
                                    ("fill", band.colour.hex), ("fill-opacity", SVGBuilder.number(band.opacity)),
                                    ("stroke", "none")])
        }
        svg.close()
    }

    /// The length of a legend's line sample: the full sample length for a solid line; for a dashed
    /// or dotted one, as many whole dash periods as fit, plus one more dash, so that the sample
    /// ends on a dash rather than a stub.
    private static func sampleLength(_ stroke: ChartStroke, width: Double, _ style: ChartStyle) -> Double {
        guard let dashes = stroke.dashArray(width: width), dashes.count == 2 else { return style.legendSampleLength }
        let period = dashes[0] + dashes[1]
        let periods = ((style.legendSampleLength - dashes[0]) / period).rounded(.down)
        return max(periods, 0) * period + dashes[0]
    }

    /// The runs of consecutive non-nil elements, in order: nil breaks a line.
    private static func runs<Element>(_ elements: [Element?]) -> [[Element]] {
        var runs: [[Element]] = []
        var run: [Element] = []
        for element in elements {
            if let element {
                run.append(element)
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        return runs
    }

    /// `stroke`, `stroke-width` and, for a dashed or dotted line, `stroke-dasharray` and the caps
    /// that keep the dashes as drawn.
    private static func strokeAttributes(_ colour: ChartColour, _ stroke: ChartStroke,
                                         width: Double) -> [SVGBuilder.Attribute] {
        var attributes: [SVGBuilder.Attribute] = [("stroke", colour.hex), ("stroke-width", SVGBuilder.number(width))]
        if let dashes = stroke.dashArray(width: width) {
            attributes.append(("stroke-dasharray", dashes.map(SVGBuilder.number).joined(separator: " ")))
            // Round caps make a dot of a zero-length dash; butt caps keep a dash its drawn length.
            attributes.append(("stroke-linecap", stroke == .dotted ? "round" : "butt"))
        } else {
            attributes.append(("stroke-linecap", "round"))
        }
        return attributes
    }
}
