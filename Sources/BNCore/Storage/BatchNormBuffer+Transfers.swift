/// The checks of a host transfer both backends share.
extension BatchNormBuffer {
    /// Throws unless `values` fit this buffer: as many, of its element type.
    package func checkWrite<Scalar: TensorScalar>(of values: [Scalar]) throws {
        guard values.count == count else {
            throw BatchNormError.lengthMismatch(argument: "values", expected: count, actual: values.count,
                                                shape: TensorShape(n: 1, c: count))
        }
        try checkRead(as: Scalar.self)
    }

    /// Throws unless `type` holds this buffer's element type.
    package func checkRead<Scalar: TensorScalar>(as type: Scalar.Type) throws {
        guard Scalar.elementType == elementType else {
            throw BatchNormError.elementTypeMismatch(argument: "values", expected: elementType, actual: Scalar.elementType)
        }
    }
}
