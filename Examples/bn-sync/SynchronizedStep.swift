import BatchNorm
import BatchNormMPI

/// Forward training and backward on this process's rows of a batch that `mpirun -np R` split over
/// R processes: every process normalizes with the whole batch's statistics and gets the whole
/// batch's dγ and dβ, as one device would on the whole batch.
func synchronizedStep(
    _ backend: AnyBatchNormBackend, communicator: MPICommunicator, x: [Float], dy: [Float], shape: TensorShape,
    gamma: [Float], beta: [Float], running: inout RunningStatistics, options: BatchNormOptions
) async throws -> (forward: ForwardTrainingResult, backward: BackwardResult) {
    // Rows rank·N/R ..< (rank + 1)·N/R; a process with none (N < R) passes n = 0 and still takes part.
    let (part, elements) = shape.slice(rows: shape.rows(ofPart: communicator.rank, of: communicator.size))
    let rows = { (values: [Float]) in elements.isEmpty ? [0] : Array(values[elements]) }  // buffers hold ≥ 1 value
    let xPart = try backend.upload(rows(x)), dyPart = try backend.upload(rows(dy))
    let y = try backend.makeBuffer(count: max(elements.count, 1)), dx = try backend.makeBuffer(count: max(elements.count, 1))
    let gammaBuffer = try backend.upload(gamma), betaBuffer = try backend.upload(beta)
    let mean = try backend.makeBuffer(count: gamma.count), invStd = try backend.makeBuffer(count: gamma.count)
    let dGamma = try backend.makeBuffer(count: gamma.count), dBeta = try backend.makeBuffer(count: gamma.count)
    var runningBuffers = try backend.upload(running)

    let batchNorm = SynchronizedBatchNorm(backend: backend, communicator: communicator)
    try await batchNorm.forwardTraining(x: xPart, shape: part, gamma: gammaBuffer, beta: betaBuffer,
                                        running: &runningBuffers, options: options, y: y, mean: mean, invStd: invStd)
    try await batchNorm.backward(dy: dyPart, x: xPart, shape: part, gamma: gammaBuffer, mean: mean, invStd: invStd,
                                 options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)

    running = try backend.download(runningBuffers)
    return try (ForwardTrainingResult(y: elements.isEmpty ? [] : backend.download(y),
                                      mean: backend.download(mean), invStd: backend.download(invStd)),
                BackwardResult(dx: elements.isEmpty ? [] : backend.download(dx),
                               dGamma: backend.download(dGamma), dBeta: backend.download(dBeta)))
}
