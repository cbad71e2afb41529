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
        try forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running, options: options)
    }

    /// Training forward pass with the fused operation of `options.fusion`: y = relu(bn(x)) or
    /// relu(bn(x) + z); see ``forwardTraining(x:shape:gamma:beta:running:options:)``.
    /// - Parameters:
    ///   - x: The input, in `shape`'s layout.
    ///   - z: `.addRelu`'s second input, x's shape; nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Updated only when the call succeeds.
    ///   - options: ε, momentum and its convention, the stored variance, the mode, the fusion.
    /// - Returns: The fused output, the batch means and the inverse standard deviations.
    /// - Throws: ``BatchNormError``; `running` is then unchanged.
    public func forwardTraining(
        x: [Float], z: [Float]?, shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: inout RunningStatistics, options: BatchNormOptions
    ) throws -> ForwardTrainingResult {
        let geometry = try Operands.forwardTraining(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                    runningVariance: running.variance)
            .addingInput(z: z).checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount)
        let mean = try makeBuffer(count: geometry.features)
        let invStd = try makeBuffer(count: geometry.features)
        var runningBuffers = try upload(running)
        try forwardTraining(x: try upload(x), z: try z.map(upload), shape: shape, gamma: try gamma.map(upload),
                            beta: try beta.map(upload), running: &runningBuffers, options: options,
                            y: y, mean: mean, invStd: invStd)
        let result = ForwardTrainingResult(y: try download(y), mean: try download(mean), invStd: try download(invStd))
        running = try download(runningBuffers)
        return result
    }

    public func forwardInference(
        x: [Float], shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> [Float] {
        try forwardInference(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: running, options: options)
    }

    /// Inference forward pass with the fused operation of `options.fusion`; see
    /// ``forwardInference(x:shape:gamma:beta:running:options:)``.
    /// - Parameters:
    ///   - x: The input.
    ///   - z: `.addRelu`'s second input; nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: The running statistics.
    ///   - options: ε, the mode and the fusion.
    /// - Returns: The fused output.
    /// - Throws: ``BatchNormError``.
    public func forwardInference(
        x: [Float], z: [Float]?, shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> [Float] {
        let geometry = try Operands.forwardInference(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                     runningVariance: running.variance)
            .addingInput(z: z).checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount)
        try forwardInference(x: try upload(x), z: try z.map(upload), shape: shape, gamma: try gamma.map(upload),
                             beta: try beta.map(upload), running: try upload(running), options: options, y: y)
        return try download(y)
    }

    public func backward(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        mean: [Float], invStd: [Float], options: BatchNormOptions
    ) throws -> BackwardResult {
        try backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, options: options)
    }

    /// Backward pass of a fused training forward pass: dy is masked by the sign of the fused output y;
    /// see ``backward(dy:x:shape:gamma:mean:invStd:options:)``.
    /// - Parameters:
    ///   - dy: The gradient with respect to the fused output.
    ///   - y: The fused output; nil when `options.fusion` is `.none`.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - mean: The batch mean the forward pass returned.
    ///   - invStd: The inverse standard deviation the forward pass returned.
    ///   - options: The mode and the fusion.
    /// - Returns: dx, dγ and dβ, and dz for `.addRelu`.
    /// - Throws: ``BatchNormError``.
    public func backward(
        dy: [Float], y: [Float]?, x: [Float], shape: TensorShape, gamma: [Float]?,
        mean: [Float], invStd: [Float], options: BatchNormOptions
    ) throws -> BackwardResult {
        let geometry = try Operands.backward(dy: dy, x: x, gamma: gamma, mean: mean, invStd: invStd)
            .addingBackwardFusion(y: y, dz: nil, checksOutputs: false).checked(shape: shape, options: options)
        let outputs = try makeGradientBuffers(geometry, options: options)
        try backward(dy: try upload(dy), y: try y.map(upload), x: try upload(x), shape: shape,
                     gamma: try gamma.map(upload), mean: try upload(mean), invStd: try upload(invStd), options: options,
                     dx: outputs.dx, dz: outputs.dz, dGamma: outputs.dGamma, dBeta: outputs.dBeta)
        return try download(outputs)
    }

    public func backwardFrozen(
        dy: [Float], x: [Float], shape: TensorShape, gamma: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> BackwardResult {
        try backwardFrozen(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, running: running, options: options)
    }

    /// Backward pass with frozen statistics of a fused forward pass; see
    /// ``backward(dy:y:x:shape:gamma:mean:invStd:options:)`` for the mask.
    /// - Parameters:
    ///   - dy: The gradient with respect to the fused output.
    ///   - y: The fused output; nil when `options.fusion` is `.none`.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - running: The running statistics the forward pass used.
    ///   - options: ε, the mode and the fusion.
    /// - Returns: dx, dγ and dβ, and dz for `.addRelu`.
    /// - Throws: ``BatchNormError``.
    public func backwardFrozen(
        dy: [Float], y: [Float]?, x: [Float], shape: TensorShape, gamma: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) throws -> BackwardResult {
        let geometry = try Operands.backwardFrozen(dy: dy, x: x, gamma: gamma, runningMean: running.mean,
                                                   runningVariance: running.variance)
            .addingBackwardFusion(y: y, dz: nil, checksOutputs: false).checked(shape: shape, options: options)
        let outputs = try makeGradientBuffers(geometry, options: options)
        try backwardFrozen(dy: try upload(dy), y: try y.map(upload), x: try upload(x), shape: shape,
                           gamma: try gamma.map(upload), running: try upload(running), options: options,
                           dx: outputs.dx, dz: outputs.dz, dGamma: outputs.dGamma, dBeta: outputs.dBeta)
        return try download(outputs)
    }

    private typealias GradientBuffers = (dx: Buffer, dz: Buffer?, dGamma: Buffer, dBeta: Buffer)

    private func makeGradientBuffers(_ geometry: FeatureGeometry, options: BatchNormOptions) throws -> GradientBuffers {
        (try makeBuffer(count: geometry.elementCount),
         options.fusion.addsInput ? try makeBuffer(count: geometry.elementCount) : nil,
         try makeBuffer(count: geometry.features), try makeBuffer(count: geometry.features))
    }

    private func download(_ outputs: GradientBuffers) throws -> BackwardResult {
        BackwardResult(dx: try download(outputs.dx), dGamma: try download(outputs.dGamma),
                       dBeta: try download(outputs.dBeta), dz: try outputs.dz.map(download))
    }
}
