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
    /// Rows in the order they ran.
    var outcomes: [RowOutcome] = []

    /// A report whose rows are yet to come.
    init(device: OpenCLDeviceInfo, copy: CopyCeiling, kernelTiming: String, tuning: String) {
        self.device = device
        self.copy = copy
        self.copyMeasurements = [copy]
        self.kernelTiming = kernelTiming
        self.tuning = tuning
    }

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
            "GB/s counts 4 bytes × N·C·H·W for 2 tensors in the forward passes (x read, y written) and 3 in "
                + "backward (x and dy read, dx written); per-feature arrays and second reads are not counted; 1 GB = 10^9 bytes",
            "median/min ms: kernel time of the buffer form from OpenCL profiling events, \(kernelTiming), after 1 warm-up run",
            "wall ms: median of the array form (upload + kernels + download); ×CPU: CPU reference wall / OpenCL wall; "
                + "max err: worst ErrorMetric error over the pass's outputs against the CPU reference",
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
