/// The handwritten digits of `Data/digits.csv.gz` (see `Data/README.md`): 1,797 images of 8×8
/// pixels, each pixel 0...16, labelled 0...9.
enum Digits {
    /// Pixels per image.
    static let pixels = 64
    /// The largest pixel value; inputs are scaled by it into [0, 1].
    static let maximumPixel: Float = 16

    /// Why the embedded data could not be read.
    struct FormatError: Error, CustomStringConvertible {
        /// The 1-based line at fault.
        var line: Int
        var problem: String

        var description: String { "digits.csv.gz, line \(line): \(problem)" }
    }

    /// Every image, from the copy embedded in the executable, in the file's order.
    /// - Returns: 1,797 examples with 64 inputs in [0, 1] and 10 classes.
    /// - Throws: ``GunzipError`` or ``FormatError`` if the embedded copy is damaged.
    static func load() throws -> Dataset {
        try parse(String(decoding: try gunzip(PackageResources.digits_csv_gz), as: UTF8.self))
    }

    /// Parses the CSV text: per line, 64 pixel values and a label.
    /// - Parameter text: The uncompressed file.
    /// - Returns: The examples.
    /// - Throws: ``FormatError`` naming the first bad line.
    static func parse(_ text: String) throws -> Dataset {
        var values = [Float](), labels = [Int]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == pixels + 1 else {
                throw FormatError(line: index + 1, problem: "expected \(pixels + 1) fields, found \(fields.count)")
            }
            for field in fields.dropLast() {
                guard let pixel = Float(field), (0...maximumPixel).contains(pixel) else {
                    throw FormatError(line: index + 1, problem: "pixel \"\(field)\" is not a number in 0...\(Int(maximumPixel))")
                }
                values.append(pixel / maximumPixel)
            }
            guard let label = Int(fields[pixels]), (0...9).contains(label) else {
                throw FormatError(line: index + 1, problem: "label \"\(fields[pixels])\" is not a digit")
            }
            labels.append(label)
        }
        guard !labels.isEmpty else { throw FormatError(line: 1, problem: "no data") }
        return Dataset(inputs: Matrix(rows: labels.count, columns: pixels, values: values), labels: labels, classes: 10)
    }

    /// The images in an order shuffled by `seed`, the first `heldOutFraction` of them held out.
    /// - Parameters:
    ///   - dataset: All images.
    ///   - heldOutFraction: The share held out, in (0, 1).
    ///   - seed: The run's seed.
    /// - Returns: The split.
    static func split(_ dataset: Dataset, heldOutFraction: Double, seed: UInt64) -> DatasetSplit {
        var random = SeededRandom(seed: seed, stream: .split)
        let order = Array(0..<dataset.count).shuffled(using: &random)
        let heldOut = min(max(Int((Double(dataset.count) * heldOutFraction).rounded()), 1), dataset.count - 1)
        return DatasetSplit(training: dataset.rows(order[heldOut...]), heldOut: dataset.rows(order[..<heldOut]),
                            description: "handwritten digits: \(dataset.count - heldOut) training and \(heldOut) held-out images")
    }
}
