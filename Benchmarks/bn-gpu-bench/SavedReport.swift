import Foundation

/// A `run --json` report read back, as `compare` reads it: the device, the copy ceiling, and what a
/// comparison needs of each row. The keys are the writer's (``JSONReport``, ``ReportRecord``), so
/// reading and writing cannot drift apart.
struct SavedReport: Decodable {
    /// The device's name.
    let device: String
    /// The copy ceiling in GB/s; nil when the run wrote null (not finite).
    let copyGBps: Double?
    /// The rows in the order they ran.
    let rows: [Row]

    /// What `compare` reads of one row; numbers the run could not measure are null in the file and nil here.
    struct Row: Decodable {
        let shape: ShapeSpec
        /// `nchw`, `nhwc` or `nc`.
        let layout: String
        /// ``PassKind/reportName``: `forward_training`.
        let pass: String
        /// Median kernel time.
        let medianMs: Double
        let gbps: Double?
        let fractionOfCopy: Double?
        let maxRelativeError: Double?
        /// `f32`, `f16` or `bf16`; `f32` in reports from before `--dtype`, which lack the key.
        let dtype: String
        /// `none`, or the activation with `--fuse`; `none` in reports from before `--fuse`.
        let fuse: String
        /// `batch` or `renorm`; `batch` in reports from before `--normalization`.
        let normalization: String

        init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: ReportRecord.CodingKeys.self)
            shape = try row.decode(ShapeSpec.self, forKey: .shape)
            layout = try row.decode(String.self, forKey: .layout)
            pass = try row.decode(String.self, forKey: .pass)
            medianMs = try row.decode(Double.self, forKey: .medianMs)
            gbps = try row.decodeIfPresent(Double.self, forKey: .gbps)
            fractionOfCopy = try row.decodeIfPresent(Double.self, forKey: .fractionOfCopy)
            maxRelativeError = try row.decodeIfPresent(Double.self, forKey: .maxRelativeError)
            dtype = try row.decodeIfPresent(String.self, forKey: .dtype) ?? "f32"
            fuse = try row.decodeIfPresent(String.self, forKey: .fuse) ?? "none"
            normalization = try row.decodeIfPresent(String.self, forKey: .normalization) ?? "batch"
        }
    }

    init(from decoder: any Decoder) throws {
        let report = try decoder.container(keyedBy: JSONReport.CodingKeys.self)
        device = try report.decode(String.self, forKey: .device)
        copyGBps = try report.decodeIfPresent(Double.self, forKey: .copyGBps)
        rows = try report.decode([Row].self, forKey: .rows)
    }

    /// What the file should be, for messages about one that is not.
    static let expected = "the report of `bn-gpu-bench --json`"
}
