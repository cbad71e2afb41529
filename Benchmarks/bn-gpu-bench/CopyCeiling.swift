import BatchNorm

/// The bandwidth of a plain device-to-device copy: the ceiling every pass is compared with.
struct CopyCeiling: Sendable {
    /// Floats copied per run.
    let count: Int
    /// Seconds per copy.
    let samples: Samples

    /// 10⁹ bytes per second over the median copy, counting each float read and written: 2 × 4 × count.
    var gbps: Double { Double(2 * MemoryLayout<Float>.size * count) / samples.median / 1e9 }

    /// At least 16 Mi floats (64 MiB per buffer, beyond the caches of most devices), so that the
    /// ceiling is memory's. A device whose last-level cache is larger (PoCL here reports 260 MiB)
    /// keeps part of smaller tensors between runs, and their rows can then exceed the ceiling.
    static let minimumCount = 16 << 20

    /// Measures the copy on a size comparable with the largest tensor.
    /// - Parameters:
    ///   - backend: A backend with profiling enabled.
    ///   - largestElementCount: The largest tensor the run times.
    ///   - repetitions: Timed copies, after one warm-up.
    /// - Returns: The ceiling.
    /// - Throws: ``BatchNormError`` from the device.
    static func measure(on backend: OpenCLBackend, largestElementCount: Int, repetitions: Int) throws -> CopyCeiling {
        // Each of the two buffers stays within half the largest allocation the device allows.
        let limit = backend.device.maxAllocationBytes / 2 / MemoryLayout<Float>.size
        let count = max(4, min(max(largestElementCount, minimumCount), limit) / 4 * 4)
        let seconds = try backend.measureCopy(count: count, repetitions: repetitions)
        return CopyCeiling(count: count, samples: Samples(seconds: seconds))
    }
}
