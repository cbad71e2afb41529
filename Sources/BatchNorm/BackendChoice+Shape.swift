/// ``makeBackend(_:for:)``'s rule for small tensors, with the measurement behind it.
public enum SmallTensorRule {
    /// Below this many elements, `.auto` picks the CPU reference over an OpenCL device that is itself
    /// a CPU (PoCL). An array-form OpenCL call pays a fixed cost (buffers, three or four kernel
    /// launches, a wait) of about 0.4 ms on PoCL with two cores, while the CPU reference takes about
    /// 1 ns per element and pass. Measured with `bn-gpu-bench` (release, PoCL, 2 cores): at 60×100
    /// (6,000 elements) the CPU reference is 5 to 7 times faster on every pass; at 256×256 (65,536)
    /// OpenCL is 1 to 2 times faster; at 1024×256 and beyond, 3 to 14 times. The crossover lies
    /// between, and half the 65,536 keeps OpenCL wherever it was measured ahead.
    public static let cpuBelowElements = 32_768
}

/// Makes a backend for calls on tensors of one shape, such as one layer's.
///
/// As ``makeBackend(_:)``, except that `.auto`, when neither `BN_BACKEND` nor `BN_OPENCL_DEVICE` is
/// set, picks the CPU reference for a shape below ``SmallTensorRule/cpuBelowElements`` elements if the
/// OpenCL device it would use is a CPU: there, launch overhead outweighs the work. GPUs are kept
/// whatever the shape, since a caller with small tensors on a GPU keeps them in device buffers.
/// - Parameters:
///   - choice: The backend wanted; `.auto` by default.
///   - shape: The shape of x in the calls the backend will serve.
/// - Returns: The backend.
/// - Throws: As ``makeBackend(_:)``.
public func makeBackend(_ choice: BackendChoice = .auto, for shape: TensorShape) throws -> AnyBatchNormBackend {
    try makeBackend(choice, for: shape, environment: BackendEnvironment.current())
}

/// ``makeBackend(_:for:)`` with the environment given.
package func makeBackend(_ choice: BackendChoice, for shape: TensorShape,
                         environment: BackendEnvironment) throws -> AnyBatchNormBackend {
    let backend = try makeBackend(choice, environment: environment)
    guard choice == .auto, environment == BackendEnvironment(), let openCL = backend.base as? OpenCLBackend,
          openCL.device.type == .cpu,
          let geometry = try? FeatureGeometry(shape: shape, mode: .spatial),
          geometry.elementCount < SmallTensorRule.cpuBelowElements else {
        return backend
    }
    return AnyBatchNormBackend(CPUBackend())
}
