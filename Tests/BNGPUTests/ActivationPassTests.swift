import BNCore
@testable import BNGPU
import BNTestSupport
import Testing

/// `bn_relu_forward` and `bn_relu_backward` (`OpenCLBackend.relu`, `reluBackward`) against the same
/// arithmetic in Swift. Each output value is one `Float` operation on stored inputs, rounded once to
/// the storage, so the device must match bit for bit (NaN matches NaN): no tolerance.
@Suite("Activation kernels", .enabled(if: TestBackends.hasOpenCLDevice))
struct ActivationPassTests {
    /// Lengths around the vector widths (1 to 16) and the block split: a lone tail, tails after whole
    /// vectors, and enough values for several blocks whose lengths are no multiple of a vector.
    static let counts = [1, 3, 17, 1001, 40_003]

    @Test("relu(a) and relu(a + b) match Swift, in place too", arguments: ElementType.allCases, counts)
    func forward(storage: ElementType, count: Int) throws {
        let backend = try TestBackends.openCL()
        let a = Self.values(count, storage: storage, seed: 1), b = Self.values(count, storage: storage, seed: 2)
        let aBuffer = try Self.upload(a, as: storage, on: backend), bBuffer = try Self.upload(b, as: storage, on: backend)
        let out = try backend.makeBuffer(count: count, elementType: storage)

        try backend.relu(aBuffer, adding: nil, into: out)
        Self.expectIdentical(try backend.download(out), a.map { storage.rounded(Self.relu($0)) }, "relu(a) \(storage)")
        try backend.relu(aBuffer, adding: bBuffer, into: out)
        let sums = zip(a, b).map { storage.rounded(Self.relu($0 + $1)) }
        Self.expectIdentical(try backend.download(out), sums, "relu(a + b) \(storage)")
        try backend.relu(aBuffer, adding: bBuffer, into: bBuffer)
        Self.expectIdentical(try backend.download(bBuffer), sums, "relu(a + b) into b, \(storage)")
    }

    @Test("the mask passes the gradient where the output is positive or NaN, into da and db",
          arguments: ElementType.allCases, counts)
    func backward(storage: ElementType, count: Int) throws {
        let backend = try TestBackends.openCL()
        let gradient = Self.values(count, storage: storage, seed: 3), output = Self.values(count, storage: storage, seed: 4)
        let gradientBuffer = try Self.upload(gradient, as: storage, on: backend)
        let outputBuffer = try Self.upload(output, as: storage, on: backend)
        let da = try backend.makeBuffer(count: count, elementType: storage)
        let db = try backend.makeBuffer(count: count, elementType: storage)
        let masked = zip(gradient, output).map { $1 <= 0 ? 0 : $0 }

        try backend.reluBackward(gradient: gradientBuffer, output: outputBuffer, into: da, also: db)
        Self.expectIdentical(try backend.download(da), masked, "da \(storage)")
        Self.expectIdentical(try backend.download(db), masked, "db \(storage)")
        try backend.reluBackward(gradient: gradientBuffer, output: outputBuffer, into: gradientBuffer, also: nil)
        Self.expectIdentical(try backend.download(gradientBuffer), masked, "da in place of the gradient, \(storage)")
    }

    @Test("NaN passes relu and the mask as the fused passes pass it; a NaN gradient is dropped where masked",
          arguments: ElementType.allCases)
    func notANumber(storage: ElementType) throws {
        let backend = try TestBackends.openCL()
        // Twenty values, so that vectors and the tail both see each case.
        let a: [Float] = [.nan, -1, 2, .nan, 0, -0.5, .infinity, -.infinity, 3, .nan] + [1, -1, .nan, 0.25, -2, 4, .nan, -3, 0, 5]
        let b: [Float] = [1, .nan, -3, -1, 0, 1, -.infinity, 1, -3, 2] + [.nan, 2, 0, -1, 1, -4, 1, 3, -0.0, -6]
        let aBuffer = try Self.upload(a, as: storage, on: backend), bBuffer = try Self.upload(b, as: storage, on: backend)
        let out = try backend.makeBuffer(count: a.count, elementType: storage)
        try backend.relu(aBuffer, adding: bBuffer, into: out)
        let sums = try backend.download(out)
        Self.expectIdentical(sums, zip(a, b).map { Self.relu($0 + $1) }, "relu(a + b) with NaN, \(storage)")
        #expect(sums[0].isNaN && sums[1].isNaN && sums[6].isNaN, "NaN, NaN and ∞ − ∞ pass relu")

        let gradient: [Float] = [.nan, .nan, 1, 2, -3, .nan, 4, 5, .nan, 6] + [7, .nan, -8, 9, 1, .nan, 2, 3, .nan, -1]
        let gradientBuffer = try Self.upload(gradient, as: storage, on: backend)
        let da = try backend.makeBuffer(count: a.count, elementType: storage)
        try backend.reluBackward(gradient: gradientBuffer, output: out, into: da, also: nil)
        let masked = try backend.download(da)
        Self.expectIdentical(masked, zip(gradient, sums).map { $1 <= 0 ? 0 : $0 }, "mask with NaN, \(storage)")
        #expect(masked[0].isNaN && masked[6] == 4, "a NaN output passes the gradient")
        #expect(masked[8] == 0 && masked[15] == 0, "a NaN gradient behind a zero output is dropped")
    }

