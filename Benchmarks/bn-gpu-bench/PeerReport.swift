import Foundation

/// A peer's batch-norm timings of the bench's shapes, in either anchor format:
/// `torch_bn_anchor.py --json` (GPU) writes `{ "copy_gbs", "rows": [...] }`, and the CPU anchors
/// (`torch_cpu_bn.py`, `ort_bn.py`, `openvino_bn.py`, `tinygrad_bn.py`) write the bare list of rows.
/// Each row has `shape`, `layout`, and ms and GB/s for the three passes: `train_ms`, `train_gbs`,
/// `infer_ms`, `infer_gbs`, `bwd_ms`, `bwd_gbs`. A pass the peer does not have is `null` (ONNX Runtime
/// and OpenVINO time inference only); a key that is missing means the file is not such a report.
struct PeerReport: Decodable {
    /// The peer's copy ceiling in GB/s, when its format has one (the GPU anchor's).
    let copyGBps: Double?
    /// The rows in the file's order.
    let rows: [Row]

    /// One pass of one row: the peer's median time and its effective bandwidth.
    struct Timing: Equatable {
        let milliseconds: Double
        /// nil when the file has no GB/s for the pass; the comparison needs only the time.
        let gbps: Double?
    }

    /// One shape in one layout, timed for each pass.
    struct Row: Decodable {
        let shape: ShapeSpec
        /// `nchw`, `nhwc` or `nc`.
        let layout: String
        /// The time of each of ``PassKind/standard`` the peer has.
        let timings: [PassKind: Timing]

        init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: Key.self)
            shape = try row.decode(ShapeSpec.self, forKey: Key("shape"))
            layout = try row.decode(String.self, forKey: Key("layout"))
            var timings: [PassKind: Timing] = [:]
            for pass in PassKind.standard {
                guard let prefix = PeerReport.keyPrefix(pass) else { continue }
                // null: the peer has no such pass; a missing key still throws, below
                if row.contains(Key(prefix + "_ms")), try row.decodeNil(forKey: Key(prefix + "_ms")) { continue }
                timings[pass] = Timing(milliseconds: try row.decode(Double.self, forKey: Key(prefix + "_ms")),
                                       gbps: try row.decodeIfPresent(Double.self, forKey: Key(prefix + "_gbs")))
            }
            self.timings = timings
        }
    }

    init(from decoder: any Decoder) throws {
        // A list is the CPU anchor's whole file; anything else must be the GPU anchor's object.
        if var list = try? decoder.unkeyedContainer() {
            var rows: [Row] = []
            while !list.isAtEnd {
                rows.append(try list.decode(Row.self))
            }
            (copyGBps, self.rows) = (nil, rows)
        } else {
            let report = try decoder.container(keyedBy: Key.self)
            copyGBps = try report.decodeIfPresent(Double.self, forKey: Key("copy_gbs"))
            rows = try report.decode([Row].self, forKey: Key("rows"))
        }
    }

    /// How the anchors name a pass in their keys: `train`, `infer`, `bwd`; nil for the split phases,
    /// which they do not time.
    static func keyPrefix(_ pass: PassKind) -> String? {
        switch pass {
        case .forwardTraining: "train"
        case .forwardInference: "infer"
        case .backward: "bwd"
        case .forwardTrainingSplit, .backwardSplit: nil
        }
    }

    /// What the file should be, for messages about one that is not.
    static let expected = "the JSON of torch_bn_anchor.py --json (an object with \"rows\") or of a CPU anchor such as torch_cpu_bn.py (a list of rows)"

    /// A key of the anchors' JSON, which Python writes from dictionaries.
    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
