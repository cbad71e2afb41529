import BNCore

extension KernelRunner {
    /// Enqueues out = relu(a + b), or relu(a) when b is nil (`bn_relu_forward`), over `a.count`
    /// elements stored as `a.elementType`.
    mutating func enqueueRelu(_ a: OpenCLBuffer, adding b: OpenCLBuffer?, into out: OpenCLBuffer,
                              forcesWideIndices: Bool) throws {
        try runFlat(.reluForward, count: a.count, storage: a.elementType, forcesWideIndices: forcesWideIndices,
                    [.buffer(a), .buffer(b), .buffer(out)])
    }

    /// Enqueues da = the gradient where the relu's output is positive or NaN, else 0
    /// (`bn_relu_backward`), and the same into db when given.
    mutating func enqueueReluBackward(gradient: OpenCLBuffer, output: OpenCLBuffer, da: OpenCLBuffer,
                                      db: OpenCLBuffer?, forcesWideIndices: Bool) throws {
        try runFlat(.reluBackward, count: gradient.count, storage: gradient.elementType,
                     forcesWideIndices: forcesWideIndices,
                     [.buffer(gradient), .buffer(output), .buffer(da), .buffer(db)])
    }
}