    @Test("operands at any offset of a caller's memory, and 64-bit indices, give the same values")
    func offsetsAndWideIndices() throws {
        let shared = try TestBackends.openCL()
        let backend = try OpenCLBackend(device: shared.context.device, isProfilingEnabled: false, forcesWideIndices: true)
        let count = 1001
        let a = Self.values(count, storage: .float16, seed: 5), b = Self.values(count, storage: .float16, seed: 6)
        // One allocation holds a at 3, b at 1011 and out at 2017: none vector-aligned.
        let memory = try backend.makeBuffer(count: 3100, elementType: .float16)
        let aBuffer = try backend.buffer(retaining: memory.memory, offset: 3, count: count, elementType: .float16)
        let bBuffer = try backend.buffer(retaining: memory.memory, offset: 1011, count: count, elementType: .float16)
        let out = try backend.buffer(retaining: memory.memory, offset: 2017, count: count, elementType: .float16)
        try backend.write(a.map { Float16($0) }, to: aBuffer)
        try backend.write(b.map { Float16($0) }, to: bBuffer)
        try backend.relu(aBuffer, adding: bBuffer, into: out)
        Self.expectIdentical(try backend.download(out), zip(a, b).map { ElementType.float16.rounded(Self.relu($0 + $1)) },
                             "relu(a + b) at offsets")
        try backend.reluBackward(gradient: aBuffer, output: bBuffer, into: out, also: nil)
        Self.expectIdentical(try backend.download(out), zip(a, b).map { $1 <= 0 ? 0 : $0 }, "mask at offsets")
        Self.expectIdentical(try backend.download(aBuffer), a, "a unchanged")
    }

    @Test("a count or element type that differs, or a foreign buffer, is refused and nothing is written")
    func refusals() throws {
        let backend = try TestBackends.openCL()
        let other = try OpenCLBackend(device: TestBackends.deviceQuery)
        let a = try backend.upload([1, -2, 3] as [Float])
        let short = try backend.upload([1, 2] as [Float])
        let half = try backend.upload([1, 2, 3].map { Float16($0) })
        let foreign = try other.upload([1, 2, 3] as [Float])
        let out = try backend.upload([9, 9, 9] as [Float])
        let shape = TensorShape(n: 1, c: 3)

        #expect(throws: BatchNormError.lengthMismatch(argument: "b", expected: 3, actual: 2, shape: shape)) {
            try backend.relu(a, adding: short, into: out)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "out", expected: 3, actual: 2, shape: shape)) {
            try backend.relu(a, adding: nil, into: short)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "b", expected: .float32, actual: .float16)) {
            try backend.relu(a, adding: half, into: out)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "out", expected: .float16, actual: .float32)) {
            try backend.relu(half, adding: nil, into: out)
        }
        #expect(throws: BatchNormError.foreignBuffer(argument: "a")) { try backend.relu(foreign, adding: nil, into: out) }
        #expect(throws: BatchNormError.foreignBuffer(argument: "b")) { try backend.relu(a, adding: foreign, into: out) }

        #expect(throws: BatchNormError.lengthMismatch(argument: "output", expected: 3, actual: 2, shape: shape)) {
            try backend.reluBackward(gradient: a, output: short, into: out, also: nil)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "da", expected: 3, actual: 2, shape: shape)) {
            try backend.reluBackward(gradient: a, output: a, into: short, also: nil)
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "db", expected: 3, actual: 2, shape: shape)) {
            try backend.reluBackward(gradient: a, output: a, into: out, also: short)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "output", expected: .float32, actual: .float16)) {
            try backend.reluBackward(gradient: a, output: half, into: out, also: nil)
        }
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "db", expected: .float32, actual: .float16)) {
            try backend.reluBackward(gradient: a, output: a, into: out, also: half)
        }
        #expect(throws: BatchNormError.foreignBuffer(argument: "da")) {
            try backend.reluBackward(gradient: a, output: a, into: foreign, also: nil)
        }
        #expect(throws: BatchNormError.foreignBuffer(argument: "db")) {
            try backend.reluBackward(gradient: a, output: a, into: out, also: foreign)
        }
        #expect(try backend.download(out) == [9, 9, 9])
        #expect(try other.download(foreign) == [1, 2, 3])
    }

    // MARK: - Helpers

    /// relu as the kernels define it: `v < 0 ? 0 : v`, so NaN passes.
    static func relu(_ value: Float) -> Float { value < 0 ? 0 : value }

    /// `count` values rounded to `storage`: normals, with a zero, a negative zero and a NaN among them
    /// when there is room.
    static func values(_ count: Int, storage: ElementType, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var values = generator.normals(count).map(storage.rounded)
        for (index, special) in [(count / 2, Float(0)), (count / 3, -0.0), (count - 1, .nan)] where count > 3 {
            values[index] = special
        }
        return values
    }

    /// A buffer holding `values` (already representable) stored as `storage`.
    static func upload(_ values: [Float], as storage: ElementType, on backend: OpenCLBackend) throws -> OpenCLBuffer {
        switch storage {
        case .float32: try backend.upload(values)
        case .float16: try backend.upload(values.map { Float16($0) })
        case .bfloat16: try backend.upload(values.map { BFloat16($0) })
        }
    }

    /// Records an issue at the first element that differs in value (NaN matches NaN, −0 matches 0).
    static func expectIdentical(_ actual: [Float], _ expected: [Float], _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)",
                sourceLocation: sourceLocation)
        if let index = zip(actual, expected).enumerated()
            .first(where: { _, pair in pair.0 != pair.1 && !(pair.0.isNaN && pair.1.isNaN) })?.offset {
            Issue.record("\(label): index \(index) of \(actual.count) is \(actual[index]), expected \(expected[index])",
                         sourceLocation: sourceLocation)
        }
    }
}
