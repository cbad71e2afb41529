import BatchNorm

extension PassWorkload {
    /// Backward for a training forward pass, fed the same mean and invStd on every backend (the CPU
    /// reference's), so that only the backward computation is compared.
    static func backward(shape: TensorShape, inputs: SeededInputs, statistics: ForwardTrainingResult,
                         options: BatchNormOptions) -> PassWorkload {
        let (mean, invStd) = (statistics.mean, statistics.invStd)
        return PassWorkload(
            pass: .backward, shape: shape,
            arrayCall: { backend in
                let result = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                  mean: mean, invStd: invStd, options: options)
                return [result.dx, result.dGamma, result.dBeta]
            },
            prepareBufferCall: { backend in
                let dy = try backend.upload(inputs.dy)
                let x = try backend.upload(inputs.x)
                let gamma = try backend.upload(inputs.gamma)
                let meanBuffer = try backend.upload(mean)
                let invStdBuffer = try backend.upload(invStd)
                let dx = try backend.makeBuffer(count: inputs.x.count)
                let dGamma = try backend.makeBuffer(count: inputs.gamma.count)
                let dBeta = try backend.makeBuffer(count: inputs.gamma.count)
                return {
                    try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma, mean: meanBuffer,
                                         invStd: invStdBuffer, options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)
                }
            })
    }
}
