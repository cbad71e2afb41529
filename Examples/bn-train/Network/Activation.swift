#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// The nonlinearity after each hidden layer (after its batch norm, when there is one).
enum Activation: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// 1/(1 + e⁻ᵘ), the paper's: it saturates for large |u|, which is what batch norm prevents.
    case sigmoid
    case tanh
    case relu

    /// The activation of each value.
    func apply(_ inputs: [Float]) -> [Float] {
        switch self {
        case .sigmoid: inputs.map { 1 / (1 + expf(-$0)) }
        case .tanh: inputs.map { tanhf($0) }
        case .relu: inputs.map { max($0, 0) }
        }
    }

    /// dL/du from dL/da, with a = f(u) the forward pass's outputs.
    /// - Parameters:
    ///   - outputGradient: dL/da.
    ///   - inputs: u.
    ///   - outputs: a.
    /// - Returns: dL/du.
    func backward(_ outputGradient: [Float], inputs: [Float], outputs: [Float]) -> [Float] {
        switch self {
        case .sigmoid: (0..<outputs.count).map { outputGradient[$0] * outputs[$0] * (1 - outputs[$0]) }
        case .tanh: (0..<outputs.count).map { outputGradient[$0] * (1 - outputs[$0] * outputs[$0]) }
        case .relu: (0..<inputs.count).map { inputs[$0] > 0 ? outputGradient[$0] : 0 }
        }
    }
}
