import Foundation
@testable import bn_train
import Testing

/// The experiment's two figures and their tables, from a synthetic report.
@Suite("Report figures and tables")
struct ReportFigureTests {
    let report = ReportFixture.report()

    @Test("learning curves: loss and accuracy panels, both networks, the target and when each reached it")
    func learningCurves() throws {
        let outline = SVGOutline(report.learningCurvesChart.svg())
        #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
        // (a) one loss line per network; (b) held-out and training accuracy per network.
        #expect(outline.elements("polyline", inside: "panel1").count == 2)
        #expect(outline.elements("polyline", inside: "panel2").count == 4)
        let reached = try #require(report[.batchNorm]?.epochsToTarget)
        let legend = outline.texts(inside: "panel2-legend")
        #expect(legend.contains("with batch norm, held out (90 % at epoch \(reached))"), "\(legend)")
        #expect(legend.contains("target: 90 %"))
        #expect(outline.texts(inside: "panel1-legend") == ["with batch norm", "without batch norm"])
        // The target line, dashed, across the accuracy panel; a dot per network that reached it.
        let target = outline.elements("line", inside: "panel2")
            .filter { $0.attributes["stroke-dasharray"] != nil && !$0.ancestorIDs.contains("panel2-legend") }
        #expect(target.count == 1 && target[0].attributes["y1"] == target[0].attributes["y2"])
        #expect(outline.elements("circle", inside: "panel2").count == 2)
        // The caption is the subtitle; accuracies are in percent, so the y labels reach 100.
        #expect(outline.texts().contains(ReportFixture.caption))
        #expect(outline.texts(inside: "panel2").compactMap(Double.init).max() == 100)
    }

    @Test("a network that never reached the target says so, and gets no dot")
    func notReached() {
        var report = report
        report[.plain]?.epochsToTarget = nil
        report[.batchNorm]?.epochsToTarget = nil
        let outline = SVGOutline(report.learningCurvesChart.svg())
        let legend = outline.texts(inside: "panel2-legend")
        #expect(legend.contains("without batch norm, held out (90 % not reached)"), "\(legend)")
        #expect(outline.elements("circle", inside: "panel2").isEmpty)
    }

    @Test("a NaN loss breaks the loss line and the figure still parses")
    func divergedLoss() {
        var report = report
        report[.plain]?.epochs[40].loss = .nan
        report[.plain]?.epochs[41].loss = .infinity
        let outline = SVGOutline(report.learningCurvesChart.svg())
        #expect(outline.isWellFormed)
        #expect(outline.elements("polyline", inside: "panel1-series2").count == 2)
    }

    @Test("last hidden input: without batch norm first, three percentiles and the mean, one shared y range")
    func lastHiddenInput() {
        let outline = SVGOutline(report.lastHiddenInputChart.svg())
        #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
        #expect(outline.texts(inside: "panel1").contains("(a) without batch norm"))
        #expect(outline.texts(inside: "panel2").contains("(b) with batch norm"))
        for panel in ["panel1", "panel2"] {
            #expect(outline.elements("polyline", inside: panel).count == 4)
            #expect(outline.elements("polygon", inside: panel).count == 1)
            #expect(outline.texts(inside: "\(panel)-legend")
                == ["median (50th percentile)", "15th and 85th percentiles", "mean"])
        }
        let yTicks = { (panel: String) in
            outline.elements("text", inside: panel).filter { $0.attributes["text-anchor"] == "end" }.map(\.text)
        }
        #expect(yTicks("panel1").count >= 2 && yTicks("panel1") == yTicks("panel2"))
        // The plain network's drift (to about -3) is inside the shared range.
        #expect(yTicks("panel1").compactMap(Double.init).min()! <= -3)
        #expect(outline.texts().contains(ReportFixture.caption))
    }

    @Test("a caption with markup characters still parses, in both figures")
    func escapedCaption() {
        let caption = #"<script>&"'"#
        let report = ReportFixture.report(caption: caption)
        for chart in [report.learningCurvesChart, report.lastHiddenInputChart] {
            let outline = SVGOutline(chart.svg())
            #expect(outline.isWellFormed, "\(outline.parseError ?? "")")
            #expect(outline.texts().contains(caption))
        }
    }

    @Test("learning-curves table: long format, one row per epoch per network, in epoch order")
    func learningCurvesTable() throws {
        let lines = report.learningCurvesTable.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "epoch,network,loss,training_accuracy,held_out_accuracy")
        #expect(lines.last == "")
        #expect(lines.count == 1 + 2 * 100 + 1)
        #expect(lines[1].hasPrefix("1,batch_norm,") && lines[2].hasPrefix("1,plain,"))
        #expect(lines[200].hasPrefix("100,plain,"))
        let fields = lines[1].split(separator: ",")
        let first = try #require(report[.batchNorm]).epochs[0]
        #expect(fields.count == 5)
        #expect(Double(fields[2]) == first.loss && Double(fields[4]) == first.heldOutAccuracy)
    }

    @Test("last-hidden-input table: step, network, mean and the three percentiles")
    func lastHiddenInputTable() throws {
        let lines = report.lastHiddenInputTable.text.split(separator: "\n")
        #expect(lines.first == "step,network,mean,p15,p50,p85")
        #expect(lines.count == 1 + 2 * 101)
        let probe = try #require(report[.plain]).probes[3]
        let expected = "150,plain,\(probe.mean),\(probe.p15),\(probe.p50),\(probe.p85)"
        #expect(lines.contains(Substring(expected)))
        #expect(lines[1].hasPrefix("0,batch_norm,") && lines[2].hasPrefix("0,plain,"))
    }

    @Test("three networks: a line each, a third last-hidden-input panel, and rows in the list's order")
    func threeNetworks() throws {
        var report = report
        var renorm = try #require(report[.batchNorm])
        renorm.label = NetworkKind.batchRenorm.label
        report.networks.insert(ReportNetwork(kind: .batchRenorm, history: renorm), at: 0)
        let curves = SVGOutline(report.learningCurvesChart.svg())
        #expect(curves.isWellFormed)
        #expect(curves.texts(inside: "panel1-legend") == ["with batch renorm", "with batch norm", "without batch norm"])
        #expect(curves.texts().contains("digits: learning curves, with batch renorm, with batch norm and without batch norm"))
        let inputs = SVGOutline(report.lastHiddenInputChart.svg())
        #expect(inputs.texts(inside: "panel1").contains("(a) without batch norm"))
        #expect(inputs.texts(inside: "panel2").contains("(b) with batch norm"))
        #expect(inputs.texts(inside: "panel3").contains("(c) with batch renorm"))
        let lines = report.learningCurvesTable.text.split(separator: "\n")
        #expect(lines.count == 1 + 3 * 100)
        #expect(lines[1].hasPrefix("1,batch_renorm,") && lines[2].hasPrefix("1,batch_norm,") && lines[3].hasPrefix("1,plain,"))
    }

    @Test("file names start with the dataset, made safe for a file name")
    func fileNames() {
        #expect(report.files.map(\.name) == ["digits-learning-curves.svg", "digits-learning-curves.csv",
                                             "digits-last-hidden-input.svg", "digits-last-hidden-input.csv"])
        var odd = report
        odd.dataset = "../a b"
        #expect(odd.fileStem == "..-a-b")
        odd.dataset = ".."
        #expect(odd.fileStem == "report")
        odd.dataset = ""
        #expect(odd.fileStem == "report")
    }
}
