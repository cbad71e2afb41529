/// The operands of one call, named as errors name them: tensors have x's element count and
/// per-feature arrays one value per feature. Each operation's list is written once here and serves
/// both backends and both forms; the array form leaves the outputs out, since it allocates them.
package struct Operands<Value> {
    /// A tensor a fused operation reads or writes, present exactly when `isUsed` says the call's
    /// ``BatchNormOptions/fusion`` uses it (an output the array form allocates is left out of the list).
    package struct FusedTensor {
        let name: String
        let value: Value?
        let isUsed: (FusedOperation) -> Bool
    }

    /// Whether the call computes batch statistics (m must exceed 1).
    package let isTraining: Bool
    package let tensors: KeyValuePairs<String, Value?>
    package let perFeature: KeyValuePairs<String, Value?>
    /// The fused operations' tensors: z, dz, and the backward pass's y.
    package var fused: [FusedTensor] = []
    /// Whether the call is a split phase of synchronized batch norm, which fuses nothing.
    package var isSplitPhase = false
    /// Whether the call normalizes with batch statistics, which ``BatchNormOptions/virtualBatchSize``
    /// splits into groups: then `mean`, `invStd` and the corrections hold one value per group and feature.
    package var usesVirtualBatches = false

    /// The operands a virtual batch gives one value per group and feature.
    private static var perBatch: Set<String> { ["mean", "invStd", "corrections.r", "corrections.d"] }
    /// A training pass's corrections r and d (``RenormCorrections``), present exactly when
    /// ``BatchNormOptions/renormalization`` is set (checked only when `checksOutputs`: the array
    /// form allocates them), and how many batches its running statistics have tracked.
    package var renorm: (r: Value?, d: Value?, checksOutputs: Bool, batchesTracked: Int)?

    /// The per-feature operands, the corrections among them when given.
    private var allPerFeature: [(String, Value?)] {
        Array(perFeature) + (renorm.map { [("corrections.r", $0.r), ("corrections.d", $0.d)] } ?? [])
    }

    /// Every operand that is present, with its name.
    package var all: [(name: String, value: Value)] {
        (Array(tensors) + fused.map { ($0.name, $0.value) } + allPerFeature)
            .compactMap { name, value in value.map { (name, $0) } }
    }

    /// Checks the shape, the options, every operand's length and element type, the fused operation's
    /// tensors and, for training, the values per feature, before any work starts.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call.
    ///   - count: The number of elements of an operand.
    ///   - elementType: How an operand stores its elements.
    /// - Returns: The checked geometry.
    /// - Throws: `BatchNormError` naming the first problem.
    package func checked(shape: TensorShape, options: BatchNormOptions, count: (Value) -> Int,
                         elementType: (Value) -> ElementType) throws -> FeatureGeometry {
        var geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        try options.validate()
        if isSplitPhase && options.virtualBatchSize != nil {
            throw BatchNormError.invalidOption(name: "virtualBatchSize", value: "\(options.virtualBatchSize!)", reason: "the split phases of synchronized batch norm normalize the whole batch; set virtualBatchSize to nil there")
        }
        if usesVirtualBatches { geometry = try geometry.splitting(intoVirtualBatchesOf: options.virtualBatchSize) }
        if isSplitPhase && options.fusion != .none {
            throw BatchNormError.invalidOption(name: "fusion", value: options.fusion.rawValue, reason: "the split phases of synchronized batch norm fuse nothing; run them with fusion .none and apply the activation after the second phase")
        }
        if isSplitPhase && options.renormalization != nil {
            throw BatchNormError.invalidOption(name: "renormalization", value: "\(options.renormalization!)", reason: "the split phases of synchronized batch norm do not renormalize; set renormalization to nil there, or renormalize each member's batch with forwardTraining")
        }
        for tensor in fused where tensor.isUsed(options.fusion) != (tensor.value != nil) {
            throw BatchNormError.fusionOperandMismatch(argument: tensor.name, fusion: options.fusion,
                                                       isRequired: tensor.value == nil)
        }
        if let renorm { try Self.check(renorm, options: options) }
        let allTensors = Array(tensors) + fused.map { ($0.name, $0.value) }
        for (argument, value) in allTensors { try geometry.checkElements(argument, count: value.map(count)) }
        for (argument, value) in allPerFeature {
            if Self.perBatch.contains(argument) {
                try geometry.checkStatistics(argument, count: value.map(count))
            } else {
                try geometry.checkFeatures(argument, count: value.map(count))
            }
        }
        let storage = allTensors.lazy.compactMap { $0.1 }.first.map(elementType) ?? .float32
        for (argument, value) in allTensors {
            if let value, elementType(value) != storage {
                throw BatchNormError.elementTypeMismatch(argument: argument, expected: storage, actual: elementType(value))
            }
        }
        for (argument, value) in allPerFeature {
            if let value, elementType(value) != .float32 {
                throw BatchNormError.elementTypeMismatch(argument: argument, expected: .float32, actual: elementType(value))
            }
        }
        if isTraining { try geometry.checkTrainable() }
        return geometry
    }

    /// Throws unless the corrections are given exactly when the options renormalize, and unless
    /// limits that correct anything have running statistics of earlier batches to correct toward.
    private static func check(_ renorm: (r: Value?, d: Value?, checksOutputs: Bool, batchesTracked: Int),
                              options: BatchNormOptions) throws {
        if renorm.checksOutputs {
            for (name, value) in [("corrections.r", renorm.r), ("corrections.d", renorm.d)]
            where (options.renormalization != nil) != (value != nil) {
                throw BatchNormError.renormOperandMismatch(argument: name, isRequired: value == nil)
            }
        }
        if let renormalization = options.renormalization, !renormalization.isBatchNorm, renorm.batchesTracked <= 0 {
            throw BatchNormError.invalidOption(name: "renormalization", value: "rMax \(renormalization.rMax), dMax \(renormalization.dMax)", reason: "the running statistics have tracked no batches, so there is nothing to renormalize toward; use Renormalization.batchNorm (rMax 1, dMax 0) for the first batches, as the paper's ramp does, or set running.batchesTracked to the number of batches that statistics loaded from elsewhere summarize")
        }
    }

    /// The operands with a training pass's corrections.
    /// - Parameters:
    ///   - corrections: The r and d outputs; nil where the call has none (or the array form allocates them).
    ///   - checksOutputs: Whether `corrections` is checked against the options (the buffer form's).
    ///   - batchesTracked: The running statistics' count before the pass.
    package func renormalizing(_ corrections: RenormCorrections<Value>?, checksOutputs: Bool,
                               batchesTracked: Int) -> Operands {
        var copy = self
        copy.renorm = (corrections?.r, corrections?.d, checksOutputs, batchesTracked)
        return copy
    }

    /// The tensors of an elementwise kernel, such as the separate activation's: each of the first's
    /// count and element type (checked against the flat shape [1, count] NC).
    package static func elementwise(_ tensors: KeyValuePairs<String, Value?>) -> Operands {
        Operands(isTraining: false, tensors: tensors, perFeature: [:])
    }

    /// The operands of a split phase of synchronized batch norm, which refuses a fusion.
    package func splitPhase() -> Operands {
        var copy = self
        copy.isSplitPhase = true
        return copy
    }

    /// The operands with z, the second input of `.addRelu`.
    package func addingInput(z: Value?) -> Operands {
        var copy = self
        copy.fused.append(FusedTensor(name: "z", value: z, isUsed: { $0.addsInput }))
        return copy
    }

    /// The operands with the fused backward pass's tensors: y, the forward pass's output whose sign
    /// masks dy, and dz, the gradient of `.addRelu`'s z (checked only when `checksOutputs`: the
    /// array form allocates it).
    package func addingBackwardFusion(y: Value?, dz: Value?, checksOutputs: Bool) -> Operands {
        var copy = self
        copy.fused.append(FusedTensor(name: "y", value: y, isUsed: { $0 != .none }))
        if checksOutputs {
            copy.fused.append(FusedTensor(name: "dz", value: dz, isUsed: { $0.addsInput }))
        }
        return copy
    }

    package static func forwardTraining(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value,
        y: Value? = nil, mean: Value? = nil, invStd: Value? = nil
    ) -> Operands {
        var operands = Operands(isTraining: true, tensors: ["x": x, "y": y],
                                perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean,
                                             "running.variance": runningVariance, "mean": mean, "invStd": invStd])
        operands.usesVirtualBatches = true
        return operands
    }

    package static func forwardInference(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value, y: Value? = nil
    ) -> Operands {
        Operands(isTraining: false, tensors: ["x": x, "y": y],
                 perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean, "running.variance": runningVariance])
    }

    /// A backward pass's operands; the statistics are named `mean` and `invStd` for a batch's and
    /// `running.mean` and `running.variance` for frozen ones.
    package static func backward(
        dy: Value, x: Value, gamma: Value?, statistics: BackwardStatistics<Value>,
        dx: Value? = nil, dGamma: Value? = nil, dBeta: Value? = nil
    ) -> Operands {
        let perFeature: KeyValuePairs<String, Value?> = switch statistics {
        case .batch(let mean, let invStd):
            ["gamma": gamma, "mean": mean, "invStd": invStd, "dGamma": dGamma, "dBeta": dBeta]
        case .running(let mean, let variance):
            ["gamma": gamma, "running.mean": mean, "running.variance": variance, "dGamma": dGamma, "dBeta": dBeta]
        case .renormalized(let mean, let invStd, let r, let d):
            ["gamma": gamma, "mean": mean, "invStd": invStd, "corrections.r": r, "corrections.d": d,
             "dGamma": dGamma, "dBeta": dBeta]
        }
        var operands = Operands(isTraining: false, tensors: ["dy": dy, "x": x, "dx": dx], perFeature: perFeature)
        operands.usesVirtualBatches = statistics.isBatch
        return operands
    }

    /// The second phase of a synchronized forward pass: the merged statistics stand for the batch,
    /// so x alone may hold a single value per feature.
    package static func synchronizedForward(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value,
        y: Value, mean: Value, invStd: Value
    ) -> Operands {
        Operands(isTraining: false, tensors: ["x": x, "y": y],
                 perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean,
                              "running.variance": runningVariance, "mean": mean, "invStd": invStd]).splitPhase()
    }

    /// The first phase of a synchronized forward pass: one value per feature is enough.
    package static func localStatistics(x: Value) -> Operands {
        Operands(isTraining: false, tensors: ["x": x], perFeature: [:]).splitPhase()
    }

    /// The first phase of a synchronized backward pass.
    package static func gradientSums(dy: Value, x: Value, mean: Value) -> Operands {
        Operands(isTraining: false, tensors: ["dy": dy, "x": x], perFeature: ["mean": mean]).splitPhase()
    }
}

extension Operands where Value: BatchNormBuffer {
    /// ``checked(shape:options:count:elementType:)`` for buffers, which know their counts and types.
    package func checked(shape: TensorShape, options: BatchNormOptions) throws -> FeatureGeometry {
        try checked(shape: shape, options: options, count: { $0.count }, elementType: { $0.elementType })
    }
}

extension Operands where Value == [Float] {
    /// ``checked(shape:options:count:elementType:)`` for arrays, which hold `Float`s.
    package func checked(shape: TensorShape, options: BatchNormOptions) throws -> FeatureGeometry {
        try checked(shape: shape, options: options, count: { $0.count }, elementType: { _ in .float32 })
    }
}
