/// A backend of any kind behind one concrete type, so that a caller of the buffer forms needs no
/// generic function to open the backend that `makeBackend` chose at run time.
///
/// Every pass, the split phases included, forwards to ``base`` with the buffers unwrapped; a buffer
/// of a backend of another kind is refused with ``BatchNormError/foreignBuffer(argument:)`` before
/// anything runs, and every other check is the base's own. What only one backend offers (an OpenCL
/// queue's event forms, a CPU backend's threads) is on the base: `backend.base as? OpenCLBackend`.
///
/// ```swift
/// let backend = try makeBackend()
/// let x = try backend.upload(values)       // an AnyBatchNormBuffer
/// try backend.forwardInference(x: x, z: nil, shape: shape, gamma: nil, beta: nil,
///                              running: running, options: options, y: x)
/// ```
public struct AnyBatchNormBackend: SplitPhaseBackend {
    /// The backend every call forwards to.
    public let base: any SplitPhaseBackend

    /// Erases a backend.
    /// - Parameter base: The backend; an erased one is unwrapped first, so erasures never nest.
    public init(_ base: any SplitPhaseBackend) {
        self.base = (base as? AnyBatchNormBackend)?.base ?? base
    }

    public var name: String { base.name }

    public func makeBuffer(count: Int, elementType: ElementType) throws -> AnyBatchNormBuffer {
        AnyBatchNormBuffer(try base.makeBuffer(count: count, elementType: elementType))
    }

    public func upload<Scalar: TensorScalar>(_ values: [Scalar]) throws -> AnyBatchNormBuffer {
        AnyBatchNormBuffer(try base.upload(values))
    }

    public func write<Scalar: TensorScalar>(_ values: [Scalar], to buffer: AnyBatchNormBuffer) throws {
        try base.erasedWrite(values, to: buffer)
    }

    public func download(_ buffer: AnyBatchNormBuffer) throws -> [Float] {
        try base.erasedDownload(buffer)
    }

    public func download<Scalar: TensorScalar>(_ buffer: AnyBatchNormBuffer, as type: Scalar.Type) throws -> [Scalar] {
        try base.erasedDownload(buffer, as: type)
    }

    public func synchronize() throws {
        try base.synchronize()
    }

    public func forwardTraining(
        x: AnyBatchNormBuffer, z: AnyBatchNormBuffer?, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        beta: AnyBatchNormBuffer?, running: inout RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer, mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer,
        corrections: RenormCorrections<AnyBatchNormBuffer>?
    ) throws {
        running.batchesTracked = try base.erasedForwardTraining(
            x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running, options: options,
            y: y, mean: mean, invStd: invStd, corrections: corrections)
    }

    public func forwardInference(
        x: AnyBatchNormBuffer, z: AnyBatchNormBuffer?, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        beta: AnyBatchNormBuffer?, running: RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer
    ) throws {
        try base.erasedForwardInference(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: running,
                                        options: options, y: y)
    }

