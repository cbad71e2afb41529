import Foundation
@testable import bn_train
import Testing

/// The SVG line chart: a well-formed standalone SVG 1.1 document, one polyline per unbroken run of
/// points, text escaped, non-finite values skipped.
@Suite("SVG line chart")
struct SVGChartTests {
    /// A chart of two panels, the first with two series and a band, the second with one series.
    static func chart(title: String = "title", subtitle: String? = "subtitle", first: [ChartPoint],
                      arrangement: LineChart.Arrangement = .sideBySide) -> LineChart {
        let ramp = (0...10).map { ChartPoint(Double($0), Double($0 * $0)) }
        let left = ChartPanel(
            title: "left", xAxis: ChartAxis("x", isInteger: true), yAxis: ChartAxis("y"),
            series: [ChartSeries("first", points: first, colour: .blue),
                     ChartSeries("ramp", points: ramp, colour: .vermillion, stroke: .dashed)],
            bands: [ChartBand("band", spans: ramp.map { ChartBand.Span(x: $0.x, lower: $0.y - 1, upper: $0.y + 1) },
                              colour: .blue)],
            referenceLines: [ReferenceLine("target", y: 50)],
            markers: [ChartMarker(ChartPoint(5, 25), colour: .blue)])
        let right = ChartPanel(title: "right", xAxis: ChartAxis("x"), yAxis: ChartAxis("y"),
                               series: [ChartSeries("ramp", points: ramp, colour: .green, stroke: .dotted)])
        return LineChart(title: title, subtitle: subtitle, panels: [left, right], arrangement: arrangement)
    }

    static let line = (0...20).map { ChartPoint(Double($0), sin(Double($0) / 3)) }

