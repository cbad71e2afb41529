import Foundation
@testable import bn_train
import Testing

/// Logarithmic axis ticks: 1-2-5 per decade for narrow ranges, powers of ten for wide ones.
@Suite("LogTicks")
struct LogTicksTests {
    static let ranges: [(Double, Double)] = [
        (0.08, 2.31), (0.05, 4e5), (1e-9, 1e9), (3, 3), (0.001, 0.002), (1, 10), (7e-301, 2e300), (1.5, 1e6),
    ]

    @Test("ticks are 1, 2 or 5 times a power of ten, cover the range, and number at most seven", arguments: ranges)
    func covering(_ range: (Double, Double)) {
        let ticks = LogTicks(covering: range.0, range.1)
        #expect(ticks.values.count >= 2 && ticks.values.count <= 7, "\(ticks.values)")
        // Bounds are clamped to 1e±300; a billionth is forgiven as rounding.
        let (low, high) = (max(range.0, 1e-300), min(range.1, 1e300))
        #expect(ticks.values.first! <= low * (1 + 1e-9) && ticks.values.last! >= high * (1 - 1e-9),
                "\(ticks.values) for \(range)")
        for value in ticks.values {
            let exponent = log10(value).rounded(.down)
            let mantissa = value / pow(10, exponent)
            #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "\(value)")
        }
        #expect(zip(ticks.values, ticks.values.dropFirst()).allSatisfy { $0 < $1 })
        let labels = LogTicks.labels(ticks.values)
        #expect(Set(labels).count == labels.count && labels.allSatisfy { $0.count <= 7 }, "\(labels)")
    }

    @Test("a loss from 0.08 to 2.31 gets 1-2-5 ticks from 0.05 to 5; wider ranges get every n-th power of ten")
    func typical() {
        #expect(LogTicks(covering: 0.08, 2.31).values == [0.05, 0.1, 0.2, 0.5, 1, 2, 5])
        #expect(LogTicks.labels(LogTicks(covering: 0.08, 2.31).values) == ["0.05", "0.1", "0.2", "0.5", "1", "2", "5"])
        #expect(LogTicks(covering: 0.05, 4e5).values == [0.01, 1, 100, 1e4, 1e6])
        let wide = LogTicks(covering: 1e-9, 1e9)
        // One notation per axis: scientific throughout once any label needs it.
        #expect(LogTicks.labels(wide.values) == ["1e-10", "1e-5", "1e0", "1e5", "1e10"])
        #expect(LogTicks.labels([1, 10, 100, 1e4, 1e6]) == ["1e0", "1e1", "1e2", "1e4", "1e6"])
    }

    @Test("no positive finite value still makes an axis; a fixed range is kept")
    func degenerate() {
        for (low, high) in [(0.0, 0.0), (-1, -5), (.nan, .infinity), (0, 1)] {
            let ticks = LogTicks(covering: low, high)
            #expect(ticks.values.count >= 2 && ticks.values.allSatisfy { $0 > 0 && $0.isFinite }, "\(low)...\(high)")
        }
        let fixed = LogTicks(within: 0.01...100)
        #expect(fixed.range == 0.01...100)
        #expect(fixed.values == [0.01, 0.1, 1, 10, 100])
    }

    @Test("on a logarithmic axis a zero or negative value breaks the line like a NaN")
    func nonPositiveBreaks() {
        var points = (1...20).map { ChartPoint(Double($0), exp(-Double($0) / 5)) }
        points[6].y = 0
        points[12].y = -1
        let panel = ChartPanel(title: "loss", xAxis: ChartAxis("epoch"), yAxis: ChartAxis("loss", isLogarithmic: true),
                               series: [ChartSeries("loss", points: points, colour: .blue)])
        let outline = SVGOutline(LineChart(title: "t", panels: [panel]).svg())
        #expect(outline.isWellFormed)
        let pieces = outline.elements("polyline", inside: "panel1-series1")
        #expect(pieces.map { $0.attributes["points"]!.split(separator: " ").count } == [6, 5, 7])
    }
}
