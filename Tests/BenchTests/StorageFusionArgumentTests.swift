import BatchNorm
@testable import bn_gpu_bench
import Testing

@Suite("--dtype and --fuse")
struct StorageFusionArgumentTests {
    static let refusals: [CommandLineCase] = [
        .init("unknown dtype", ["--dtype", "f64"], "unknown dtype 'f64'", "f32, f16, bf16"),
        .init("library spelling", ["--dtype", "float16"], "unknown dtype 'float16'"),
        .init("empty dtype", ["--dtype", ""], "empty dtype"),
        .init("trailing comma", ["--dtype", "f16,"], "empty dtype"),
        .init("unknown activation", ["--fuse", "gelu"], "unknown activation 'gelu'", "none, relu, add-relu"),
        .init("a list of activations", ["--fuse", "relu,add-relu"], "unknown activation 'relu,add-relu'"),
        .init("empty activation", ["--fuse", ""], "unknown activation ''"),
        .init("split forward", ["--fuse", "relu", "--passes", "forward-training-split"],
              "--fuse relu does not apply to forward-training-split", "drop --fuse or the split passes"),
        .init("split backward among others", ["--fuse", "add-relu", "--passes", "backward,backward-split"],
              "--fuse add-relu does not apply to backward-split"),
    ]

    @Test("an unknown dtype or activation, or --fuse with a split pass, is refused", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("defaults are f32 and no activation; lists drop repeats and names ignore case")
    func accepted() throws {
        let plain = try parsed(BNGPUBench.Run.self, [])
        #expect(plain.dtypes == [.f32] && plain.fuse == .none && plain.activations == [.none])
        let run = try parsed(BNGPUBench.Run.self, ["--dtype", "BF16,f16,bf16", "--fuse", "Add-ReLU"])
        #expect(run.dtypes == [.bf16, .f16] && run.dtypes.map(\.elementType) == [.bfloat16, .float16])
        #expect(run.fuse == .addRelu)
        #expect(run.activations.map(\.reportName) == ["add-relu", "add-relu-unfused"])
        #expect(run.activations.map(\.passFusion) == [.addRelu, .none])
        // --fuse none leaves the split passes allowed.
        _ = try parsed(BNGPUBench.Run.self, ["--fuse", "none", "--passes", "backward-split"])
    }

    @Test("the bytes counted: the element's size, and the activation's tensors in fused and unfused rows alike")
    func bytesCounted() {
        #expect(PassKind.standard.map { $0.tensorsCounted(with: .none) } == [2, 2, 3])
        #expect(PassKind.standard.map { $0.tensorsCounted(with: .relu) } == [2, 2, 4])
        #expect(PassKind.standard.map { $0.tensorsCounted(with: .addRelu) } == [3, 3, 5])
        #expect(PassKind.allCases.filter(\.fusesActivation) == PassKind.standard)
    }

    @Test("a 16-bit row may differ by one unit in the last place, an unfused add-relu forward pass by 18u")
    func tolerances() throws {
        let spec = try ShapeSpec.parse("4x8")
        func tolerance(_ pass: PassKind, _ storage: ElementType, _ operation: FusedOperation, unfused: Bool) -> Double {
            Benchmark.tolerance(for: BenchCase(spec: spec, layout: .nc, pass: pass, storage: storage,
                                               activation: RowActivation(operation: operation, isUnfused: unfused)))
        }
        let base = ErrorMetric.openCLTolerance
        #expect(tolerance(.forwardTraining, .float32, .addRelu, unfused: true) == base)
        #expect(tolerance(.backward, .float16, .none, unfused: false) == base + 0x1p-10)
        #expect(tolerance(.forwardInference, .bfloat16, .relu, unfused: true) == base + 0x1p-7)
        #expect(tolerance(.forwardInference, .bfloat16, .addRelu, unfused: true) == base + 18 * 0x1p-8)
        #expect(tolerance(.backward, .float16, .addRelu, unfused: true) == base + 0x1p-10)
    }
}
