import BNCore

/// The pure-Swift reference backend: written for clarity and accuracy, accumulating in `Double`.
///
/// It is the oracle the tests trust: every statistic and every output is computed in `Double` from
/// the `Float` inputs and rounded once. It needs no device and has no state, so any number of
/// tasks may share one.
public struct CPUBackend: BatchNormBackend {
    public typealias Buffer = HostBuffer

    /// A CPU reference backend.
    public init() {}

    public var name: String { "cpu-reference" }

    public func makeBuffer(count: Int, elementType: ElementType) throws -> HostBuffer {
        guard count >= 1 else { throw BatchNormError.invalidBufferCount(count) }
        guard count <= Int.max / MemoryLayout<Float>.stride else {
            throw BatchNormError.allocationTooLarge(bytes: .max, limit: Int.max, device: name)
        }
        return HostBuffer([Float](repeating: .nan, count: count), elementType: elementType)
    }

    public func upload<Scalar: TensorScalar>(_ values: [Scalar]) throws -> HostBuffer {
        guard !values.isEmpty else { throw BatchNormError.invalidBufferCount(0) }
        return HostBuffer(values.map { $0.floatValue }, elementType: Scalar.elementType)
    }

    public func write<Scalar: TensorScalar>(_ values: [Scalar], to buffer: HostBuffer) throws {
        try buffer.checkWrite(of: values)
        buffer.values = values.map { $0.floatValue }
    }

    public func download(_ buffer: HostBuffer) throws -> [Float] {
        buffer.values
    }

    public func download<Scalar: TensorScalar>(_ buffer: HostBuffer, as type: Scalar.Type) throws -> [Scalar] {
        try buffer.checkRead(as: type)
        return buffer.values.map(Scalar.init(rounding:))
    }

    /// Returns at once: the CPU backend finishes each operation before returning.
    public func synchronize() throws {}
}