    public func backward(
        dy: AnyBatchNormBuffer, y: AnyBatchNormBuffer?, x: AnyBatchNormBuffer, shape: TensorShape,
        gamma: AnyBatchNormBuffer?, statistics: BackwardStatistics<AnyBatchNormBuffer>, options: BatchNormOptions,
        dx: AnyBatchNormBuffer, dz: AnyBatchNormBuffer?, dGamma: AnyBatchNormBuffer, dBeta: AnyBatchNormBuffer
    ) throws {
        try base.erasedBackward(dy: dy, y: y, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                options: options, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
    }

    // MARK: Split phases

    public func localStatistics(x: AnyBatchNormBuffer, shape: TensorShape,
                                options: BatchNormOptions) throws -> PartialStatistics {
        try base.erasedLocalStatistics(x: x, shape: shape, options: options)
    }

    public func forwardTraining(
        x: AnyBatchNormBuffer, shape: TensorShape, gamma: AnyBatchNormBuffer?, beta: AnyBatchNormBuffer?,
        statistics: PartialStatistics, running: inout RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer, mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer
    ) throws {
        running.batchesTracked = try base.erasedForwardTraining(
            x: x, shape: shape, gamma: gamma, beta: beta, statistics: statistics, running: running,
            options: options, y: y, mean: mean, invStd: invStd)
    }

    public func updateRunning(_ running: inout RunningStatisticsBuffers<AnyBatchNormBuffer>,
                              with statistics: PartialStatistics, options: BatchNormOptions) throws {
        running.batchesTracked = try base.erasedUpdateRunning(running, with: statistics, options: options)
    }

    public func gradientSums(dy: AnyBatchNormBuffer, x: AnyBatchNormBuffer, shape: TensorShape,
                             mean: AnyBatchNormBuffer, options: BatchNormOptions) throws -> GradientSums {
        try base.erasedGradientSums(dy: dy, x: x, shape: shape, mean: mean, options: options)
    }

    public func backward(
        dy: AnyBatchNormBuffer, x: AnyBatchNormBuffer, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer, sums: GradientSums, options: BatchNormOptions,
        dx: AnyBatchNormBuffer, dGamma: AnyBatchNormBuffer, dBeta: AnyBatchNormBuffer
    ) throws {
        try base.erasedBackward(dy: dy, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, sums: sums,
                                options: options, dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}

/// The forwarding, written where the base's ``BatchNormBackend/Buffer`` is known: each call unwraps
/// every buffer (throwing before the base runs if one is foreign) and calls the base's own pass.
/// Running statistics come back as their new `batchesTracked`, the only field a pass changes.
extension SplitPhaseBackend {
    fileprivate func erasedWrite<Scalar: TensorScalar>(_ values: [Scalar], to buffer: AnyBatchNormBuffer) throws {
        try write(values, to: unwrapped(buffer, "buffer"))
    }

    fileprivate func erasedDownload(_ buffer: AnyBatchNormBuffer) throws -> [Float] {
        try download(unwrapped(buffer, "buffer"))
    }

    fileprivate func erasedDownload<Scalar: TensorScalar>(_ buffer: AnyBatchNormBuffer,
                                                          as type: Scalar.Type) throws -> [Scalar] {
        try download(unwrapped(buffer, "buffer"), as: type)
    }

    fileprivate func erasedForwardTraining(
        x: AnyBatchNormBuffer, z: AnyBatchNormBuffer?, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        beta: AnyBatchNormBuffer?, running: RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer, mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer,
        corrections: RenormCorrections<AnyBatchNormBuffer>?
    ) throws -> Int {
        var own = try unwrapped(running)
        try forwardTraining(x: unwrapped(x, "x"), z: unwrapped(z, "z"), shape: shape, gamma: unwrapped(gamma, "gamma"),
                            beta: unwrapped(beta, "beta"), running: &own, options: options, y: unwrapped(y, "y"),
                            mean: unwrapped(mean, "mean"), invStd: unwrapped(invStd, "invStd"),
                            corrections: unwrapped(corrections))
        return own.batchesTracked
    }

    fileprivate func erasedForwardInference(
        x: AnyBatchNormBuffer, z: AnyBatchNormBuffer?, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        beta: AnyBatchNormBuffer?, running: RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer
    ) throws {
        try forwardInference(x: unwrapped(x, "x"), z: unwrapped(z, "z"), shape: shape, gamma: unwrapped(gamma, "gamma"),
                             beta: unwrapped(beta, "beta"), running: unwrapped(running), options: options,
                             y: unwrapped(y, "y"))
    }

    fileprivate func erasedBackward(
        dy: AnyBatchNormBuffer, y: AnyBatchNormBuffer?, x: AnyBatchNormBuffer, shape: TensorShape,
        gamma: AnyBatchNormBuffer?, statistics: BackwardStatistics<AnyBatchNormBuffer>, options: BatchNormOptions,
        dx: AnyBatchNormBuffer, dz: AnyBatchNormBuffer?, dGamma: AnyBatchNormBuffer, dBeta: AnyBatchNormBuffer
    ) throws {
        try backward(dy: unwrapped(dy, "dy"), y: unwrapped(y, "y"), x: unwrapped(x, "x"), shape: shape,
                     gamma: unwrapped(gamma, "gamma"), statistics: unwrapped(statistics), options: options,
                     dx: unwrapped(dx, "dx"), dz: unwrapped(dz, "dz"), dGamma: unwrapped(dGamma, "dGamma"),
                     dBeta: unwrapped(dBeta, "dBeta"))
    }

    fileprivate func erasedLocalStatistics(x: AnyBatchNormBuffer, shape: TensorShape,
                                           options: BatchNormOptions) throws -> PartialStatistics {
        try localStatistics(x: unwrapped(x, "x"), shape: shape, options: options)
    }

    fileprivate func erasedForwardTraining(
        x: AnyBatchNormBuffer, shape: TensorShape, gamma: AnyBatchNormBuffer?, beta: AnyBatchNormBuffer?,
        statistics: PartialStatistics, running: RunningStatisticsBuffers<AnyBatchNormBuffer>,
        options: BatchNormOptions, y: AnyBatchNormBuffer, mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer
    ) throws -> Int {
        var own = try unwrapped(running)
        try forwardTraining(x: unwrapped(x, "x"), shape: shape, gamma: unwrapped(gamma, "gamma"),
                            beta: unwrapped(beta, "beta"), statistics: statistics, running: &own, options: options,
                            y: unwrapped(y, "y"), mean: unwrapped(mean, "mean"), invStd: unwrapped(invStd, "invStd"))
        return own.batchesTracked
    }

    fileprivate func erasedUpdateRunning(_ running: RunningStatisticsBuffers<AnyBatchNormBuffer>,
                                         with statistics: PartialStatistics, options: BatchNormOptions) throws -> Int {
        var own = try unwrapped(running)
        try updateRunning(&own, with: statistics, options: options)
        return own.batchesTracked
    }

    fileprivate func erasedGradientSums(dy: AnyBatchNormBuffer, x: AnyBatchNormBuffer, shape: TensorShape,
                                        mean: AnyBatchNormBuffer, options: BatchNormOptions) throws -> GradientSums {
        try gradientSums(dy: unwrapped(dy, "dy"), x: unwrapped(x, "x"), shape: shape, mean: unwrapped(mean, "mean"),
                         options: options)
    }

    fileprivate func erasedBackward(
        dy: AnyBatchNormBuffer, x: AnyBatchNormBuffer, shape: TensorShape, gamma: AnyBatchNormBuffer?,
        mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer, sums: GradientSums, options: BatchNormOptions,
        dx: AnyBatchNormBuffer, dGamma: AnyBatchNormBuffer, dBeta: AnyBatchNormBuffer
    ) throws {
        try backward(dy: unwrapped(dy, "dy"), x: unwrapped(x, "x"), shape: shape, gamma: unwrapped(gamma, "gamma"),
                     mean: unwrapped(mean, "mean"), invStd: unwrapped(invStd, "invStd"), sums: sums, options: options,
                     dx: unwrapped(dx, "dx"), dGamma: unwrapped(dGamma, "dGamma"), dBeta: unwrapped(dBeta, "dBeta"))
    }
}
