@testable import bn_gpu_bench
import Testing

@Suite("--shapes, --layouts and --passes")
struct ShapeArgumentTests {
    static let refusals: [CommandLineCase] = [
        .init("empty", ["--shapes", ""], "empty shape"),
        .init("trailing comma", ["--shapes", "2x3,"], "empty shape"),
        .init("zero", ["--shapes", "0x4"], "N in shape '0x4' is 0", "at least 1"),
        .init("negative, joined", ["--shapes=-1x4"], "'-1'", "positive integer"),
        // This one used to read as a missing value, as if -1x4 were an option.
        .init("negative, as its own argument", ["--shapes", "-1x4"], "'-1'", "positive integer"),
        .init("blank between commas", ["--shapes", "2x3, ,4x5"], "empty shape"),
        .init("doubled separator", ["--shapes", "2x×3"], "3 dimension(s)"),
        .init("not a number", ["--shapes", "axb"], "N in shape 'axb' is 'a'"),
        .init("Arabic-Indic digits", ["--shapes", "٣x٤"], "'٣'", "positive integer"),
        .init("fullwidth digits", ["--shapes", "２x４"], "'２'", "positive integer"),
        .init("three dimensions", ["--shapes", "2x3x4"], "3 dimension(s)", "N×C or N×C×H×W"),
        .init("one dimension", ["--shapes", "5"], "1 dimension(s)"),
        .init("product overflows", ["--shapes", "9999999999x9999999999"], "too many elements"),
        .init("bytes overflow", ["--shapes", "4611686018427387904x2"], "too many elements"),
        .init("dimension beyond Int", ["--shapes", "99999999999999999999999x2"], "'99999999999999999999999'"),
        .init("quick and shapes", ["--quick", "--shapes", "4x4"], "--quick", "not both"),
        .init("one value per channel", ["--shapes", "1x4"], "1x4 has 1 value per channel", "--passes forward-inference"),
        .init("one value per channel, 4-D", ["--shapes", "1x4x1x1", "--passes", "backward"], "backward needs at least 2"),
        .init("tune, one value per channel", ["tune", "--shapes", "1x8"], "1 value per channel"),
        .init("unknown layout", ["--layouts", "nc"], "unknown layout 'nc'", "nchw, nhwc"),
        .init("empty layout", ["--layouts", "nchw,,nhwc"], "empty layout"),
        .init("unknown pass", ["--passes", "forward"], "unknown pass 'forward'", "forward-training, forward-inference, backward"),
        .init("empty pass", ["--passes", ""], "empty pass"),
        .init("tune, unknown layout", ["tune", "--layouts", "foo"], "unknown layout 'foo'"),
    ]

    @Test("a malformed value is refused with a message naming it", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("shapes, layouts and passes parse in order, without repeats")
    func accepted() throws {
        let run = try parsed(BNGPUBench.Run.self, ["--shapes", "32x256x56x56,4096x1024,4096x1024", "--layouts", "NHWC, nchw",
                                                   "--passes", "backward,forward-inference"])
        #expect(run.selectedShapes.map(\.description) == ["32x256x56x56", "4096x1024"])
        #expect(run.layouts == [.nhwc, .nchw])
        #expect(run.passes == [.backward, .forwardInference])
    }

    @Test("dimensions may be joined by x, X or ×, and spaces around a shape are ignored")
    func separators() throws {
        let run = try parsed(BNGPUBench.Run.self, ["--shapes", " 2×3 , 4X5x6x7,8x9 "])
        #expect(run.selectedShapes.map(\.description) == ["2x3", "4x5x6x7", "8x9"])
    }

    @Test("one value per channel is allowed for inference alone")
    func inferenceOnOneValue() throws {
        let run = try parsed(BNGPUBench.Run.self, ["--shapes", "1x4", "--passes", "forward-inference"])
        #expect(run.selectedShapes.map(\.valuesPerFeature) == [1])
    }
}
