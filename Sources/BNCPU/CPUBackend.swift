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

    public func makeBuffer(count: Int) throws -> HostBuffer {
        guard count >= 1 else { throw BatchNormError.invalidBufferCount(count) }
        guard count <= Int.max / MemoryLayout<Float>.stride else {
            throw BatchNormError.allocationTooLarge(bytes: .max, limit: Int.max, device: name)
        }
        return HostBuffer([Float](repeating: .nan, count: count))
    }

    public func upload(_ values: [Float]) throws -> HostBuffer {
        guard !values.isEmpty else { throw BatchNormError.invalidBufferCount(0) }
        return HostBuffer(values)
    }

    public func write(_ values: [Float], to buffer: HostBuffer) throws {
        guard values.count == buffer.count else {
            throw BatchNormError.lengthMismatch(argument: "values", expected: buffer.count, actual: values.count,
                                                shape: TensorShape(n: 1, c: buffer.count))
        }
        buffer.values = values
    }

    public func download(_ buffer: HostBuffer) throws -> [Float] {
        buffer.values
    }

    /// Returns at once: the CPU backend finishes each operation before returning.
    public func synchronize() throws {}
}
