/// A buffer of an ``AnyBatchNormBackend``: the backend's own buffer behind one concrete type.
///
/// Made by the erased backend's ``AnyBatchNormBackend/makeBuffer(count:elementType:)`` and
/// ``AnyBatchNormBackend/upload(_:)``, or wrapped from a buffer of its ``AnyBatchNormBackend/base``.
/// Two wrappers of one buffer are the same operand: a pass that lets y be x accepts them.
public final class AnyBatchNormBuffer: BatchNormBuffer {
    /// The backend's own buffer, such as an `OpenCLBuffer` to hand to the caller's kernels.
    public let base: any BatchNormBuffer

    /// Wraps a buffer of the backend an ``AnyBatchNormBackend`` erases.
    /// - Parameter base: The buffer; a wrapper is unwrapped first, so wrappers never nest.
    public init(_ base: any BatchNormBuffer) {
        self.base = (base as? AnyBatchNormBuffer)?.base ?? base
    }

    public var count: Int { base.count }
    public var elementType: ElementType { base.elementType }
}

extension BatchNormBackend {
    /// The backend's own buffer behind `buffer`.
    /// - Throws: ``BatchNormError/foreignBuffer(argument:)`` naming `argument` when it belongs to a
    ///   backend of another kind.
    func unwrapped(_ buffer: AnyBatchNormBuffer, _ argument: String) throws -> Buffer {
        guard let own = buffer.base as? Buffer else { throw BatchNormError.foreignBuffer(argument: argument) }
        return own
    }

    /// ``unwrapped(_:_:)`` for an optional operand.
    func unwrapped(_ buffer: AnyBatchNormBuffer?, _ argument: String) throws -> Buffer? {
        try buffer.map { try unwrapped($0, argument) }
    }

    /// The running statistics' buffers unwrapped, `batchesTracked` kept.
    func unwrapped(_ running: RunningStatisticsBuffers<AnyBatchNormBuffer>) throws -> RunningStatisticsBuffers<Buffer> {
        RunningStatisticsBuffers(mean: try unwrapped(running.mean, "running.mean"),
                                 variance: try unwrapped(running.variance, "running.variance"),
                                 batchesTracked: running.batchesTracked)
    }

    /// The backward pass's statistics unwrapped, under the names its errors give them.
    func unwrapped(_ statistics: BackwardStatistics<AnyBatchNormBuffer>) throws -> BackwardStatistics<Buffer> {
        switch statistics {
        case let .batch(mean, invStd):
            .batch(mean: try unwrapped(mean, "mean"), invStd: try unwrapped(invStd, "invStd"))
        case let .running(mean, variance):
            .running(mean: try unwrapped(mean, "running.mean"), variance: try unwrapped(variance, "running.variance"))
        case let .renormalized(mean, invStd, r, d):
            .renormalized(mean: try unwrapped(mean, "mean"), invStd: try unwrapped(invStd, "invStd"),
                          r: try unwrapped(r, "corrections.r"), d: try unwrapped(d, "corrections.d"))
        }
    }

    /// A training pass's corrections unwrapped, under the names its errors give them.
    func unwrapped(_ corrections: RenormCorrections<AnyBatchNormBuffer>?) throws -> RenormCorrections<Buffer>? {
        try corrections.map {
            RenormCorrections(r: try unwrapped($0.r, "corrections.r"), d: try unwrapped($0.d, "corrections.d"))
        }
    }
}
