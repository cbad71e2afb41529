import BNCore

/// The passes of a layer, in buffer form (chained on the device) and array form (host arrays in and out).
extension BatchNormLayer {
    /// The forward pass on a buffer: in training (``isTraining``), batch statistics, normalization and
    /// the running-statistics update, renormalized when ``options`` say so (Batch Renormalization,
    /// whose r and d the layer keeps for the backward pass); in inference, normalization with the
    /// running statistics.
    ///
    /// The pass is enqueued and the call returns; nothing waits for the device. The layer keeps `x`
    /// for the backward pass, so `x` must stay unchanged until then, and it must not be a buffer the
    /// layer returned.
    /// - Parameters:
    ///   - x: The input, `shape`'s element count, made by ``backend``.
    ///   - shape: The dimensions and layout of x; its features must number ``features``.
    /// - Returns: y (relu(y) with the `.relu` fusion), of ``storage``, in a buffer the layer owns
    ///   and overwrites on its next forward pass.
    /// - Throws: ``BatchNormError/layerFeatureMismatch(layerFeatures:shape:mode:shapeFeatures:)``;
    ///   ``BatchNormError/elementTypeMismatch(argument:expected:actual:)`` when x is not of
    ///   ``storage``; ``BatchNormError/invalidOption(name:value:reason:)`` when ``options`` were
    ///   changed to the `.addRelu` fusion; or what the backend's pass throws. The running
    ///   statistics are then unchanged and a backward pass throws
    ///   ``BatchNormError/backwardBeforeForward`` until a forward pass succeeds.
    public func forward(_ x: Backend.Buffer, shape: TensorShape) throws -> Backend.Buffer {
        saved = nil
        guard x.elementType == storage else {
            throw BatchNormError.elementTypeMismatch(argument: "x", expected: storage, actual: x.elementType)
        }
        let space = try workspace(for: shape)
        try runForward(x, in: space)
        return space.y
    }

    /// The forward pass on host arrays: uploads x into a buffer the layer keeps (rounded to
    /// ``storage``), runs ``forward(_:shape:)-(Buffer,_)`` and downloads y (widened from it).
    /// - Parameters:
    ///   - x: The input, in `shape`'s layout.
    ///   - shape: The dimensions and layout of x; its features must number ``features``.
    /// - Returns: y.
    /// - Throws: As the buffer form, and ``BatchNormError/lengthMismatch(argument:expected:actual:shape:)``
    ///   when x's count does not fit the shape.
    public func forward(_ x: [Float], shape: TensorShape) throws -> [Float] {
        saved = nil
        let space = try workspace(for: shape)
        try space.geometry.checkElements("x", count: x.count)
        let input = try space.x ?? backend.makeBuffer(count: space.geometry.elementCount, elementType: storage)
        space.x = input
        try backend.store(x, in: input)
        try runForward(input, in: space)
        return try backend.download(space.y)
    }

    /// The backward pass of the last forward pass, on a buffer: dx, and dγ and dβ into
    /// ``gammaGradient`` and ``betaGradient``. After a training forward pass it differentiates through
    /// the batch statistics; after an inference one, with the running statistics held fixed
    /// (fine-tuning with frozen batch norm). Enqueued without waiting, like the forward pass.
    /// With the `.relu` fusion, dy is the gradient with respect to the fused output relu(y), and the
    /// pass drops it where that output is not positive, reading the forward pass's output (so call
    /// it before the next forward pass, as always).
    /// - Parameter dy: The gradient of the loss with respect to the last forward pass's output, of
    ///   ``storage``, made by ``backend``.
    /// - Returns: dx, of ``storage``, in a buffer the layer owns and overwrites on its next backward pass.
    /// - Throws: ``BatchNormError/backwardBeforeForward`` when no forward pass succeeded since the
    ///   layer was made or since the last one failed; otherwise what the backend's pass throws.
    public func backward(_ dy: Backend.Buffer) throws -> Backend.Buffer {
        guard let saved else { throw BatchNormError.backwardBeforeForward }
        let space = saved.workspace, shape = space.geometry.shape
        let statistics: BackwardStatistics = switch (saved.usedBatchStatistics, saved.corrections) {
        case (false, _): .running(running)
        case (true, nil): .batch(mean: saved.statistics.mean, invStd: saved.statistics.invStd)
        case (true, let corrections?):
            .renormalized(mean: saved.statistics.mean, invStd: saved.statistics.invStd, r: corrections.r, d: corrections.d)
        }
        // the fused forward pass's output, whose sign masks dy
        let y = saved.options.fusion == .relu ? space.y : nil
        try backend.backward(dy: dy, y: y, x: saved.x, shape: shape, gamma: gammaBuffer, statistics: statistics,
                             options: saved.options, dx: space.dx, dz: nil, dGamma: gammaGradient, dBeta: betaGradient)
        return space.dx
    }

