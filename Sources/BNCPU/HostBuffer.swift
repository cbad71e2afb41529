import BNCore

/// Host memory holding the elements of a ``CPUBackend`` buffer.
///
/// Writing one buffer from two calls at the same time races, as with any memory; reading is safe.
public final class HostBuffer: BatchNormBuffer, @unchecked Sendable {
    /// The elements. Replaced whole by an operation that writes the buffer.
    var values: [Float]

    public var count: Int { values.count }

    init(_ values: [Float]) {
        self.values = values
    }
}
