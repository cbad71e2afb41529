import Foundation
@testable import bn_train
import Testing

/// Writes the fixture report into the folder `BN_REPORT_PREVIEW` names, to look at the figures
/// (`rsvg-convert -w 1200 file.svg -o file.png`, or a browser). Skipped unless the variable is set.
@Suite("Report preview")
struct ReportPreview {
    static let folder = ProcessInfo.processInfo.environment["BN_REPORT_PREVIEW"]

    @Test("the fixture report, written for viewing", .enabled(if: folder != nil, "set BN_REPORT_PREVIEW to a folder"))
    func preview() throws {
        var report = ReportFixture.report()
        // One diverged epoch, to see a broken line.
        report[.plain]?.epochs[60].loss = .nan
        let paths = try ReportWriter.write(report, to: Self.folder!)
        #expect(paths.count == 4)
    }

    @Test("awkward charts, written for viewing: stacked, a diverging loss, a short run, long names",
          .enabled(if: folder != nil, "set BN_REPORT_PREVIEW to a folder"))
    func awkward() throws {
        // A plain network that diverges: the loss explodes, then is NaN; the target is never reached.
        var diverged = ReportFixture.report(epochs: 3, probes: 4, target: 0.975,
                                            caption: "circles <&> a caption long enough to wrap: "
                                                + String(repeating: "batch 16, learning rate 2, seed 7; ", count: 5))
        diverged.dataset = "circles"
        diverged[.plain]?.epochs[1].loss = 4e5
        diverged[.plain]?.epochs[2].loss = .nan
        diverged[.plain]?.epochsToTarget = nil
        diverged[.plain]?.probes[2].p85 = .infinity
        var paths = try ReportWriter.write(diverged, to: Self.folder!)

        let wave = (0...200).map { ChartPoint(Double($0) * 1e-3, 1e-4 * sin(Double($0) / 20)) }
        let stacked = LineChart(
            title: "stacked panels, small numbers", subtitle: nil,
            panels: (1...3).map { index in
                ChartPanel(title: "panel \(index)", xAxis: ChartAxis("time (s)"), yAxis: ChartAxis("signal (V)"),
                           series: (0..<index * 2).map { number in
                               ChartSeries("series \(number + 1)",
                                           points: wave.map { ChartPoint($0.x, $0.y * Double(number + 1)) },
                                           colour: .series(number), stroke: number % 3 == 1 ? .dashed : .solid)
                           },
                           referenceLines: [ReferenceLine("zero", y: 0, colour: .black, stroke: .dotted)])
            },
            arrangement: .stacked)
        try ReportWriter.write([ReportFile(name: "stacked.svg", contents: stacked.svg())], to: Self.folder!)
        paths.append(Self.folder! + "/stacked.svg")
        #expect(paths.count == 5)
    }
}
