import BatchNorm

/// A backend that runs the activation as its own step, for the unfused rows: OpenCL with its
/// `bn_relu_forward` and `bn_relu_backward` kernels, the CPU reference on the host.
protocol SeparateActivation: SplitPhaseBackend {
    /// out = relu(a + b), or relu(a) when b is nil, rounded once to the buffers' storage.
    func relu(_ a: Buffer, adding b: Buffer?, into out: Buffer) throws
    /// da = gradient where output > 0 or is NaN, else 0; the same into db when given.
    func reluBackward(gradient: Buffer, output: Buffer, into da: Buffer, also db: Buffer?) throws
}

extension OpenCLBackend: SeparateActivation {}

/// The reference's activation: the kernels' arithmetic in `Float` on the downloaded values, written
/// back rounded to the buffer's storage, as the device stores them.
extension CPUBackend: SeparateActivation {
    func relu(_ a: HostBuffer, adding b: HostBuffer?, into out: HostBuffer) throws {
        let values = try download(a)
        let sums = try b.map { zip(values, try download($0)).map(+) } ?? values
        try write(sums.map { $0 < 0 ? 0 : $0 }, as: out.elementType, to: out)
    }

    func reluBackward(gradient: HostBuffer, output: HostBuffer, into da: HostBuffer, also db: HostBuffer?) throws {
        let masked = zip(try download(gradient), try download(output)).map { gradient, output in output <= 0 ? 0 : gradient }
        try write(masked, as: da.elementType, to: da)
        if let db { try write(masked, as: db.elementType, to: db) }
    }
}

extension BatchNormBackend {
    /// A new buffer holding `values` stored as `storage` (each rounded to nearest even).
    /// - Parameters:
    ///   - values: The elements.
    ///   - storage: The element type of the buffer.
    /// - Returns: The buffer.
    /// - Throws: ``BatchNormError`` from the upload.
    func upload(_ values: [Float], as storage: ElementType) throws -> Buffer {
        switch storage {
        case .float32: try upload(values)
        case .float16: try upload(values.map { Float16($0) })
        case .bfloat16: try upload(values.map { BFloat16($0) })
        }
    }

    /// Overwrites `buffer` with `values` stored as `storage` (each rounded to nearest even).
    /// - Parameters:
    ///   - values: The elements, as many as the buffer holds.
    ///   - storage: The buffer's element type.
    ///   - buffer: The destination.
    /// - Throws: ``BatchNormError`` from the write.
    func write(_ values: [Float], as storage: ElementType, to buffer: Buffer) throws {
        switch storage {
        case .float32: try write(values, to: buffer)
        case .float16: try write(values.map { Float16($0) }, to: buffer)
        case .bfloat16: try write(values.map { BFloat16($0) }, to: buffer)
        }
    }
}
