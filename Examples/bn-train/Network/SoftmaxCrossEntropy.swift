#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss of a batch: softmax over each row of logits, then the mean negative log-probability of
/// the right class.
struct SoftmaxCrossEntropy {
    /// The mean loss over the batch.
    var loss: Double
    /// dL/dlogits: (softmax − one-hot)/n.
    var gradient: Matrix
    /// How many rows have their largest logit at the right class.
    var correct: Int

    /// - Parameters:
    ///   - logits: One row per example, one column per class.
    ///   - labels: The right class of each row.
    init(logits: Matrix, labels: [Int]) {
        var gradient = Matrix(rows: logits.rows, columns: logits.columns)
        var loss = 0.0, correct = 0
        let scale = 1 / Float(logits.rows)
        for row in 0..<logits.rows {
            let values = (0..<logits.columns).map { logits[row, $0] }
            let largest = values.max() ?? 0
            // Shifted by the largest logit so that exp cannot overflow.
            let exponentials = values.map { expf($0 - largest) }
            let total = exponentials.reduce(0, +)
            for column in 0..<logits.columns {
                gradient[row, column] = (exponentials[column] / total - (column == labels[row] ? 1 : 0)) * scale
            }
            loss += Double(logf(total) - (values[labels[row]] - largest))
            if values.firstIndex(of: largest) == labels[row] { correct += 1 }
        }
        self.loss = loss / Double(logits.rows)
        self.gradient = gradient
        self.correct = correct
    }

    /// How many rows of `logits` have their largest value at `labels`' class.
    static func correct(logits: Matrix, labels: [Int]) -> Int {
        (0..<logits.rows).count { row in
            let values = (0..<logits.columns).map { logits[row, $0] }
            return values.firstIndex(of: values.max() ?? 0) == labels[row]
        }
    }
}
