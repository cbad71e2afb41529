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
