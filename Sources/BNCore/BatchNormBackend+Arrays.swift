/// The array form of every operation, over the buffer form: check, allocate the outputs, upload,
/// run, download. Arguments are checked before anything is uploaded, and the outputs, the largest
/// allocations, come first, so a bad call or a tensor too large for the device costs nothing and
/// changes nothing.
extension BatchNormBackend {
    /// Uploads running statistics into new buffers.
    /// - Parameter running: The statistics to upload.
    /// - Returns: Buffers holding them, with the same `batchesTracked`.
    /// - Throws: ``BatchNormError`` if the arrays are empty or the device cannot allocate them.
    public func upload(_ running: RunningStatistics) throws -> RunningStatisticsBuffers<Buffer> {
        RunningStatisticsBuffers(mean: try upload(running.mean), variance: try upload(running.variance),
                                 batchesTracked: running.batchesTracked)
    }

    /// Downloads running statistics.
    /// - Parameter running: Buffers made by this backend.
    /// - Returns: Their values, after all enqueued work has finished.
    /// - Throws: ``BatchNormError`` if a buffer is foreign or the device fails.
    public func download(_ running: RunningStatisticsBuffers<Buffer>) throws -> RunningStatistics {
        var statistics = RunningStatistics(mean: try download(running.mean), variance: try download(running.variance))
        statistics.batchesTracked = running.batchesTracked
        return statistics
    }

    public func forwardTraining(
        x: [Float], shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: inout RunningStatistics, options: BatchNormOptions
    ) throws -> ForwardTrainingResult {
        let geometry = try Operands.forwardTraining(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                    runningVariance: running.variance).checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount)
        let mean = try makeBuffer(count: geometry.features)
        let invStd = try makeBuffer(count: geometry.features)
        var runningBuffers = try upload(running)
        try forwardTraining(x: try upload(x), shape: shape, gamma: try gamma.map(upload), beta: try beta.map(upload),
                            running: &runningBuffers, options: options, y: y, mean: mean, invStd: invStd)
        let result = ForwardTrainingResult(y: try download(y), mean: try download(mean), invStd: try download(invStd))
        running = try download(runningBuffers)
        return result
    }

    public func forwardInference(
        x: [Float], shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> [Float] {
        let geometry = try Operands.forwardInference(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                     runningVariance: running.variance).checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount)
        try forwardInference(x: try upload(x), shape: shape, gamma: try gamma.map(upload), beta: try beta.map(upload),
                             running: try upload(running), options: options, y: y)
        return try download(y)
    }

    public func backward(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        mean: [Float], invStd: [Float], options: BatchNormOptions
    ) throws -> BackwardResult {
        let geometry = try Operands.backward(dy: dy, x: x, gamma: gamma, mean: mean, invStd: invStd)
            .checked(shape: shape, options: options)
        let outputs = try makeGradientBuffers(geometry)
        try backward(dy: try upload(dy), x: try upload(x), shape: shape, gamma: try gamma.map(upload),
                     mean: try upload(mean), invStd: try upload(invStd), options: options,
                     dx: outputs.dx, dGamma: outputs.dGamma, dBeta: outputs.dBeta)
        return try download(outputs)
    }

    public func backwardFrozen(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> BackwardResult {
        let geometry = try Operands.backwardFrozen(dy: dy, x: x, gamma: gamma, runningMean: running.mean,
                                                   runningVariance: running.variance).checked(shape: shape, options: options)
        let outputs = try makeGradientBuffers(geometry)
        try backwardFrozen(dy: try upload(dy), x: try upload(x), shape: shape, gamma: try gamma.map(upload),
                           running: try upload(running), options: options,
                           dx: outputs.dx, dGamma: outputs.dGamma, dBeta: outputs.dBeta)
        return try download(outputs)
    }

    private func makeGradientBuffers(_ geometry: FeatureGeometry) throws -> (dx: Buffer, dGamma: Buffer, dBeta: Buffer) {
        (try makeBuffer(count: geometry.elementCount), try makeBuffer(count: geometry.features),
         try makeBuffer(count: geometry.features))
    }

    private func download(_ outputs: (dx: Buffer, dGamma: Buffer, dBeta: Buffer)) throws -> BackwardResult {
        BackwardResult(dx: try download(outputs.dx), dGamma: try download(outputs.dGamma), dBeta: try download(outputs.dBeta))
    }
}
