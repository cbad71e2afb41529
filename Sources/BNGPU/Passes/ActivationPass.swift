import BNCore

extension KernelRunner {
    /// Enqueues out = relu(a + b), or relu(a) when b is nil (`bn_relu_forward`), over `a.count`
    /// elements stored as `a.elementType`.
    mutating func enqueueRelu(_ a: OpenCLBuffer, adding b: OpenCLBuffer?, into out: OpenCLBuffer,
                              forcesWideIndices: Bool) throws {
        try runFlat(.reluForward, count: a.count, storage: a.elementType, forcesWideIndices: forcesWideIndices) {
            .reluForward(a: a, b: b, out: out, count: a.count, block: $0)
        }
    }

    /// Enqueues da = the gradient where the relu's output is positive or NaN, else 0
    /// (`bn_relu_backward`), and the same into db when given.
    mutating func enqueueReluBackward(gradient: OpenCLBuffer, output: OpenCLBuffer, da: OpenCLBuffer,
                                      db: OpenCLBuffer?, forcesWideIndices: Bool) throws {
        try runFlat(.reluBackward, count: gradient.count, storage: gradient.elementType,
                    forcesWideIndices: forcesWideIndices) {
            .reluBackward(gradient: gradient, output: output, da: da, db: db, count: gradient.count, block: $0)
        }
    }
}

/// The calls of `bn_activation.cl`'s kernels.
extension KernelCall {
    static func reluForward(a: OpenCLBuffer, b: OpenCLBuffer?, out: OpenCLBuffer, count: Int, block: Int) -> KernelCall {
        KernelCall(.reluForward, [
            "a": .buffer(a), "b": .buffer(b), "out": .buffer(out), "count_arg": .size(count), "block": .size(block),
        ])
    }

    static func reluBackward(gradient: OpenCLBuffer, output: OpenCLBuffer, da: OpenCLBuffer, db: OpenCLBuffer?,
                             count: Int, block: Int) -> KernelCall {
        KernelCall(.reluBackward, [
            "gradient": .buffer(gradient), "output": .buffer(output), "da": .buffer(da), "db": .buffer(db),
            "count_arg": .size(count), "block": .size(block),
        ])
    }
}
