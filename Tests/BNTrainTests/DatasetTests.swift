@testable import bn_train
import Testing

@Suite("bn-train's data sets")
struct DatasetTests {
    @Test("the embedded digits file holds 1,797 labelled 8×8 images, scaled to [0, 1]")
    func digits() throws {
        let data = try Digits.load()
        #expect(data.count == 1797 && data.inputs.rows == 1797 && data.inputs.columns == 64 && data.classes == 10)
        #expect(data.inputs.values.allSatisfy { (0...1).contains($0) })
        #expect(Set(data.labels) == Set(0...9))
        // Every digit about a tenth of the rows (the file has 174 to 183 of each).
        for digit in 0...9 { #expect((170...185).contains(data.labels.count { $0 == digit }), "digit \(digit)") }
        // The file's first line: 0,0,5,13,9,1,0,0,… labelled 0; its second is labelled 1.
        #expect(Array(data.inputs.values.prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0].map { $0 / 16 })
        #expect(Array(data.labels.prefix(2)) == [0, 1])
    }

    /// A well-formed line, labelled 3.
    static let goodLine = Array(repeating: "1", count: 64).joined(separator: ",") + ",3\n"

    @Test("a damaged file is refused, naming the line and what is wrong", arguments: [
        (goodLine + "1,2,3\n", "line 2: expected 65 fields, found 3"),
        (goodLine + Array(repeating: "0", count: 63).joined(separator: ",") + ",17,4", "line 2: pixel \"17\""),
        (goodLine + Array(repeating: "0", count: 64).joined(separator: ",") + ",x", "line 2: label \"x\""),
        ("\n\n", "no data"),
    ])
    func damagedFile(text: String, problem: String) throws {
        #expect(try Digits.parse(Self.goodLine).labels == [3])
        do {
            let data = try Digits.parse(text)
            Issue.record("parsed a damaged file into \(data.count) rows")
        } catch {
            #expect("\(error)".contains(problem), "\(error)")
        }
    }

    @Test("gzip data cut short or not gzip at all throws rather than returning less")
    func damagedGzip() throws {
        let bytes = PackageResources.digits_csv_gz
        #expect(try gunzip(bytes).count > 250_000)
        #expect(throws: GunzipError.self) { try gunzip(Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: GunzipError.self) { try gunzip(Array("0,1,2\n".utf8)) }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0xFF
        flipped[bytes.count / 2 + 1] ^= 0xFF
        #expect(throws: GunzipError.self) { try gunzip(flipped) }
    }

    @Test("the digits split is a seeded partition: disjoint, complete, the same for a seed")
    func digitsSplit() throws {
        let data = try Digits.load()
        let split = Digits.split(data, heldOutFraction: 0.25, seed: 7)
        #expect(split.training.count == 1348 && split.heldOut.count == 449)
        // Rows are told apart by their pixels and label: the file has no two lines alike.
        func keys(_ part: Dataset) -> [[Float]] { (0..<part.count).map { part.inputs.rows([$0]).values + [Float(part.labels[$0])] } }
        let all = Set(keys(data)), training = Set(keys(split.training)), heldOut = Set(keys(split.heldOut))
        #expect(training.union(heldOut) == all)
        #expect(all.count == 1797 && training.isDisjoint(with: heldOut))
        #expect(Digits.split(data, heldOutFraction: 0.25, seed: 7).heldOut.labels == split.heldOut.labels)
        #expect(Digits.split(data, heldOutFraction: 0.25, seed: 8).heldOut.labels != split.heldOut.labels)
    }

    @Test("concentric circles: the same points for a seed, balanced classes on their two radii")
    func circles() {
        let circles = ConcentricCircles(factor: 0.5, noise: 0.1)
        let split = circles.split(training: 1000, heldOut: 500, seed: 3)
        #expect(split.training.inputs == circles.split(training: 1000, heldOut: 500, seed: 3).training.inputs)
        #expect(split.training.inputs != circles.split(training: 1000, heldOut: 500, seed: 4).training.inputs)
        #expect(split.training.labels.count { $0 == 0 } == 500 && split.heldOut.labels.count { $0 == 1 } == 250)

        func meanRadius(_ data: Dataset, label: Int) -> Double {
            let radii = (0..<data.count).filter { data.labels[$0] == label }.map { row -> Double in
                let x = Double(data.inputs[row, 0]), y = Double(data.inputs[row, 1])
                return (x * x + y * y).squareRoot()
            }
            return radii.reduce(0, +) / Double(radii.count)
        }
        // Noise of 0.1 moves a mean radius of 500 points by about 0.005, and bends it outwards by
        // about σ²/2r (0.01 on the inner circle).
        #expect(abs(meanRadius(split.training, label: 0) - 1) < 0.03)
        #expect(abs(meanRadius(split.training, label: 1) - 0.5) < 0.03)
        let exact = ConcentricCircles(factor: 0.3, noise: 0).split(training: 40, heldOut: 20, seed: 1).training
        for row in 0..<exact.count {
            let radius = (pow(Double(exact.inputs[row, 0]), 2) + pow(Double(exact.inputs[row, 1]), 2)).squareRoot()
            #expect(abs(radius - (exact.labels[row] == 0 ? 1 : 0.3)) < 1e-6)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
