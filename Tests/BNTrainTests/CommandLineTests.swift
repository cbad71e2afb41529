import BNTestSupport
import Foundation
import Testing

extension ProductProcess {
    /// The example under test.
    static let train = ProductProcess(name: "bn-train")
}

/// bn-train run as a user runs it: its last line, its exit status and its messages for bad arguments.
@Suite("bn-train on the command line", .enabled(if: ProductProcess.train.executable != nil))
struct CommandLineTests {
    /// Whether `line` has the issue's form of the last line.
    static func isLastLine(_ line: String) -> Bool {
        line.wholeMatch(of: #/epochs to \d+(\.\d+)?% accuracy: with batch norm (\d+|not reached), without (\d+|not reached)/#) != nil
    }

    /// Whether `line` is the last line of `--normalization renorm` or `none`: each network's
    /// held-out accuracy with one decimal.
    static func isAccuracyLine(_ line: String) -> Bool {
        line.wholeMatch(of: #/held-out accuracy in inference mode: (batch renorm \d+\.\d %, batch norm \d+\.\d %, )?none \d+\.\d %/#) != nil
    }

    @Test("a short run on each data set ends with the epochs-to-target line", arguments: [
        ["--dataset", "circles", "--samples", "240", "--epochs", "3"],
        ["--dataset", "digits", "--hidden", "12,12", "--epochs", "2"],
        ["--dataset", "circles", "--samples", "240", "--epochs", "3", "--normalization", "batch"],
    ])
    func shortRun(arguments: [String]) throws {
        let outcome = try ProductProcess.train.run(arguments + ["--backend", "cpu", "--no-plots"])
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.standardOutput.split(separator: "\n")
        let last = try #require(lines.last.map(String.init))
        #expect(Self.isLastLine(last), "\(last)")
        #expect(lines.contains { $0.hasPrefix("epoch ") && $0.contains("with batch norm: loss") })
        #expect(lines.contains { $0.contains("running statistics (inference mode)") })
    }

    @Test("a convolutional run in each layout and storage ends with the epochs-to-target line, after the folded evaluation",
          arguments: [["--layout", "nchw"], ["--layout", "nhwc", "--dtype", "f16"]])
    func convolutionalRun(arguments: [String]) throws {
        let outcome = try ProductProcess.train.run(arguments + ["--model", "conv", "--hidden", "2,4", "--epochs", "1",
                                                                "--held-out", "10", "--backend", "cpu", "--no-plots"])
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("bn-train: handwritten digits") == true, "the digits are conv's default data set")
        #expect(lines.contains { $0.contains("conv 2→conv 4→pool→10 relu conv net (\(arguments[1].uppercased())") })
        let folded = try #require(lines.first { $0.hasPrefix("batch norm folded into the convolutions: held-out accuracy ") })
        #expect(folded.wholeMatch(of: #/.*accuracy \d+\.\d % \(inference mode \d+\.\d %\), largest logit difference \d\.\de[-+]\d+ of logits up to \d+\.\d/#) != nil,
                "\(folded)")
        #expect(Self.isLastLine(try #require(lines.last)), "\(lines.last ?? "")")
    }

    @Test("renorm and none end with each network's held-out accuracy", arguments: [
        (["--normalization", "renorm"], ["with batch renorm: loss", "with batch norm: loss", "without: loss"]),
        (["--normalization", "renorm", "--batches", "non-iid"], ["with batch renorm: loss", "with batch norm: loss", "without: loss"]),
        (["--normalization", "none"], ["without: loss"]),
    ])
    func accuracyRun(arguments: [String], epochParts: [String]) throws {
        let outcome = try ProductProcess.train.run(arguments + ["--dataset", "digits", "--hidden", "12,12", "--epochs", "2",
                                                                "--backend", "cpu", "--no-plots"])
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        let last = try #require(lines.last)
        #expect(Self.isAccuracyLine(last), "\(last)")
        #expect(last.hasPrefix("held-out accuracy in inference mode: \(epochParts.count == 3 ? "batch renorm" : "none")"))
        let epochs = lines.filter { $0.hasPrefix("epoch ") }
        #expect(epochs.count == 2 && epochs.allSatisfy { line in epochParts.allSatisfy(line.contains) }, "\(epochs)")
        #expect(!lines.contains { $0.hasPrefix("epochs to ") })
    }

    @Test("a run writes the two figures and their data into --output, creating the folder")
    func figures() throws {
        let folder = try TemporaryFolder()
        let output = folder.path("plots/circles")
        let outcome = try ProductProcess.train.run(["--samples", "240", "--epochs", "2", "--backend", "cpu", "--output", output])
        #expect(outcome.status == 0, "\(outcome)")
        for name in ["learning-curves", "last-hidden-input"] {
            for suffix in ["svg", "csv"] {
                let path = output + "/circles-\(name).\(suffix)"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(suffix == "svg" ? text.contains("</svg>") : text.split(separator: "\n").count > 2, "\(path)")
                #expect(outcome.standardOutput.contains(path))
            }
        }
    }

    @Test("bad arguments exit 64 with a message that names the option", arguments: [
        (["--batch-size", "1"], "--batch-size must be at least 2"),
        (["--hidden", "10,0"], "--hidden takes comma-separated widths"),
        (["--target", "0"], "--target is a percentage"),
        (["--probe-unit", "32"], "--probe-unit must lie in 0..<32"),
        (["--learning-rate", "nan"], "--learning-rate must be positive and finite"),
        (["--dataset", "mnist"], "mnist"),
        (["--normalization", "layer"], "Please provide one of 'batch', 'renorm' or 'none'"),
        (["--batches", "non-iid", "--batch-size", "7"], "--batch-size must be even with --batches non-iid"),
        (["--model", "conv", "--dataset", "circles"], "--model conv trains on images: give --dataset digits"),
        (["--model", "conv", "--activation", "tanh"], "--model conv's blocks end in a ReLU"),
        (["--layout", "nhwc"], "--layout nhwc lays out the maps of --model conv"),
        (["--dtype", "f64"], "Please provide one of 'f32', 'f16' or 'bf16'"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let outcome = try ProductProcess.train.run(arguments + ["--no-plots"])
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.standardError.contains(message), "\(outcome)")
        #expect(!outcome.crashed)
    }
}
