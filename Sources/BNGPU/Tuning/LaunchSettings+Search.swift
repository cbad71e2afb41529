/// One knob of ``LaunchSettings`` and the values `bn-gpu-bench tune` tries for it. The tuner
/// searches one knob at a time from the heuristic settings, keeping each best value: a few dozen
/// timed settings per class of shapes instead of thousands.
package enum LaunchSettingsKnob: String, CaseIterable, Sendable {
    case vectorWidth = "vector"
    case reductionGroupSize = "group"
    case valuesPerChunk = "chunk"
    case elementwiseColumns = "columns"
    case valuesPerElementwiseItem = "items"
    case residentFeatureBytes = "resident"
    case interleavedSpan = "span"

    /// The values tried on a device: CPUs and GPUs search around their own heuristic, within
    /// what the device runs.
    /// - Parameter device: The device.
    /// - Returns: The candidate values, the heuristic's among them.
    package func candidates(for device: OpenCLDeviceInfo) -> [Int] {
        let isCPU = device.type == .cpu
        let groups = [1, 4, 16, 64, 256].filter { $0 <= max(1, device.maxWorkGroupSize) }
        switch self {
        case .vectorWidth: return KernelVariant.vectorWidths
        case .reductionGroupSize: return isCPU ? [1, 4, 16] : groups.filter { $0 >= 16 }
        case .valuesPerChunk: return [4_096, 16_384, 65_536, 262_144]
        case .elementwiseColumns: return isCPU ? [1, 4, 16] : groups.filter { $0 >= 16 }
        case .valuesPerElementwiseItem: return isCPU ? [4_096, 16_384, 65_536] : [4, 16, 64]
        case .residentFeatureBytes: return isCPU ? [0, 128 << 10, 512 << 10, 2 << 20] : [0, 32 << 10, 128 << 10, 512 << 10]
        case .interleavedSpan: return isCPU ? [1, 4, 16] : [1]
        }
    }

    /// The knob's value in `settings`.
    /// - Parameter settings: The settings to read.
    /// - Returns: The value.
    package func value(in settings: LaunchSettings) -> Int {
        switch self {
        case .vectorWidth: settings.vectorWidth
        case .reductionGroupSize: settings.reductionGroupSize
        case .valuesPerChunk: settings.valuesPerChunk
        case .elementwiseColumns: settings.elementwiseColumns
        case .valuesPerElementwiseItem: settings.valuesPerElementwiseItem
        case .residentFeatureBytes: settings.residentFeatureBytes
        case .interleavedSpan: settings.interleavedSpan
        }
    }

    /// `settings` with the knob set to `value`.
    /// - Parameters:
    ///   - value: The knob's new value.
    ///   - settings: The settings to start from.
    /// - Returns: The changed settings.
    package func setting(_ value: Int, in settings: LaunchSettings) -> LaunchSettings {
        var result = settings
        switch self {
        case .vectorWidth: result.vectorWidth = value
        case .reductionGroupSize: result.reductionGroupSize = value
        case .valuesPerChunk: result.valuesPerChunk = value
        case .elementwiseColumns: result.elementwiseColumns = value
        case .valuesPerElementwiseItem: result.valuesPerElementwiseItem = value
        case .residentFeatureBytes: result.residentFeatureBytes = value
        case .interleavedSpan: result.interleavedSpan = value
        }
        return result
    }
}
