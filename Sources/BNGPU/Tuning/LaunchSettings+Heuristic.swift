extension LaunchSettings {
    /// The settings for a device that no tuning table names, by the kind of device.
    ///
    /// - CPU drivers (PoCL and the like) run a work-group as one task and each work-item as SIMD
    ///   code over its vectors: one work-item per group and long contiguous runs (16,384 values, a
    ///   64 KiB slice that stays in a core's L2 between a chunk's two reads) keep per-task overhead
    ///   small and the loads streaming; 16 floats fill an AVX-512 register. A feature of up to 512 KiB
    ///   is handled by one task, so its second and third reads hit that core's cache. An interleaved
    ///   reduction's work-item reads 4 feature vectors (256 bytes) of each row at once, which streams
    ///   (measured 2.3× one vector per row on PoCL's backward reduction, NHWC 32×256×56×56).
    /// - GPUs want many work-items on neighbouring addresses: 256 per group, float4 loads (16 bytes
    ///   per work-item is what their memory systems coalesce best), a few values per work-item, and
    ///   no resident kernels, which would leave most of a large GPU idle on one group per feature.
    /// - Parameter device: The device.
    /// - Returns: The settings.
    package static func heuristic(for device: OpenCLDeviceInfo) -> LaunchSettings {
        switch device.type {
        case .cpu:
            LaunchSettings(vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16_384, elementwiseColumns: 1,
                           valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10, interleavedSpan: 4)
        case .gpu, .accelerator, .other:
            LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 65_536, elementwiseColumns: 256,
                           valuesPerElementwiseItem: 16, residentFeatureBytes: 0)
        }
    }
}
