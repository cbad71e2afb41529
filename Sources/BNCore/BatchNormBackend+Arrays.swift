/// The array form of every pass, one per pass, over the buffer form: check, allocate the outputs,
/// upload, run, download. The tensors (x, z, y, dy, dx, dz) are stored on the backend as `storage`
/// says: each input is rounded to it (to nearest even) and each output widened back to `Float`
/// exactly; per-feature arrays are always `.float32`. Arguments are checked before anything is uploaded, and the outputs, the largest
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

    /// Training forward pass: per-feature batch mean and biased variance, y = γ(x − μ)/√(σ² + ε) + β,
    /// the running-statistics update, and the fused operation of `options.fusion`, if any.
    /// - Parameters:
    ///   - x: The input, in `shape`'s layout.
    ///   - z: The second input of `.addRelu` (y = relu(bn(x) + z)); nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: Updated only when the call succeeds.
    ///   - options: ε, momentum and its convention, the stored variance, the mode, the fusion.
    ///   - storage: How the backend stores the tensors while it runs.
    /// - Returns: y, the batch means and the inverse standard deviations, and r and d when
    ///   `options.renormalization` is set (``ForwardTrainingResult/statistics`` gives the backward pass's).
    /// - Throws: ``BatchNormError``; `running` is then unchanged.
    public func forwardTraining(
        x: [Float], z: [Float]? = nil, shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: inout RunningStatistics, options: BatchNormOptions, storage: ElementType = .float32
    ) throws -> ForwardTrainingResult {
        let geometry = try Operands.forwardTraining(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                    runningVariance: running.variance)
            .addingInput(z: z).renormalizing(nil, checksOutputs: false, batchesTracked: running.batchesTracked)
            .checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount, elementType: storage)
        // one value per group and feature: one group but for virtual batches
        let statistics = geometry.statisticsCount
        let mean = try makeBuffer(count: statistics)
        let invStd = try makeBuffer(count: statistics)
        let corrections = options.renormalization == nil ? nil
            : RenormCorrections(r: try makeBuffer(count: statistics), d: try makeBuffer(count: statistics))
        var runningBuffers = try upload(running)
        try forwardTraining(x: try upload(x, as: storage), z: try z.map { try upload($0, as: storage) }, shape: shape,
                            gamma: try gamma.map(upload), beta: try beta.map(upload), running: &runningBuffers,
                            options: options, y: y, mean: mean, invStd: invStd, corrections: corrections)
        let result = ForwardTrainingResult(
            y: try download(y), mean: try download(mean), invStd: try download(invStd),
            corrections: try corrections.map { RenormCorrections(r: try download($0.r), d: try download($0.d)) })
        running = try download(runningBuffers)
        return result
    }

    /// Inference forward pass: y = γ(x − running mean)/√(running variance + ε) + β, and the fused
    /// operation of `options.fusion`, if any.
    /// - Parameters:
    ///   - x: The input.
    ///   - z: The second input of `.addRelu`; nil otherwise.
    ///   - shape: The dimensions and layout of x.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - beta: The shift per feature, or nil for 0.
    ///   - running: The running statistics.
    ///   - options: ε, the mode and the fusion.
    ///   - storage: How the backend stores the tensors while it runs.
    /// - Returns: y.
    /// - Throws: ``BatchNormError``.
    public func forwardInference(
        x: [Float], z: [Float]? = nil, shape: TensorShape, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions, storage: ElementType = .float32
    ) throws -> [Float] {
        let geometry = try Operands.forwardInference(x: x, gamma: gamma, beta: beta, runningMean: running.mean,
                                                     runningVariance: running.variance)
            .addingInput(z: z).checked(shape: shape, options: options)
        let y = try makeBuffer(count: geometry.elementCount, elementType: storage)
        try forwardInference(x: try upload(x, as: storage), z: try z.map { try upload($0, as: storage) }, shape: shape,
                             gamma: try gamma.map(upload), beta: try beta.map(upload), running: try upload(running),
                             options: options, y: y)
        return try download(y)
    }

    /// Backward pass; see the buffer form,
    /// ``backward(dy:y:x:shape:gamma:statistics:options:dx:dz:dGamma:dBeta:)``, for the formulas.
    /// - Parameters:
    ///   - dy: The gradient with respect to y (the fused output, when fused).
    ///   - y: The fused forward pass's output, whose sign masks dy; nil when nothing is fused.
    ///   - x: The forward pass's input.
    ///   - shape: The dimensions and layout of x and dy.
    ///   - gamma: The scale per feature, or nil for 1.
    ///   - statistics: The batch statistics the training forward pass returned (its
    ///     ``ForwardTrainingResult/statistics``, with r and d when it renormalized), or the running
    ///     statistics an inference forward pass used.
    ///   - options: The mode and the fusion; ε too, with running statistics.
    ///   - storage: How the backend stores the tensors while it runs.
    /// - Returns: dx, dγ and dβ, and dz for `.addRelu`.
    /// - Throws: ``BatchNormError``.
    public func backward(
        dy: [Float], y: [Float]? = nil, x: [Float], shape: TensorShape, gamma: [Float]?,
        statistics: BackwardStatistics<[Float]>, options: BatchNormOptions, storage: ElementType = .float32
    ) throws -> BackwardResult {
        let geometry = try Operands.backward(dy: dy, x: x, gamma: gamma, statistics: statistics)
            .addingBackwardFusion(y: y, dz: nil, checksOutputs: false).checked(shape: shape, options: options)
        let dx = try makeBuffer(count: geometry.elementCount, elementType: storage)
        let dz = options.fusion.addsInput ? try makeBuffer(count: geometry.elementCount, elementType: storage) : nil
        let dGamma = try makeBuffer(count: geometry.features), dBeta = try makeBuffer(count: geometry.features)
        try backward(dy: try upload(dy, as: storage), y: try y.map { try upload($0, as: storage) },
                     x: try upload(x, as: storage), shape: shape, gamma: try gamma.map(upload),
                     statistics: try statistics.map(upload), options: options,
                     dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
        return BackwardResult(dx: try download(dx), dGamma: try download(dGamma), dBeta: try download(dBeta),
                              dz: try dz.map(download))
    }
}
