import BatchNorm
import BNTestSupport
import Testing

/// The normalization (`kernels/bn_forward.cl` → `Passes/ForwardPass.swift`, and the CPU reference's
/// forward passes): y of a training pass (from its batch statistics) and of an inference pass (from
/// the running ones) on every backend, each against float64 directly, over the grid's shapes in both
/// modes. The fused forms are FusionTests', the stored ones StorageTests'.
@Suite("Forward pass: y in training and inference against float64")
struct ForwardPassTests {
    @Test("training y", arguments: BackendKind.available, GridCase.all)
    func training(kind: BackendKind, gridCase: GridCase) throws {
        try PassChecks(kind).forwardTraining(testCase: gridCase.testCase, mode: gridCase.mode, checking: .y)
    }

    @Test("inference y", arguments: BackendKind.available, GridCase.all)
    func inference(kind: BackendKind, gridCase: GridCase) throws {
        try PassChecks(kind).forwardInference(testCase: gridCase.testCase, mode: gridCase.mode)
    }

    @Test("nil γ and β are γ = 1 and β = 0, bit for bit, in training and inference", arguments: BackendKind.everyPath)
    func identityAffine(kind: BackendKind) throws {
        let backend = try kind.make()
        for testCase in [TestCase("odd sizes", TensorShape(n: 5, c: 3, h: 13, w: 11)),
                         TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc))] {
            let inputs = TestInputs(testCase, mode: .spatial)
            let shape = testCase.shape, features = shape.c
            let ones = [Float](repeating: 1, count: features), zeros = [Float](repeating: 0, count: features)
            var implicitRunning = inputs.running, explicitRunning = inputs.running
            let implicit = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil,
                                                       running: &implicitRunning, options: BatchNormOptions())
            let explicit = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: ones, beta: zeros,
                                                       running: &explicitRunning, options: BatchNormOptions())
            #expect(implicit.y.map(\.bitPattern) == explicit.y.map(\.bitPattern), "training y of \(testCase) on \(kind)")
            let inferred = try backend.forwardInference(x: inputs.x, shape: shape, gamma: nil, beta: nil,
                                                        running: inputs.running, options: BatchNormOptions())
            let given = try backend.forwardInference(x: inputs.x, shape: shape, gamma: ones, beta: zeros,
                                                     running: inputs.running, options: BatchNormOptions())
            #expect(inferred.map(\.bitPattern) == given.map(\.bitPattern), "inference y of \(testCase) on \(kind)")
        }
    }
}
