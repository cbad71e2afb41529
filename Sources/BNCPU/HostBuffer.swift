import BNCore

/// Host memory holding the elements of a ``CPUBackend`` buffer.
///
/// A buffer of a 16-bit ``ElementType`` holds its elements widened to `Float`, and rounds every value
/// written to it to its type (to nearest even), so the reference computes from exactly the values a
/// device stores. Writing one buffer from two calls at the same time races, as with any memory;
/// reading is safe.
public final class HostBuffer: BatchNormBuffer, @unchecked Sendable {
    public let elementType: ElementType
    private var storage: [Float]

    /// The elements, widened to `Float`. Replaced whole by an operation that writes the buffer;
    /// what is assigned is rounded to ``elementType``.
    var values: [Float] {
        get { storage }
        set { storage = elementType == .float32 ? newValue : newValue.map(elementType.rounded) }
    }

    public var count: Int { storage.count }

    /// A buffer holding `values` rounded to `elementType`.
    init(_ values: [Float], elementType: ElementType = .float32) {
        self.elementType = elementType
        self.storage = []
        self.values = values
    }
}
