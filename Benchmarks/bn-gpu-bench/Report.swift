import Foundation
import BatchNorm

/// Everything a run prints or writes: the device, the copy ceiling, how rows were timed, the rows.
struct Report {
    /// The device the rows ran on.
    let device: OpenCLDeviceInfo
    /// The copy ceiling: the faster of the measurements in ``copyMeasurements``.
    private(set) var copy: CopyCeiling
    /// The copy measured before the rows and, once they are done, after them.
    private(set) var copyMeasurements: [CopyCeiling]
    /// How kernel times were taken, for the header: "at least 20 runs, more until 0.2 s measured or 3.0 s per row".
    let kernelTiming: String
    /// Where the launch settings came from: a tuning table, the heuristic, or `--settings`.
    let tuning: String
    /// How the rows store their tensors (`--dtype`).
    let storages: [ElementType]
    /// The activation the rows time fused and unfused (`--fuse`); `.none` for batch norm alone.
    let fusion: FusedOperation
    /// How the rows normalize (`--normalization`).
    let normalizations: [NormalizationChoice]
    /// Rows in the order they ran.
    var outcomes: [RowOutcome] = []

    /// A report whose rows are yet to come.
    init(device: OpenCLDeviceInfo, copy: CopyCeiling, kernelTiming: String, tuning: String,
         storages: [ElementType] = [.float32], fusion: FusedOperation = .none,
         normalizations: [NormalizationChoice] = [.batch]) {
        self.device = device
        self.copy = copy
        self.copyMeasurements = [copy]
        self.kernelTiming = kernelTiming
        self.tuning = tuning
        self.storages = storages
        self.fusion = fusion
        self.normalizations = normalizations
    }

    /// Whether some rows renormalize: the table then shows the norm column.
    var showsNormalization: Bool { normalizations != [.batch] }

    /// Whether the rows vary what a plain run does not: 16-bit storage or an activation. The table
    /// then shows the dtype and fuse columns, and the header says how their bytes are counted.
    var showsStorageAndFusion: Bool { storages != [.float32] || fusion != .none }

    /// Adds the copy measured after the rows and keeps the faster ceiling for every row: a machine
    /// shared with other work can slow one measurement, and a ceiling that is too low flatters the rows.
    mutating func settleCopyCeiling(with after: CopyCeiling) {
        copyMeasurements.append(after)
        copy = copyMeasurements.max { $0.gbps < $1.gbps } ?? after
        for index in outcomes.indices {
            if case var .measured(row) = outcomes[index] {
                row.copyGBps = copy.gbps
                outcomes[index] = .measured(row)
            }
        }
    }

    /// The rows that ran.
    var measuredRows: [BenchmarkRow] {
        outcomes.compactMap { if case let .measured(row) = $0 { row } else { nil } }
    }

    /// Lines that say what the table's numbers are.
    var header: [String] {
        [
            "device: \(device.description)",
            "launch settings: \(tuning)",
            "copy ceiling: \(Format.decimal(copy.gbps, digits: 2)) GB/s (bn_copy of \(copy.count) floats, "
                + "counting 2 × 4 bytes per float, median of \(copy.samples.seconds.count) runs; the faster of "
                + copyMeasurements.map { Format.decimal($0.gbps, digits: 2) }.joined(separator: " before and ")
                + " after the rows)",
            bandwidthLine,
            "median/min ms: kernel time of the buffer form from OpenCL profiling events, \(kernelTiming), after 1 warm-up run",
            (showsStorageAndFusion
                ? "wall ms: median of a round trip as the array form makes it (upload in the row's dtype + kernels + download); "
                : "wall ms: median of the array form (upload + kernels + download); ")
                + "×CPU: CPU reference wall / OpenCL wall; "
                + "max err: worst ErrorMetric error over the pass's outputs against the CPU reference"
                + (storages == [.float32] ? "" : ", run on the same rounded inputs; a 16-bit row passes within 2u "
                   + "(one unit in the last place; u = 2^-11 for f16, 2^-8 for bf16), 18u for an unfused add-relu "
                   + "forward pass, which rounds twice"),
        ] + fusionLines
    }

    /// What the GB/s column counts: the plain run's sentence, or with `--dtype` and `--fuse` the
    /// element size and the activation's tensors.
    private var bandwidthLine: String {
        guard showsStorageAndFusion else {
            return "GB/s counts 4 bytes × N·C·H·W for 2 tensors in the forward passes (x read, y written) and 3 in "
                + "backward (x and dy read, dx written); per-feature arrays and second reads are not counted; 1 GB = 10^9 bytes"
        }
        let sizes = storages.map { "\($0.byteCount) for \($0)" }.joined(separator: ", ")
        let (forward, backward) = fusion == .none ? ("x read, y written", "x and dy read, dx written")
            : fusion.addsInput ? ("x and z read, y written", "x, dy and y read, dx and dz written")
            : ("x read, y written", "x, dy and y read, dx written")
        return "GB/s counts the element's bytes (\(sizes)) × N·C·H·W for \(forward) in the forward passes and "
            + "\(backward) in backward; per-feature arrays, second reads and the unfused rows' extra round trip are "
            + "not counted, so fused and unfused rows of a pass count the same bytes; 1 GB = 10^9 bytes"
    }

    /// With `--fuse`, what the two rows of each pass run; none otherwise.
    private var fusionLines: [String] {
        guard fusion != .none else { return [] }
        let activation = fusion.addsInput ? "relu(bn(x) + z)" : "relu(bn(x))"
        return [
            "fuse \(fusion): the pass writes \(activation) in one kernel; backward masks dy by y's sign"
                + (fusion.addsInput ? " and writes dz" : ""),
            "fuse \(fusion)-unfused: the pass with no fusion, then bn_relu_forward in place on y; backward: "
                + "bn_relu_backward writes the masked dy\(fusion.addsInput ? " and dz" : ""), then the pass reads it",
        ]
    }
}

/// Number formats shared by the table.
enum Format {
    /// A fixed-point number; "-" when not finite.
    static func decimal(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "-" }
        return String(format: "%.\(digits)f", value)
    }

    /// Milliseconds from seconds, with three or four significant digits down to 0.0001 ms.
    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1e3
        guard ms.isFinite else { return "-" }
        return decimal(ms, digits: ms >= 100 ? 1 : ms >= 10 ? 2 : ms >= 1 ? 3 : 4)
    }

    /// A small error in scientific notation: `3.1e-07`; "0" for an exact match.
    static func error(_ value: Double) -> String {
        value == 0 ? "0" : value.isNaN ? "nan" : String(format: "%.1e", value)
    }
}