    /// The backward pass on host arrays: uploads dy into a buffer the layer keeps, runs
    /// ``backward(_:)-(Buffer)`` and downloads dx. dγ and dβ stay on the backend until
    /// ``parameterGradients()`` or ``applyGradients(learningRate:)`` reads them.
    /// - Parameter dy: The gradient with respect to the last forward pass's y.
    /// - Returns: dx.
    /// - Throws: As the buffer form, and ``BatchNormError/lengthMismatch(argument:expected:actual:shape:)``
    ///   when dy's count differs from the last forward pass's x.
    public func backward(_ dy: [Float]) throws -> [Float] {
        guard let space = saved?.workspace else { throw BatchNormError.backwardBeforeForward }
        try space.geometry.checkElements("dy", count: dy.count)
        let gradient = try space.dy ?? backend.makeBuffer(count: space.geometry.elementCount, elementType: storage)
        space.dy = gradient
        try backend.store(dy, in: gradient)
        return try backend.download(try backward(gradient))
    }

    /// Runs the pass ``isTraining`` asks for and records it for the backward pass.
    private func runForward(_ x: Backend.Buffer, in space: LayerWorkspace<Backend.Buffer>) throws {
        try Self.checkFusion(options.fusion)
        let shape = space.geometry.shape
        var corrections: RenormCorrections<Backend.Buffer>?
        var statistics = (mean: space.mean, invStd: space.invStd)
        if isTraining {
            // one value per group and feature: virtual batches split the batch into groups
            let count = try space.geometry.splitting(intoVirtualBatchesOf: options.virtualBatchSize).statisticsCount
            let make = { (count: Int) in try self.backend.makeBuffer(count: count) }
            statistics = try space.statistics(count: count, make: make)
            if options.renormalization != nil { corrections = try space.corrections(count: count, make: make) }
            try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gammaBuffer, beta: betaBuffer, running: &running,
                                        options: options, y: space.y, mean: statistics.mean, invStd: statistics.invStd,
                                        corrections: corrections)
        } else {
            try backend.forwardInference(x: x, z: nil, shape: shape, gamma: gammaBuffer, beta: betaBuffer, running: running,
                                         options: options, y: space.y)
        }
        saved = SavedForward(x: x, workspace: space, options: options, usedBatchStatistics: isTraining,
                             statistics: statistics, corrections: corrections)
    }

    /// The workspace for a batch of `shape`, moved to the front of ``workspaces``: a kept one when
    /// the geometry is the same, else a new one, made before the least recently used is let go so
    /// that a failed allocation keeps the others.
    private func workspace(for shape: TensorShape) throws -> LayerWorkspace<Backend.Buffer> {
        let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        guard geometry.features == features else {
            throw BatchNormError.layerFeatureMismatch(layerFeatures: features, shape: shape, mode: options.mode,
                                                      shapeFeatures: geometry.features)
        }
        if let index = workspaces.firstIndex(where: { $0.geometry == geometry }) {
            let space = workspaces.remove(at: index)
            workspaces.insert(space, at: 0)
            return space
        }
        let space = LayerWorkspace(geometry: geometry,
                                   y: try backend.makeBuffer(count: geometry.elementCount, elementType: storage),
                                   mean: try backend.makeBuffer(count: features),
                                   invStd: try backend.makeBuffer(count: features),
                                   dx: try backend.makeBuffer(count: geometry.elementCount, elementType: storage))
        workspaces = [space] + workspaces.prefix(LayerWorkspace<Backend.Buffer>.capacity - 1)
        return space
    }
}
