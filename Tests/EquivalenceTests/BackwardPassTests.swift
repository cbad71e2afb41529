import BatchNorm
import BNTestSupport
import Testing

/// The backward pass (`kernels/bn_backward.cl` → `Passes/BackwardPass.swift`, and the CPU
/// reference's): dx, dγ and dβ with batch statistics and with frozen running ones on every backend,
/// each against float64 directly, over the grid's shapes in both modes. Central differences check
/// the formulas themselves (GradientCheckTests); the fused form is FusionTests'.
@Suite("Backward pass: dx, dγ and dβ against float64")
struct BackwardPassTests {
    @Test("backward with batch statistics", arguments: BackendKind.available, GridCase.all)
    func batch(kind: BackendKind, gridCase: GridCase) throws {
        try PassChecks(kind).backward(testCase: gridCase.testCase, mode: gridCase.mode)
    }

    @Test("backward with frozen statistics", arguments: BackendKind.available, GridCase.all)
    func frozen(kind: BackendKind, gridCase: GridCase) throws {
        try PassChecks(kind).backwardFrozen(testCase: gridCase.testCase, mode: gridCase.mode)
    }
}
