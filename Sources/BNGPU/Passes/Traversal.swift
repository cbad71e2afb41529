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
