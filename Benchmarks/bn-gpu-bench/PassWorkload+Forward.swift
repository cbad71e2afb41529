import BatchNorm

extension PassWorkload {
    /// Training forward: batch statistics, y, and the running-statistics update (in place, every run).
    static func forwardTraining(shape: TensorShape, inputs: SeededInputs, options: BatchNormOptions) -> PassWorkload {
        PassWorkload(
            pass: .forwardTraining, shape: shape,
            arrayCall: { backend in
                var running = inputs.running
                let result = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                         beta: inputs.beta, running: &running, options: options)
                return [result.y, result.mean, result.invStd]
            },
            prepareBufferCall: { backend in
                let x = try backend.upload(inputs.x)
                let gamma = try backend.upload(inputs.gamma)
                let beta = try backend.upload(inputs.beta)
                var running = try backend.upload(inputs.running)
                let y = try backend.makeBuffer(count: inputs.x.count)
                let mean = try backend.makeBuffer(count: inputs.gamma.count)
                let invStd = try backend.makeBuffer(count: inputs.gamma.count)
                return {
                    try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta, running: &running,
                                                options: options, y: y, mean: mean, invStd: invStd)
                }
            })
    }

    /// Inference forward: y from the running statistics.
    static func forwardInference(shape: TensorShape, inputs: SeededInputs, options: BatchNormOptions) -> PassWorkload {
        PassWorkload(
            pass: .forwardInference, shape: shape,
            arrayCall: { backend in
                [try backend.forwardInference(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                              running: inputs.running, options: options)]
            },
            prepareBufferCall: { backend in
                let x = try backend.upload(inputs.x)
                let gamma = try backend.upload(inputs.gamma)
                let beta = try backend.upload(inputs.beta)
                let running = try backend.upload(inputs.running)
                let y = try backend.makeBuffer(count: inputs.x.count)
                return {
                    try backend.forwardInference(x: x, shape: shape, gamma: gamma, beta: beta, running: running,
                                                 options: options, y: y)
                }
            })
    }
}
