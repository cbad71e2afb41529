import BNCore

extension KernelRunner {
    /// Runs a kernel over a flat array of `count` elements stored as `storage` (`bn_copy`, the
    /// activation kernels); `call` makes its arguments from the block length, the values each
    /// work-item takes. The split is `LaunchPlan.elementwise` over single values with the settings
    /// of the largest planar shapes: the settings' full row of work-items side by side
    /// (`elementwiseColumns`), each taking about `valuesPerElementwiseItem` values, within what the
    /// kernel runs. Asking for every column the settings allow leaves a group no room for lanes,
    /// which these kernels do not take.
    mutating func runFlat(_ name: KernelName, count: Int, storage: ElementType, forcesWideIndices: Bool,
                          _ call: (_ block: Int) -> KernelCall) throws {
        let settings = tuning.settings(for: ShapeClass(traversal: .planar, size: .huge))
        let isNarrow = !forcesWideIndices && count < LaunchHeuristics.narrowIndexLimit
        let variant = KernelVariant(indexWidth: isNarrow ? .narrow : .wide, vectorWidth: settings.vectorWidth,
                                    storage: storage)
        let kernelLimit = try library.kernel(name, variant: variant).maxWorkGroupSize(on: device)
        let limits = LaunchLimits(computeUnits: max(1, device.info.computeUnits),
                                  maxWorkGroupSize: max(1, min(device.info.maxWorkGroupSize, kernelLimit)))
        let (range, block) = LaunchPlan.elementwise(
            units: count, valuesPerUnit: 1, vectorsPerUnit: settings.elementwiseColumns, settings: settings, limits: limits)
        let made = call(block)
        precondition(made.kernel == name, "runFlat(\(name)) was given a call of \(made.kernel)")
        try run(made, variant: variant, range: range)
    }
}
