import ArgumentParser
import BatchNorm
import Foundation

/// A shape as the command line writes it: N×C (`4096x1024`) or N×C×H×W (`32x256x56x56`), without a
/// layout; 4-D shapes run in each layout `--layouts` names, 2-D shapes in `.nc`.
struct ShapeSpec: Hashable, Sendable, CustomStringConvertible {
    /// N, C, then H and W for a 4-D shape.
    let dimensions: [Int]

    /// A shape from dimensions known to be valid: two or four, each at least 1, product within `Int`.
    private init(checked dimensions: [Int]) {
        self.dimensions = dimensions
    }

    /// Reads as `32x256x56x56`, the form `--shapes` takes and the reports print.
    var description: String { dimensions.map(String.init).joined(separator: "x") }

    /// Whether the shape has spatial dimensions, and so runs in the layouts `--layouts` names.
    var isSpatial: Bool { dimensions.count == 4 }

    /// N·C·H·W, the length of x.
    var elementCount: Int { dimensions.reduce(1, *) }

    /// Values that share one channel's statistics in `.spatial` mode: N·H·W.
    var valuesPerFeature: Int { elementCount / dimensions[1] }

    /// The channels, one feature each in `.spatial` mode.
    var channels: Int { dimensions[1] }

    /// The layouts this shape runs in: `.nc` for a 2-D shape, else the ones chosen.
    /// - Parameter choices: The layouts `--layouts` named.
    /// - Returns: The library layouts, in order.
    func layouts(_ choices: [LayoutChoice]) -> [TensorLayout] {
        isSpatial ? choices.map(\.layout) : [.nc]
    }

    /// The library's shape in one layout.
    /// - Parameter layout: `.nc` for a 2-D shape; `.nchw` or `.nhwc` for a 4-D one.
    /// - Returns: The shape.
    func tensorShape(_ layout: TensorLayout) -> TensorShape {
        isSpatial
            ? TensorShape(n: dimensions[0], c: dimensions[1], spatial: Array(dimensions[2...]), layout: layout)
            : TensorShape(n: dimensions[0], c: dimensions[1])
    }
}

extension ShapeSpec {
    /// The characters that may join dimensions: `x` as the reports write it, and `X` and `×`, which
    /// the help and the README use, so that a shape copied from either parses.
    static let separators: Set<Character> = ["x", "X", "×"]

    /// Parses one shape strictly: two or four positive decimal integers joined by `x` (or `X`, `×`).
    /// - Parameter text: Such as `32x256x56x56`.
    /// - Returns: The shape.
    /// - Throws: `ValidationError` saying which part is wrong.
    static func parse(_ text: Substring) throws -> ShapeSpec {
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: separators.contains)
        guard parts.count == 2 || parts.count == 4 else {
            throw ValidationError("shape '\(text)' has \(parts.count) dimension(s); write N×C or N×C×H×W, such as 4096x1024 or 32x256x56x56")
        }
        var dimensions: [Int] = []
        var count = 1
        for (position, part) in parts.enumerated() {
            let name = ["N", "C", "H", "W"][position]
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part) else {
                throw ValidationError("\(name) in shape '\(text)' is '\(part)'; every dimension must be a positive integer")
            }
            guard value >= 1 else {
                throw ValidationError("\(name) in shape '\(text)' is \(value); every dimension must be at least 1")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: value)
            guard !overflow, product <= Int.max / MemoryLayout<Float>.size else {
                throw ValidationError("shape '\(text)' has too many elements to allocate")
            }
            count = product
            dimensions.append(value)
        }
        return ShapeSpec(checked: dimensions)
    }

    /// Parses `--shapes`: shapes separated by commas, such as `32x256x56x56,4096x1024`; spaces around
    /// a shape are ignored, as `--layouts` and `--passes` ignore them, and repeats are dropped.
    /// - Parameter text: The option's value.
    /// - Returns: The shapes in the order given.
    /// - Throws: `ValidationError` for the first malformed shape.
    static func parseList(_ text: String) throws -> [ShapeSpec] {
        var shapes: [ShapeSpec] = []
        for untrimmed in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = untrimmed.trimmingCharacters(in: .whitespaces)[...]
            guard !item.isEmpty else {
                throw ValidationError("'\(text)' has an empty shape; separate shapes with single commas, such as 60x100,4096x1024")
            }
            let shape = try parse(item)
            if !shapes.contains(shape) {
                shapes.append(shape)
            }
        }
        return shapes
    }
}

extension ShapeSpec {
    /// Why a device cannot hold the shape's tensor in one buffer, or nil when it can: a shape that
    /// does not fit is skipped before its inputs take host memory.
    /// - Parameter device: The device.
    /// - Returns: `BatchNormError.allocationTooLarge`, or nil.
    func allocationProblem(on device: OpenCLDeviceInfo) -> BatchNormError? {
        let bytes = elementCount * MemoryLayout<Float>.size // within Int: `parse` bounds it
        guard bytes > device.maxAllocationBytes else { return nil }
        return .allocationTooLarge(bytes: bytes, limit: device.maxAllocationBytes, device: device.name)
    }

    /// Says that no shape of a run fits on the device, and what to do.
    /// - Parameters:
    ///   - shapes: The shapes asked for, none of which fits.
    ///   - device: The device.
    /// - Returns: The message.
    static func noneFits(_ shapes: [ShapeSpec], on device: OpenCLDeviceInfo) -> String {
        "no shape fits on \(device.name): \(shapes.map(\.description).joined(separator: ", ")) "
            + "\(shapes.count == 1 ? "needs" : "each need") more than the \(device.maxAllocationBytes) bytes it allows for one "
            + "buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE); pass smaller --shapes"
    }
}

extension ShapeSpec {
    /// The default set: a tiny and two large 2-D shapes, and the batch-norm inputs of a ResNet-50
    /// stage by stage at batch 32, so that both small-channel and many-channel reductions are timed.
    static let standard: [ShapeSpec] = [
        [60, 100], [4096, 1024], [65536, 256],
        [32, 64, 112, 112], [32, 256, 56, 56], [32, 512, 28, 28], [32, 1024, 14, 14], [32, 2048, 7, 7],
    ].map(ShapeSpec.init(checked:))

    /// `--quick`: odd, small shapes in both ranks that run in seconds on PoCL in a debug build.
    static let quick: [ShapeSpec] = [
        [60, 100], [256, 64], [8, 16, 12, 12], [4, 32, 7, 7],
    ].map(ShapeSpec.init(checked:))
}