    @Test("the document is standalone SVG 1.1: namespace, version, size, view box and a white background",
          arguments: [LineChart.Arrangement.sideBySide, .stacked])
    func document(_ arrangement: LineChart.Arrangement) throws {
        let text = Self.chart(first: Self.line, arrangement: arrangement).svg()
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\""))
        let outline = SVGOutline(text)
        #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
        let root = try #require(outline.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["version"] == "1.1")
        let width = try #require(root.attributes["width"].flatMap(Double.init))
        let height = try #require(root.attributes["height"].flatMap(Double.init))
        #expect(root.attributes["viewBox"] == "0 0 \(SVGBuilder.number(width)) \(SVGBuilder.number(height))")
        // Side by side is wider than tall; stacked, taller than wide.
        #expect(arrangement == .sideBySide ? width > height : height > width)
        let background = outline.elements("rect").first
        #expect(background?.attributes["fill"] == "#ffffff")
        #expect(background?.attributes["width"] == root.attributes["width"])
        #expect(outline.elements("clipPath").count == 2)
    }

    @Test("each series is one polyline, each band one polygon, and the legend names what has a name")
    func structure() {
        let outline = SVGOutline(Self.chart(first: Self.line).svg())
        #expect(outline.elements("polyline", inside: "panel1-series1").count == 1)
        #expect(outline.elements("polyline", inside: "panel1-series2").count == 1)
        #expect(outline.elements("polygon", inside: "panel1-band1").count == 1)
        #expect(outline.elements("polyline", inside: "panel2-series1").count == 1)
        #expect(outline.elements("polyline", inside: "panel2").count == 1)
        let points = outline.elements("polyline", inside: "panel1-series1")[0].attributes["points"] ?? ""
        #expect(points.split(separator: " ").count == Self.line.count)
        #expect(outline.texts(inside: "panel1-legend") == ["first", "ramp", "band", "target"])
        #expect(outline.texts(inside: "panel2-legend") == ["ramp"])
        // Dashed and dotted series say so; the solid one does not.
        #expect(outline.elements("polyline", inside: "panel1-series1")[0].attributes["stroke-dasharray"] == nil)
        #expect(outline.elements("polyline", inside: "panel1-series2")[0].attributes["stroke-dasharray"] != nil)
        #expect(outline.elements("polyline", inside: "panel2-series1")[0].attributes["stroke-dasharray"] != nil)
        #expect(outline.texts().contains("title") && outline.texts().contains("subtitle"))
    }

    @Test("a NaN or an infinity breaks the line; a lone finite point is a dot; no finite point draws nothing")
    func nonFinite() {
        var broken = Self.line
        broken[5].y = .nan
        broken[12].x = .infinity
        broken[14].y = -.infinity
        // Runs: 0–4, 6–11, 13 (alone), 15–20.
        let outline = SVGOutline(Self.chart(first: broken).svg())
        #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
        let pieces = outline.elements("polyline", inside: "panel1-series1")
        #expect(pieces.map { $0.attributes["points"]!.split(separator: " ").count } == [5, 6, 6])
        #expect(outline.elements("circle", inside: "panel1-series1").count == 1)

        let empty = SVGOutline(Self.chart(first: [ChartPoint(.nan, 1), ChartPoint(2, .nan)]).svg())
        #expect(empty.isWellFormed)
        #expect(empty.elements("polyline", inside: "panel1-series1").isEmpty)
        #expect(empty.elements("circle", inside: "panel1-series1").isEmpty)
        let text = Self.chart(first: broken).svg()
        #expect(!text.contains("nan") && !text.contains("inf"))
    }

    @Test("a band breaks where an edge is not finite")
    func bandBreaks() {
        var spans = (0...9).map { ChartBand.Span(x: Double($0), lower: 0, upper: 1) }
        spans[4].upper = .nan
        let panel = ChartPanel(title: "t", xAxis: ChartAxis("x"), yAxis: ChartAxis("y"), series: [],
                               bands: [ChartBand(nil, spans: spans, colour: .blue)])
        let outline = SVGOutline(LineChart(title: "t", panels: [panel]).svg())
        let polygons = outline.elements("polygon", inside: "panel1-band1")
        #expect(polygons.map { $0.attributes["points"]!.split(separator: " ").count } == [8, 10])
    }

    @Test("text with markup characters is escaped everywhere and reads back unchanged")
    func escaping() {
        let nasty = #"caption <&> "quoted" 'single' </svg> ]]> &amp;"#
        let control = "bell\u{7} and tab\t"
        var chart = Self.chart(title: "title " + nasty, subtitle: nasty, first: Self.line)
        chart.panels[0].title = nasty
        chart.panels[0].xAxis.label = nasty
        chart.panels[0].series[0].name = nasty
        chart.panels[1].yAxis.label = control
        let outline = SVGOutline(chart.svg())
        #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
        let texts = outline.texts()
        #expect(texts.filter { $0 == nasty }.count >= 3, "\(texts)")
        #expect(outline.texts(inside: "panel1-legend").first == nasty)
        #expect(texts.contains("bell\u{FFFD} and tab\t"))
        #expect(outline.element(id: "panel1-series1")?.attributes["id"] != nil)
        #expect(SVGBuilder.escaped(#"<a & "b" 'c'>"#) == "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;")
    }

    @Test("numbers have at most two decimals and no trailing zeros")
    func numbers() {
        #expect(SVGBuilder.number(12) == "12")
        #expect(SVGBuilder.number(3.5) == "3.5")
        #expect(SVGBuilder.number(0.123456) == "0.12")
        #expect(SVGBuilder.number(-0.001) == "0")
        #expect(SVGBuilder.number(-12.345) == "-12.35" || SVGBuilder.number(-12.345) == "-12.34")
        #expect(SVGBuilder.number(.nan) == "0")
        // Every coordinate and length in the document.
        let geometry: Set = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "points", "d",
                             "viewBox", "stroke-width", "stroke-dasharray", "font-size", "transform"]
        let outline = SVGOutline(Self.chart(first: Self.line).svg())
        var count = 0
        for element in outline.elements {
            for (name, value) in element.attributes where geometry.contains(name) {
                for match in value.matches(of: /-?[0-9]+(\.[0-9]+)?/) {
                    count += 1
                    #expect((match.output.1?.count ?? 0) <= 3, "\(element.name) \(name)=\(value)")
                    #expect(!match.output.0.hasSuffix("0") || !match.output.0.contains("."), "\(value)")
                }
            }
        }
        #expect(count > 100)
    }

    @Test("tick labels cover the data, and a shared y range gives every panel the same ticks")
    func ticks() {
        let outline = SVGOutline(Self.chart(first: Self.line).svg())
        // The ramp goes to 100 (101 with the band): the left panel's y labels reach it.
        let leftLabels = outline.texts(inside: "panel1").compactMap(Double.init)
        #expect(leftLabels.max()! >= 101 && leftLabels.min()! <= -1)

        var shared = Self.chart(first: Self.line)
        shared.panels[1].series[0].points = Self.line
        shared.sharesYRange = true
        let sharedOutline = SVGOutline(shared.svg())
        let yTicks = { (panel: String) in
            sharedOutline.elements("text", inside: panel).filter { $0.attributes["text-anchor"] == "end" }.map(\.text)
        }
        #expect(!yTicks("panel1").isEmpty)
        #expect(yTicks("panel1") == yTicks("panel2"))
    }

    @Test("a long subtitle wraps inside the chart's width instead of running off it")
    func wrapping() throws {
        let long = Array(repeating: "a long caption", count: 30).joined(separator: " ")
        let outline = SVGOutline(Self.chart(subtitle: long, first: Self.line).svg())
        let width = try #require(outline.elements.first?.attributes["width"].flatMap(Double.init))
        let lines = outline.texts().filter { $0.contains("long") || $0.contains("caption") }
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { TextMetrics.width(of: $0, size: ChartStyle().subtitleSize) <= width })
        #expect(lines.joined(separator: " ") == long)
    }

    @Test("legend entries flow into rows that fit the width; one too wide gets a row of its own")
    func legendRows() {
        let style = ChartStyle()
        let entry = LegendEntry(text: "entry", sample: .line(.blue, .solid, width: 2))
        let rows = LegendEntry.rows(Array(repeating: entry, count: 20), width: 400, style: style)
        #expect(rows.count > 1)
        for row in rows {
            #expect(row.last!.offset + row.last!.entry.width(style) <= 400)
        }
        let wide = LegendEntry(text: String(repeating: "w", count: 100), sample: .band(.blue, opacity: 0.2))
        #expect(LegendEntry.rows([entry, wide, entry], width: 400, style: style).map(\.count) == [1, 1, 1])
        #expect(LegendEntry.rows([], width: 400, style: style).isEmpty)
    }
}
