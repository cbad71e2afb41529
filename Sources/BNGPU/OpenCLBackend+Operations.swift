import BNCore

extension OpenCLBackend {
    public func forwardTraining(
        x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.forwardTraining(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd), shape: shape, options: options)
        let target = RunningTarget(mean: running.mean, variance: running.variance,
                                   update: RunningUpdate(options: options, batchesTracked: running.batchesTracked,
                                                         valuesPerFeature: geometry.valuesPerFeature))
        try enqueue(geometry) { runner, plan in
            try runner.enqueueForwardTraining(x: x, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                              running: target, epsilon: options.epsilon, plan: plan)
        }
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    public func forwardInference(
        x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions, y: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.forwardInference(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance, y: y),
            shape: shape, options: options)
        try enqueue(geometry) { runner, plan in
            let invStd = try runner.workspace.perFeature(count: geometry.features, slot: .inverseStd)
            let invStdLow = try runner.workspace.perFeature(count: geometry.features, slot: .inverseStdLow)
            try runner.enqueueInverseStd(variance: running.variance, invStd: invStd, invStdLow: invStdLow, plan: plan,
                                         epsilon: options.epsilon)
            try runner.enqueueNormalize(x: x, y: y, mean: running.mean, meanLow: nil, invStd: invStd, invStdLow: invStdLow,
                                        gamma: gamma, beta: beta, plan: plan)
        }
    }

    public func backward(
        dy: OpenCLBuffer, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?, mean: OpenCLBuffer,
        invStd: OpenCLBuffer, options: BatchNormOptions, dx: OpenCLBuffer, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.backward(
            dy: dy, x: x, gamma: gamma, mean: mean, invStd: invStd, dx: dx, dGamma: dGamma, dBeta: dBeta),
            shape: shape, options: options)
        try enqueue(geometry) { runner, plan in
            try runner.enqueueBackward(dy: dy, x: x, mean: mean, invStd: invStd, gamma: gamma, dx: dx, dGamma: dGamma,
                                       dBeta: dBeta, usesBatchStatistics: true, plan: plan)
        }
    }

    public func backwardFrozen(
        dy: OpenCLBuffer, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?,
        running: RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        dx: OpenCLBuffer, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.backwardFrozen(
            dy: dy, x: x, gamma: gamma, runningMean: running.mean, runningVariance: running.variance,
            dx: dx, dGamma: dGamma, dBeta: dBeta), shape: shape, options: options)
        try enqueue(geometry) { runner, plan in
            let invStd = try runner.workspace.perFeature(count: geometry.features, slot: .inverseStd)
            let invStdLow = try runner.workspace.perFeature(count: geometry.features, slot: .inverseStdLow)
            try runner.enqueueInverseStd(variance: running.variance, invStd: invStd, invStdLow: invStdLow, plan: plan,
                                         epsilon: options.epsilon)
            try runner.enqueueBackward(dy: dy, x: x, mean: running.mean, invStd: invStd, gamma: gamma, dx: dx,
                                       dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: false, plan: plan)
        }
    }
}
