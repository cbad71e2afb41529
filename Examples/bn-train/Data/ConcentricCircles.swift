#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Two classes of points in the plane: class 0 on the unit circle, class 1 on a smaller circle
/// with the same centre, both blurred by Gaussian noise. No straight line separates them, so a
/// network must learn a curved boundary.
struct ConcentricCircles: Sendable {
    /// The inner circle's radius as a fraction of the outer one's.
    var factor: Double
    /// The standard deviation of the noise added to each coordinate.
    var noise: Double

    /// `count` points, half of each class (class 0 gets the odd one), in random order.
    /// - Parameters:
    ///   - count: The number of points.
    ///   - random: The source of angles, noise and order.
    /// - Returns: The points, with two inputs each.
    func sample(_ count: Int, using random: inout SeededRandom) -> Dataset {
        var labels = (0..<count).map { $0 < (count + 1) / 2 ? 0 : 1 }
        labels.shuffle(using: &random)
        var values = [Float]()
        values.reserveCapacity(2 * count)
        for label in labels {
            let angle = Double.random(in: 0..<2 * Double.pi, using: &random)
            let radius = label == 0 ? 1 : factor
            values.append(Float(radius * cos(angle) + noise * random.normal()))
            values.append(Float(radius * sin(angle) + noise * random.normal()))
        }
        return Dataset(inputs: Matrix(rows: count, columns: 2, values: values), labels: labels, classes: 2)
    }

    /// A training set and a held-out set, drawn independently from one seeded stream.
    /// - Parameters:
    ///   - training: Training points.
    ///   - heldOut: Held-out points.
    ///   - seed: The run's seed.
    /// - Returns: The split.
    func split(training: Int, heldOut: Int, seed: UInt64) -> DatasetSplit {
        var random = SeededRandom(seed: seed, stream: .data)
        return DatasetSplit(training: sample(training, using: &random), heldOut: sample(heldOut, using: &random),
                            description: "concentric circles (factor \(factor), noise \(noise)): \(training) training and \(heldOut) held-out points")
    }
}
