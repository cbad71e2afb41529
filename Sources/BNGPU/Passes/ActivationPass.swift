import BNCore

extension KernelRunner {
    /// Enqueues out = relu(a + b), or relu(a) when b is nil (`bn_relu_forward`), over `a.count`
    /// elements stored as `a.elementType`.
    mutating func enqueueRelu(_ a: OpenCLBuffer, adding b: OpenCLBuffer?, into out: OpenCLBuffer,
                              forcesWideIndices: Bool) throws {
        try runActivation(.reluForward, count: a.count, storage: a.elementType, forcesWideIndices: forcesWideIndices,
                          [.buffer(a), .buffer(b), .buffer(out)])
    }

    /// Enqueues da = the gradient where the relu's output is positive or NaN, else 0
    /// (`bn_relu_backward`), and the same into db when given.
    mutating func enqueueReluBackward(gradient: OpenCLBuffer, output: OpenCLBuffer, da: OpenCLBuffer,
                                      db: OpenCLBuffer?, forcesWideIndices: Bool) throws {
        try runActivation(.reluBackward, count: gradient.count, storage: gradient.elementType,
                          forcesWideIndices: forcesWideIndices,
                          [.buffer(gradient), .buffer(output), .buffer(da), .buffer(db)])
    }

    /// Runs an activation kernel over `count` elements: its buffers, then the count and the block
    /// length, split as `bn_copy` is (`LaunchPlan.elementwise` over single values, with the settings
    /// of the largest planar shapes), but with the settings' full row of work-items side by side,
    /// each taking about `valuesPerElementwiseItem` values, within what the kernel runs.
    private mutating func runActivation(_ name: KernelName, count: Int, storage: ElementType, forcesWideIndices: Bool,
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
