import BNCore

extension KernelRunner {
    /// Runs the planar or the interleaved kernel of an elementwise pair: `leading` arguments, the
    /// geometry the traversal takes and the plan's block length, then `trailing` arguments.
    mutating func runElementwise(
        planar: KernelName, interleaved: KernelName, plan: LaunchPlan,
        _ leading: [KernelArgument], trailing: [KernelArgument] = []
    ) throws {
        let geometry = plan.geometry
        switch plan.traversal {
        case .planar:
            try run(planar, variant: plan.variant, range: plan.elementwise, leading + [
                .size(geometry.outer), .size(geometry.features), .size(geometry.inner), .size(plan.blockLength),
            ] + trailing)
        case .interleaved:
            try run(interleaved, variant: plan.variant, range: plan.elementwise, leading + [
                .size(geometry.outer), .size(geometry.features), .size(plan.blockLength),
            ] + trailing)
        }
    }
}

extension KernelRunner {
    /// Runs a kernel over a flat array of `count` elements stored as `storage` (`bn_copy`, the
    /// activation kernels): its buffers, then the count and the block length. The split is
    /// `LaunchPlan.elementwise` over single values with the settings of the largest planar shapes:
    /// the settings' full row of work-items side by side (`elementwiseColumns`), each taking about
    /// `valuesPerElementwiseItem` values, within what the kernel runs. Asking for every column the
    /// settings allow leaves a group no room for lanes, which these kernels do not take.
    mutating func runFlat(_ name: KernelName, count: Int, storage: ElementType, forcesWideIndices: Bool,
                          _ buffers: [KernelArgument]) throws {
        let settings = tuning.settings(for: ShapeClass(traversal: .planar, size: .huge))
        let isNarrow = !forcesWideIndices && count < LaunchHeuristics.narrowIndexLimit
        let variant = KernelVariant(indexWidth: isNarrow ? .narrow : .wide, vectorWidth: settings.vectorWidth,
                                    storage: storage)
        let kernelLimit = try library.kernel(name, variant: variant).maxWorkGroupSize(on: device)
        let limits = LaunchLimits(computeUnits: max(1, device.info.computeUnits),
                                  maxWorkGroupSize: max(1, min(device.info.maxWorkGroupSize, kernelLimit)))
        let (range, block) = LaunchPlan.elementwise(
            units: count, valuesPerUnit: 1, vectorsPerUnit: settings.elementwiseColumns, settings: settings, limits: limits)
        try run(name, variant: variant, range: range, buffers + [.size(count), .size(block)])
    }
}
