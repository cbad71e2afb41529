import ArgumentParser
import BatchNorm
@testable import bn_train
import Testing

/// `--normalization` and `--batches` as the parser reads them, and the messages for values it refuses.
@Suite("bn-train's normalization and batch options")
struct OptionTests {
    @Test("the defaults are batch norm against none on i.i.d. batches")
    func defaults() throws {
        let command = try BNTrain.parse([])
        #expect(command.normalization == .batch && command.batches == .iid)
        #expect(command.normalization.networks == [.batchNorm, .plain])
    }

    @Test("each normalization parses and names its networks", arguments: [
        ("batch", NormalizationChoice.batch, [NetworkKind.batchNorm, .plain]),
        ("renorm", .renorm, [.batchRenorm, .batchNorm, .plain]),
        ("none", .none, [.plain]),
    ])
    func normalization(text: String, choice: NormalizationChoice, networks: [NetworkKind]) throws {
        let command = try BNTrain.parse(["--normalization", text])
        #expect(command.normalization == choice)
        #expect(command.normalization.networks == networks)
    }

    @Test("non-iid parses, with an even batch size")
    func nonIID() throws {
        let command = try BNTrain.parse(["--batches", "non-iid", "--batch-size", "4", "--normalization", "renorm"])
        #expect(command.batches == .nonIID && command.batchSize == 4 && command.normalization == .renorm)
        let experiment = try command.makeExperiment()
        #expect(experiment.settings.batches == .nonIID)
        #expect(experiment.networks == [.batchRenorm, .batchNorm, .plain])
    }

    @Test("bad values are refused with a message that says what to give", arguments: [
        (["--normalization", "layer"], "Please provide one of 'batch', 'renorm' or 'none'"),
        (["--batches", "random"], "Please provide one of 'iid' and 'non-iid'"),
        (["--batches", "non-iid", "--batch-size", "5"], "--batch-size must be even with --batches non-iid"),
        (["--virtual-batch", "7"], "--virtual-batch must divide --batch-size 60 and be at least 2"),
        (["--virtual-batch", "1"], "--virtual-batch must divide --batch-size 60 and be at least 2"),
    ])
    func refused(arguments: [String], message: String) {
        do {
            _ = try BNTrain.parse(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            let text = BNTrain.message(for: error)
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test("virtual batches reach every network's batch norms and the caption, and a short run trains with them")
    func virtualBatches() throws {
        let command = try BNTrain.parse(["--virtual-batch", "4", "--batch-size", "20", "--epochs", "3", "--hidden", "8",
                                         "--normalization", "renorm"])
        let experiment = try command.makeExperiment()
        #expect(experiment.options.virtualBatchSize == 4 && experiment.caption.contains("virtual batches of 4"))
        let outcome = try experiment.run(on: AnyBatchNormBackend(CPUBackend())) { _ in }
        for network in outcome.report.networks {
            let losses = network.history.epochs.map(\.loss)
            #expect(losses.count == 3 && losses.last! < losses.first!, "\(network.kind) trained on virtual batches")
        }
    }

    @Test("--model conv defaults to the digits, blocks of 8 and 16 channels, NCHW, f32 and its own rate, epochs and scale")
    func convolutionalDefaults() throws {
        let command = try BNTrain.parse(["--model", "conv"])
        #expect(command.dataset == .digits && command.activation == .relu)
        let experiment = try command.makeExperiment()
        #expect(experiment.model == .conv && experiment.hidden == [8, 16] && experiment.layout == .nchw)
        #expect(experiment.storage == .float32 && experiment.datasetName == "digits-conv" && experiment.imageSide == 8)
        #expect(experiment.settings.epochs == 15 && experiment.settings.learningRate == 0.05 && experiment.initialScale == 0.1)
        #expect(experiment.caption.hasPrefix("1×8×8→conv 8→conv 16→pool→10 relu conv net (NCHW, f32), batch 60"))
        let (convolutions, output) = experiment.initialConvolutions()
        #expect(convolutions.map(\.weights.count) == [8 * 9, 16 * 8 * 9] && output.weights.rows == 16 * 4 * 4)
        #expect(experiment.initialConvolutions().convolutions == convolutions, "every network starts from the same weights")

        let chosen = try BNTrain.parse(["--model", "conv", "--layout", "nhwc", "--dtype", "bf16", "--hidden", "4,4,4"]).makeExperiment()
        #expect(chosen.layout == .nhwc && chosen.storage == .bfloat16 && chosen.initialConvolutions().convolutions.count == 3)
        #expect(try BNTrain.parse(["--dtype", "f16"]).makeExperiment().storage == .float16, "the MLP's batch norms store f16 too")
        #expect(try BNTrain.parse([]).dataset == .circles && BNTrain.parse([]).activation == .sigmoid, "the MLP's defaults are unchanged")
    }

    @Test("an odd batch size is fine for i.i.d. batches")
    func oddIID() throws {
        #expect(try BNTrain.parse(["--batch-size", "5"]).batchSize == 5)
    }

    @Test("non-iid batches that no two classes can fill are refused before training")
    func tooLargeForTwoClasses() throws {
        // About 135 training images per digit, so no class holds half of a batch of 300.
        let command = try BNTrain.parse(["--dataset", "digits", "--batches", "non-iid", "--batch-size", "300"])
        #expect {
            _ = try command.makeExperiment()
        } throws: { error in
            BNTrain.message(for: error).contains("--batches non-iid needs two classes with at least 150 training examples")
        }
    }
}
