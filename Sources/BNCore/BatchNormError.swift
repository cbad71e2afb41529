/// Everything that can go wrong in a batch-norm call, with what a caller needs to act on it.
///
/// No public entry point traps on bad input: each throws one of these, and a call that throws
/// leaves the caller's running statistics and output buffers as they were.
public enum BatchNormError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A dimension is zero or negative, the element count overflows `Int`, or the layout does not
    /// fit the dimensions.
    case invalidShape(TensorShape, reason: String)
    /// An array or buffer has the wrong number of elements for the shape.
    case lengthMismatch(argument: String, expected: Int, actual: Int, shape: TensorShape)
    /// An option is out of its range: ε must be positive and finite, momentum in [0, 1].
    case invalidOption(name: String, value: String, reason: String)
    /// Training needs more than one value per feature to estimate a variance, as in PyTorch.
    case tooFewValuesPerFeature(valuesPerFeature: Int, shape: TensorShape, mode: NormalizationMode)
    /// No OpenCL platform is installed (no ICD registered with the loader).
    case noOpenCLPlatform
    /// No OpenCL device matches: `query` is the index or name substring asked for (nil: any device),
    /// `available` lists the devices that exist.
    case noOpenCLDevice(query: String?, available: [String])
    /// No device was named and every device failed to run the library: `skipped` says, per device,
    /// what failed (a program that did not build, a kernel that could not be created).
    case noWorkingOpenCLDevice(skipped: [String])
    /// An environment variable holds a value the library does not understand.
    case invalidEnvironment(variable: String, value: String, expected: String)
    /// An OpenCL call returned an error status: the function, the code and its symbolic name.
    case openCLCallFailed(function: String, code: Int32, name: String)
    /// A kernel program failed to build on a device; `log` is the compiler's build log.
    case kernelBuildFailed(program: String, device: String, log: String)
    /// A buffer belongs to another backend instance or OpenCL context than the one called.
    case foreignBuffer(argument: String)
    /// A buffer was asked for with fewer than one element.
    case invalidBufferCount(Int)
    /// An allocation is larger than the device allows for one buffer (`CL_DEVICE_MAX_MEM_ALLOC_SIZE`).
    case allocationTooLarge(bytes: Int, limit: Int, device: String)
    /// A tuning table's text does not parse, or its file cannot be read or written: `source` names
    /// the file (or the built-in table), `line` the 1-based line at fault (0: the file as a whole),
    /// `problem` what is wrong with it.
    case invalidTuningTable(source: String, line: Int, problem: String)
    /// A `BatchNormLayer` was given a batch whose shape and mode have another number of features
    /// than the layer was made with.
    case layerFeatureMismatch(layerFeatures: Int, shape: TensorShape, mode: NormalizationMode, shapeFeatures: Int)
    /// A `BatchNormLayer`'s `backward` was called with no forward pass to differentiate:
    /// none yet, or the last one failed.
    case backwardBeforeForward
    /// A region of a caller's `cl_mem` does not lie within it: `offset` and `count` in floats,
    /// `capacity` the floats its `CL_MEM_SIZE` holds.
    case memoryRegionOutOfBounds(offset: Int, count: Int, capacity: Int)
    /// A caller's OpenCL objects do not fit together: a queue of another context, or an event of a
    /// wait list from another context than the backend's.
    case incompatibleOpenCLObjects(reason: String)
    /// Statistics or gradient sums of a synchronized pass do not fit together or with the call: other
    /// features, a count that does not cover the device's values, or members that disagree.
    case statisticsMismatch(reason: String)
    /// A buffer holds another element type than the call needs: the tensors of one call share the
    /// first tensor's (x, or dy in a backward pass; `expected`), and per-feature arrays are always `.float32`.
    case elementTypeMismatch(argument: String, expected: ElementType, actual: ElementType)
    /// An operand of a fused operation (z, dz, or the backward pass's y) is missing where
    /// ``BatchNormOptions/fusion`` needs it, or given where it does not read it.
    case fusionOperandMismatch(argument: String, fusion: FusedOperation, isRequired: Bool)
    /// Batch Renormalization's r or d output is missing where ``BatchNormOptions/renormalization``
    /// is set, or given where it is nil.
    case renormOperandMismatch(argument: String, isRequired: Bool)
    /// A `StatisticsCommunicator`'s transport failed: the collective and what its library said.
    case communicatorFailed(operation: String, detail: String)
    /// A batch norm cannot fold into the layer before it (`FoldedLayer`): `argument` names what
    /// is wrong (`weights`, `bias`, `gamma`, `running.variance[3]`…) and `reason` why.
    case invalidFolding(argument: String, reason: String)

    /// The packages that give OpenCL on a Debian or Ubuntu machine without a GPU driver.
    public static let openCLPackagesHint =
        "install an OpenCL driver, for example on Debian or Ubuntu: apt-get install pocl-opencl-icd ocl-icd-opencl-dev opencl-headers clinfo (then `clinfo -l` lists the devices)"

    public var description: String {
        switch self {
        case let .invalidShape(shape, reason):
            return "shape \(shape) is invalid: \(reason)"
        case let .lengthMismatch(argument, expected, actual, shape):
            return "\(argument) has \(actual) elements but shape \(shape) needs \(expected)"
        case let .invalidOption(name, value, reason):
            return "option \(name) = \(value) is invalid: \(reason)"
        case let .tooFewValuesPerFeature(count, shape, mode):
            return "expected more than 1 value per feature when training, got \(count) for shape \(shape) in \(mode) mode; use a larger batch or forwardInference"
        case .noOpenCLPlatform:
            return "no OpenCL platform found; \(Self.openCLPackagesHint)"
        case let .noOpenCLDevice(query, available):
            let wanted = query.map { "no OpenCL device matches \"\($0)\"" } ?? "no OpenCL device found"
            let list = available.isEmpty
                ? "; \(Self.openCLPackagesHint)"
                : "; available: " + available.enumerated().map { "[\($0.offset)] \($0.element)" }.joined(separator: ", ")
            return wanted + list
        case let .noWorkingOpenCLDevice(skipped):
            return "no OpenCL device could run the library's kernels: " + skipped.joined(separator: "; ")
                + "; name a device (BN_OPENCL_DEVICE or --device) to see its whole error, or use the CPU reference (BN_BACKEND=cpu)"
        case let .invalidEnvironment(variable, value, expected):
            return "environment variable \(variable)=\"\(value)\" is not understood; expected \(expected)"
        case let .openCLCallFailed(function, code, name):
            return "\(function) failed with \(name) (\(code))"
        case let .kernelBuildFailed(program, device, log):
            return "kernel program \(program) failed to build on \(device):\n\(log)"
        case let .foreignBuffer(argument):
            return "\(argument) was made by another backend or OpenCL context; make buffers with the backend you call"
        case let .invalidBufferCount(count):
            return "a buffer needs at least 1 element, but \(count) were asked for"
        case let .allocationTooLarge(bytes, limit, device):
            return "a buffer of \(bytes) bytes is larger than \(device) allows for one allocation (\(limit) bytes, CL_DEVICE_MAX_MEM_ALLOC_SIZE); split the batch"
        case let .invalidTuningTable(source, line, problem) where line > 0:
            return "tuning table \(source), line \(line): \(problem). Fix the line, or delete the file and run `bn-gpu-bench tune` again"
        case let .invalidTuningTable(source, _, problem):
            return "tuning table \(source): \(problem)"
        case let .layerFeatureMismatch(layerFeatures, shape, mode, shapeFeatures):
            return "the layer has \(layerFeatures) features but shape \(shape) in \(mode) mode has \(shapeFeatures); make the layer with features: \(shapeFeatures), or pass batches of its shape"
        case let .memoryRegionOutOfBounds(offset, count, capacity):
            return "floats [\(offset), \(offset) + \(count)) do not lie within the cl_mem, which holds \(capacity) floats (CL_MEM_SIZE); pass an offset of at least 0 and a count that ends by \(capacity)"
        case let .incompatibleOpenCLObjects(reason):
            return "OpenCL objects do not fit together: \(reason)"
        case let .statisticsMismatch(reason):
            return "synchronized batch norm: \(reason)"
        case let .communicatorFailed(operation, detail):
            return "the statistics communicator failed in \(operation): \(detail); every member of the group must make the same calls in the same order"
        case let .elementTypeMismatch(argument, expected, actual):
            return "\(argument) holds \(actual) elements but the call needs \(expected): the tensors of one call share one element type (the first tensor's: x, or dy in a backward pass), and per-feature arrays are f32; make the buffer with elementType: .\(expected.rawValue)"
        case let .fusionOperandMismatch(argument, fusion, true):
            return "options.fusion = \(fusion) needs \(argument); pass it, or set options.fusion to the operation you ran"
        case let .fusionOperandMismatch(argument, fusion, false):
            return "\(argument) is given but options.fusion = \(fusion) does not use it; pass nil, or set options.fusion to the operation you mean"
        case let .renormOperandMismatch(argument, true):
            return "options.renormalization is set, so the training pass writes r and d per feature: pass corrections (\(argument) among them, one Float per feature), or set options.renormalization to nil for batch norm"
        case let .renormOperandMismatch(argument, false):
            return "\(argument) is given but options.renormalization is nil, so the pass writes no corrections; pass nil, or set options.renormalization"
        case let .invalidFolding(argument, reason):
            return "cannot fold batch norm into the preceding layer: \(argument) \(reason)"
        case .backwardBeforeForward:
            return "backward needs the forward pass it differentiates; call forward first (a forward pass that threw leaves none)"
        }
    }
}
