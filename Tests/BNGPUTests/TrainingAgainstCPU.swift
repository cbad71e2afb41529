import BNCore
import BNCPU
import BNGPU
import BNTestSupport
import Testing

/// One array-form training pass of `shape` on `backend`, held to the CPU reference's y and running
/// mean: what the searches' tests run after a search, whose settings must change results only
/// within float rounding.
func expectTrainingMatchesCPU(_ backend: OpenCLBackend, shape: TensorShape, _ label: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    let inputs = TestInputs(TestCase(label, shape), mode: .spatial)
    var running = inputs.running, reference = inputs.running
    let ours = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                           running: &running, options: BatchNormOptions())
    let expected = try CPUBackend().forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                    running: &reference, options: BatchNormOptions())
    expectClose(ours.y, expected.y.map(Double.init), tolerance: Tolerance.openCL, "y of \(shape), \(label)")
    expectClose(running.mean, reference.mean.map(Double.init), tolerance: Tolerance.openCL, "running mean, \(label)")
}
