import ArgumentParser
import Foundation
import BNToolSupport

extension BNGPUBench {
    /// `bn-gpu-bench compare`: a report of `--json` beside PyTorch's timings of the same shapes, as
    /// Markdown, with the lines that judge the targets.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a --json report beside PyTorch's batch norm on the same shapes, as Markdown.",
            discussion: """
                peer.json is the JSON of torch_bn_anchor.py --json (PyTorch on the GPU, an object with \
                "copy_gbs" and "rows") or of a CPU anchor (torch_cpu_bn.py, ort_bn.py, openvino_bn.py, \
                tinygrad_bn.py: a list of rows); --peer-name names it. A pass the peer times as null (ONNX \
                Runtime and OpenVINO time inference only) is a row it lacks. Our f32 rows \
                without fusion of forward_training, forward_inference and backward count; each is matched with \
                the peer's row of the same shape and layout, and ours / PyTorch is PyTorch's ms over ours; a \
                row the peer lacks shows "—" and counts in no summary. After the table come the geometric \
                means per pass and layout, the lowest fractions of copy, the 60x100 passes summed, and the \
                largest error, each against its target where it has one.
                """)

        @Argument(help: ArgumentHelp("The report of `bn-gpu-bench --json`.", valueName: "ours.json"))
        var ours: String

        @Argument(help: ArgumentHelp("The peer's timings, from an anchor script.", valueName: "peer.json"))
        var peer: String

        @Option(help: ArgumentHelp("What the target lines start with, such as H100 (default: the report's device name).",
                                   valueName: "name"))
        var label: String?

        @Option(help: ArgumentHelp("What the document calls the peer, such as \"ONNX Runtime\" (default: PyTorch).",
                                   valueName: "name"))
        var peerName = "PyTorch"

        func validate() throws {
            if let label, label.allSatisfy(\.isWhitespace) {
                throw ValidationError("--label is empty; give a name such as H100, or leave it out to use the report's device name")
            }
            if peerName.allSatisfy(\.isWhitespace) {
                throw ValidationError("--peer-name is empty; give a name such as \"ONNX Runtime\", or leave it out for PyTorch")
            }
        }

        mutating func run() throws {
            do {
                print(try markdown(), terminator: "")
            } catch let error as ReportFile.ReadError {
                StandardError.print("Error: \(error)")
                throw ExitCode.failure
            }
        }

        /// Reads both files and writes the comparison.
        /// - Returns: The Markdown document.
        /// - Throws: ``ReportFile/ReadError`` naming the file that cannot be read or does not hold a report.
        func markdown() throws -> String {
            let saved = try ReportFile.load(SavedReport.self, from: ours, expected: SavedReport.expected)
            let peerReport = try ReportFile.load(PeerReport.self, from: peer, expected: PeerReport.expected)
            let sources = Comparison.Sources(oursPath: ours, device: saved.device, oursCopyGBps: saved.copyGBps,
                                             peerPath: peer, peerCopyGBps: peerReport.copyGBps)
            return Comparison(ours: saved, peer: peerReport, peerName: peerName).markdown(sources, label: label ?? saved.device)
        }
    }
}
