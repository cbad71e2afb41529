/// Storage for a tensor or a per-feature array that lives where a backend computes: host memory
/// for the CPU reference, a `cl_mem` for OpenCL.
///
/// Buffers are made by ``BatchNormBackend/makeBuffer(count:)`` or ``BatchNormBackend/upload(_:)``
/// and belong to the backend that made them; passing one to another backend throws
/// ``BatchNormError/foreignBuffer(argument:)``. A buffer may be shared between tasks, but two calls
/// that write the same buffer at the same time race, as with any memory.
public protocol BatchNormBuffer: AnyObject, Sendable {
    /// The number of elements.
    var count: Int { get }
    /// How the elements are stored: `.float32`, or a 16-bit type for tensors (x, y, dy, dx, z, dz).
    var elementType: ElementType { get }
}

/// Running statistics kept in a backend's buffers, so that a training step updates them in place
/// without a host round trip.
public struct RunningStatisticsBuffers<Buffer: BatchNormBuffer>: Sendable {
    /// The running mean, one value per feature.
    public var mean: Buffer
    /// The running variance, one value per feature.
    public var variance: Buffer
    /// Training batches counted so far; see ``RunningStatistics/batchesTracked``.
    public var batchesTracked: Int

    /// - Parameters:
    ///   - mean: The running-mean buffer.
    ///   - variance: The running-variance buffer.
    ///   - batchesTracked: Batches counted so far.
    public init(mean: Buffer, variance: Buffer, batchesTracked: Int = 0) {
        self.mean = mean
        self.variance = variance
        self.batchesTracked = batchesTracked
    }
}
