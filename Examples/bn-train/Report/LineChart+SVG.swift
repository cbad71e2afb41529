/// The chart as a standalone SVG 1.1 document.
extension LineChart {
    /// The chart as the text of an SVG 1.1 file: the XML declaration, an `svg` element with its
    /// namespace, size and view box, a white background, the title and subtitle, then each panel.
    ///
    /// Each panel is a group `panel<i>` (from 1); each series in it a group `panel<i>-series<j>`
    /// holding one `polyline` per unbroken run of finite points (a run of one point is a `circle`),
    /// and each band a group `panel<i>-band<j>` of `polygon`s.
    /// - Returns: The document, UTF-8 text ending in a newline.
    func svg() -> String {
        let layout = ChartLayout(self)
        var svg = SVGBuilder()
        svg.raw(#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#)
        svg.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"),
            ("width", SVGBuilder.number(layout.width)), ("height", SVGBuilder.number(layout.height)),
            ("viewBox", "0 0 \(SVGBuilder.number(layout.width)) \(SVGBuilder.number(layout.height))"),
            ("font-family", style.fontFamily),
        ])
        svg.element("title", content: subtitle.map { "\(title): \($0)" } ?? title)
        svg.element("rect", [("x", "0"), ("y", "0"), ("width", SVGBuilder.number(layout.width)),
                             ("height", SVGBuilder.number(layout.height)), ("fill", "#ffffff")])
        writeClipPaths(layout, into: &svg)
        writeHeader(layout, into: &svg)
        for (index, panel) in panels.enumerated() {
            panel.write(into: &svg, at: layout.panels[index], id: "panel\(index + 1)", style: style)
        }
        svg.close()
        return svg.text
    }

    /// One clip path per panel, its plot area, so that lines outside a fixed range stop at the frame.
    private func writeClipPaths(_ layout: ChartLayout, into svg: inout SVGBuilder) {
        guard !panels.isEmpty else { return }
        svg.open("defs")
        for (index, place) in layout.panels.enumerated() {
            svg.open("clipPath", [("id", "panel\(index + 1)-clip")])
            svg.element("rect", [("x", SVGBuilder.number(place.plot.x)), ("y", SVGBuilder.number(place.plot.y)),
                                 ("width", SVGBuilder.number(place.plot.width)),
                                 ("height", SVGBuilder.number(place.plot.height))])
            svg.close()
        }
        svg.close()
    }

    /// The title in bold and the subtitle under it, each wrapped to the chart's width.
    private func writeHeader(_ layout: ChartLayout, into svg: inout SVGBuilder) {
        var top = style.margin
        for line in layout.titleLines {
            svg.element("text", [("x", SVGBuilder.number(style.margin)),
                                 ("y", SVGBuilder.number(top + style.titleSize)),
                                 ("font-size", SVGBuilder.number(style.titleSize)), ("font-weight", "bold"),
                                 ("fill", style.textColour)], content: line)
            top += style.lineHeight(style.titleSize)
        }
        for line in layout.subtitleLines {
            svg.element("text", [("x", SVGBuilder.number(style.margin)),
                                 ("y", SVGBuilder.number(top + style.subtitleSize)),
                                 ("font-size", SVGBuilder.number(style.subtitleSize)), ("fill", style.textColour)],
                        content: line)
            top += style.lineHeight(style.subtitleSize)
        }
    }
}
