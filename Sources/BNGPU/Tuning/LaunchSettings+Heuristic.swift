extension LaunchSettings {
    /// The settings for a class of shapes on a device that no tuning table names, by the kind of
    /// device and the class's traversal.
    ///
    /// - CPU drivers (PoCL and the like) run a work-group as one task and each work-item as SIMD
    ///   code over its vectors: one work-item per group and long contiguous runs keep per-task
    ///   overhead small and the loads streaming; 16 floats fill an AVX-512 register. A feature of up
    ///   to 512 KiB is handled by one task, so its second and third reads hit that core's cache.
    ///   - Planar: chunks of 16,384 values, a 64 KiB slice of a plane run that stays in a core's L2
    ///     between a chunk's two reads.
    ///   - Interleaved: a work-item reads 16 feature vectors of each row at once (a whole row of up
    ///     to 256 floats, 1 KiB contiguous), over chunks of 65,536 values (256 KiB, still within a
    ///     core's L2 for the second read). Measured on PoCL (2 cores, AMD EPYC), alternating with
    ///     the 4 vectors and 16,384 values this rule had before, over 2 rounds: NC 65536×256
    ///     backward 20.5 → 13.0 ms, NHWC 32×256×56×56 backward 27.7 → 19.5 ms and training
    ///     14.5 → 11.8 ms; NHWC 32×512×28×28 about level (its rows are two work-items' runs).
    ///     Four vectors per row were themselves 2.3× one vector on the backward reduction.
    /// - GPUs want many work-items on neighbouring addresses: 256 per group, float4 loads (16 bytes
    ///   per work-item is what their memory systems coalesce best), a few values per work-item, one
    ///   vector per row (neighbouring work-items read neighbouring vectors), and no resident kernels,
    ///   which would leave most of a large GPU idle on one group per feature.
    /// - Parameters:
    ///   - device: The device.
    ///   - traversal: The traversal of the class the settings are for.
    /// - Returns: The settings.
    package static func heuristic(for device: OpenCLDeviceInfo, traversal: ShapeClass.Traversal) -> LaunchSettings {
        switch (device.type, traversal) {
        case (.cpu, .planar):
            LaunchSettings(vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16_384, elementwiseColumns: 1,
                           valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10)
        case (.cpu, .interleaved):
            LaunchSettings(vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 65_536, elementwiseColumns: 1,
                           valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10, interleavedSpan: 16)
        case (.gpu, _), (.accelerator, _), (.other, _):
            LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 65_536, elementwiseColumns: 256,
                           valuesPerElementwiseItem: 16, residentFeatureBytes: 0)
        }
    }
}
