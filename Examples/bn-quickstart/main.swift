import BatchNorm

// A batch of 8 images with 3 channels of 4×4 pixels, channels first.
let shape = TensorShape(n: 8, c: 3, h: 4, w: 4)
let x: [Float] = (0..<shape.n * shape.c * 16).map { Float($0 % 17) / 4 - 2 }
let gamma: [Float] = [1, 0.5, 2]
let beta: [Float] = [0, 1, -1]

do {
    let backend = try makeBackend()          // OpenCL GPU, else PoCL, else the CPU reference
    var running = RunningStatistics(channels: 3)
    let options = BatchNormOptions()         // PyTorch's defaults: ε = 1e-5, momentum = 0.1

    // Training: batch statistics, normalization, running-statistics update.
    let forward = try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta,
                                              running: &running, options: options)
    // Backward: the gradients of a loss whose gradient with respect to y is dy.
    let dy = forward.y.map { $0 * 0.1 }
    let gradients = try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma,
                                         statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
    // Inference: normalize with the running statistics.
    let y = try backend.forwardInference(x: x, shape: shape, gamma: gamma, beta: beta,
                                         running: running, options: options)

    print("backend:", backend.name)
    print("batch mean:", forward.mean, "running mean:", running.mean)
    print("dγ:", gradients.dGamma, "dβ:", gradients.dBeta)
    print("first outputs, training and inference:", forward.y[0], y[0])
} catch {
    print("error:", error)
}
