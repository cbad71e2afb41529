/// Transfers between `Float` arrays and buffers of any element type.
extension BatchNormBackend {
    /// A new buffer of `elementType` holding `values`, each rounded to that type (to nearest even).
    /// - Parameters:
    ///   - values: The elements, at least one.
    ///   - elementType: How the buffer stores them.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` when `values` is empty or the device cannot allocate it.
    public func upload(_ values: [Float], as elementType: ElementType) throws -> Buffer {
        switch elementType {
        case .float32: try upload(values)
        case .float16: try upload(values.map { Float16($0) })
        case .bfloat16: try upload(values.map { BFloat16($0) })
        }
    }
}

extension BatchNormBackend {
    /// Writes `Float` values into a buffer of any element type, each rounded to that type (to
    /// nearest even): ``write(_:to:)`` for callers that keep `Float` arrays on the host whatever the
    /// buffer stores.
    /// - Parameters:
    ///   - values: As many as the buffer holds.
    ///   - buffer: The buffer, made by this backend.
    /// - Throws: ``BatchNormError/lengthMismatch(argument:expected:actual:shape:)`` when the counts
    ///   differ, before anything is written; or a device error.
    public func store(_ values: [Float], in buffer: Buffer) throws {
        switch buffer.elementType {
        case .float32: try write(values, to: buffer)
        case .float16: try write(values.map { Float16($0) }, to: buffer)
        case .bfloat16: try write(values.map { BFloat16($0) }, to: buffer)
        }
    }
}
