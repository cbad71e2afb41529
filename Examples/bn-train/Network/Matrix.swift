/// A dense row-major matrix of floats: the activations of a batch (one row per example) or a
/// layer's weights (one row per input).
struct Matrix: Sendable, Hashable {
    var rows: Int
    var columns: Int
    /// `rows × columns` values, row by row.
    var values: [Float]

    init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix of zeros.
    init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
    }

    subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The rows at `indices`, in that order.
    func rows(_ indices: some Collection<Int>) -> Matrix {
        var result = [Float]()
        result.reserveCapacity(indices.count * columns)
        for row in indices { result.append(contentsOf: values[row * columns..<(row + 1) * columns]) }
        return Matrix(rows: indices.count, columns: columns, values: result)
    }

    /// The values of one column.
    func column(_ column: Int) -> [Float] {
        (0..<rows).map { self[$0, column] }
    }

    /// self · other: (n × k)(k × m). The inner loop runs along rows of both, so it vectorizes.
    func multiplied(by other: Matrix) -> Matrix {
        precondition(columns == other.rows)
        return Matrix(rows: rows, columns: other.columns, values: accumulatingRows(of: other, transposingSelf: false))
    }

    /// selfᵀ · other: (n × k)ᵀ(n × m), the weight gradient of a dense layer.
    func transposedMultiplied(by other: Matrix) -> Matrix {
        precondition(rows == other.rows)
        return Matrix(rows: columns, columns: other.columns, values: accumulatingRows(of: other, transposingSelf: true))
    }

    /// Σ over (i, p) of self[i, p] times a row of `other` added into a row of the result: row p of
    /// `other` into row i for self · other, row i into row p for selfᵀ · other. Zeros of self (ReLU
    /// outputs) are skipped.
    private func accumulatingRows(of other: Matrix, transposingSelf: Bool) -> [Float] {
        let width = other.columns
        var result = [Float](repeating: 0, count: (transposingSelf ? columns : rows) * width)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    for i in 0..<rows {
                        for p in 0..<columns {
                            let scale = a[i * columns + p]
                            if scale == 0 { continue }
                            let (target, source) = transposingSelf ? (p * width, i * width) : (i * width, p * width)
                            for j in 0..<width { c[target + j] += scale * b[source + j] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// self · otherᵀ: (n × m)(k × m)ᵀ, the input gradient of a dense layer.
    func multipliedTransposed(by other: Matrix) -> Matrix {
        precondition(columns == other.columns)
        var result = [Float](repeating: 0, count: rows * other.rows)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    for i in 0..<rows {
                        for p in 0..<other.rows {
                            var sum: Float = 0
                            for j in 0..<columns { sum += a[i * columns + j] * b[p * columns + j] }
                            c[i * other.rows + p] = sum
                        }
                    }
                }
            }
        }
        return Matrix(rows: rows, columns: other.rows, values: result)
    }

    /// selfᵀ: row i, column j of the result is row j, column i of self.
    func transposed() -> Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for row in 0..<rows {
            for column in 0..<columns { result[column, row] = self[row, column] }
        }
        return result
    }

    /// The sum of each column: a bias gradient.
    func columnSums() -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        for i in 0..<rows {
            for j in 0..<columns { sums[j] += values[i * columns + j] }
        }
        return sums
    }
}
