extension KernelRunner {
    /// Runs the planar or the interleaved kernel of a reduction pair: `leading` arguments, then the
    /// geometry the traversal takes, then a local scratch of `scratchPerWorkItem` floats per work-item.
    mutating func runReduction(
        planar: KernelName, interleaved: KernelName, plan: LaunchPlan, scratchPerWorkItem: Int, _ leading: [KernelArgument]
    ) throws {
        let geometry = plan.geometry
        let scratch = KernelArgument.local(bytes: scratchPerWorkItem * plan.reduction.groupSize * MemoryLayout<Float>.stride)
        switch plan.traversal {
        case .planar:
            try run(planar, variant: plan.variant, range: plan.reduction, leading + [
                .size(geometry.outer), .size(geometry.features), .size(geometry.inner), .size(plan.chunkLength), scratch,
            ])
        case .interleaved:
            try run(interleaved, variant: plan.variant, range: plan.reduction, leading + [
                .size(geometry.outer), .size(geometry.features), .size(plan.chunkLength), scratch,
            ])
        }
    }

    /// Runs the planar or the interleaved kernel of an elementwise pair: `leading` arguments, the
    /// geometry the traversal takes, then `trailing` arguments.
    mutating func runElementwise(
        planar: KernelName, interleaved: KernelName, plan: LaunchPlan,
        _ leading: [KernelArgument], trailing: [KernelArgument] = []
    ) throws {
        let geometry = plan.geometry
        switch plan.traversal {
        case .planar:
            try run(planar, variant: plan.variant, range: plan.elementwise,
                    leading + [.size(geometry.outer), .size(geometry.features), .size(geometry.inner)] + trailing)
        case .interleaved:
            try run(interleaved, variant: plan.variant, range: plan.elementwise,
                    leading + [.size(geometry.outer), .size(geometry.features)] + trailing)
        }
    }
}
