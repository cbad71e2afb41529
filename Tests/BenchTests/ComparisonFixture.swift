import BNTestSupport
import Foundation

/// A bench report and PyTorch's timings of the same shapes, small enough to work out by hand, written
/// as JSON files the way the bench and the anchor scripts write them.
///
/// Ours / PyTorch (PyTorch ms over ours) by design:
/// - forward training NCHW: 2 (32x64x112x112), 8 (32x256x56x56): geomean 4; NHWC: 1, 1.21: geomean 1.1;
///   NC: 1.2 (60x100), 3 (65536x256): geomean √3.6 = 1.897.
/// - backward NCHW: 1.5 and 1.5: exactly the target; NC: 1.5 and 1: √1.5 = 1.225; no NHWC row.
/// - forward inference NCHW: 1.1, 0.9, 1, 1: 0.99^¼ = 0.9975; NHWC: 1, 1; NC: 0.8, 1.25: 1.
/// - 60x100, three passes: ours 0.01 + 0.005 + 0.02 = 0.035 ms, PyTorch 0.012 + 0.004 + 0.03 = 0.046 ms.
/// - inference fraction of copy, ≥ 8 Mi elements: lowest 0.89 at 32x256x32x32 (exactly 8 Mi), not
///   0.50 at 32x255x32x32 (just below).
/// - training fraction of copy, 4-D: lowest 0.71 at 32x256x56x56 nhwc, not 0.30 at 65536x256 (2-D)
///   nor 0.10 at 32x512x28x28 nchw, which PyTorch has no row for (so its error, 9e-6, does not count either).
/// - rows that do not count: 60x100 in f16, fused with relu, and its split training pass.
struct ComparisonFixture {
    var oursRows: [[String: Any]] = [
        row("60x100", "nc", "forward_training", 0.01, fraction: 0.05),
        row("60x100", "nc", "forward_inference", 0.005, fraction: 0.1),
        row("60x100", "nc", "backward", 0.02, fraction: 0.1, error: 2e-7),
        row("60x100", "nc", "forward_training", 5, fraction: 0.01, dtype: "f16"),
        row("60x100", "nc", "forward_training", 5, fraction: 0.01, fuse: "relu"),
        row("60x100", "nc", "forward_training_split", 5, fraction: 0.01),
        row("65536x256", "nc", "forward_training", 2, fraction: 0.30),
        row("65536x256", "nc", "forward_inference", 1, fraction: 0.91),
        row("65536x256", "nc", "backward", 4, fraction: 0.5),
        row("32x64x112x112", "nchw", "forward_training", 1, fraction: 0.72),
        row("32x64x112x112", "nchw", "forward_inference", 1, fraction: 0.95),
        row("32x64x112x112", "nchw", "backward", 2, fraction: 0.6),
        row("32x64x112x112", "nhwc", "forward_training", 1, fraction: 0.75),
        row("32x64x112x112", "nhwc", "forward_inference", 1, fraction: 0.93),
        row("32x256x56x56", "nchw", "forward_training", 1, fraction: 0.80, error: 3.1e-7),
        row("32x256x56x56", "nchw", "forward_inference", 1, fraction: 0.92),
        row("32x256x56x56", "nchw", "backward", 1, fraction: 0.7),
        row("32x256x56x56", "nhwc", "forward_training", 1, fraction: 0.71),
        row("32x256x56x56", "nhwc", "forward_inference", 1, fraction: 0.97),
        row("32x256x32x32", "nchw", "forward_inference", 1, fraction: 0.89),
        row("32x255x32x32", "nchw", "forward_inference", 1, fraction: 0.50),
        row("32x512x28x28", "nchw", "forward_training", 1, fraction: 0.10, error: 9e-6),
    ]

    var peerRows: [[String: Any]] = [
        peer("60x100", "nc", train: 0.012, infer: 0.004, backward: 0.03),
        peer("65536x256", "nc", train: 6, infer: 1.25, backward: 4),
        peer("32x64x112x112", "nchw", train: 2, infer: 1.1, backward: 3),
        peer("32x64x112x112", "nhwc", train: 1, infer: 1, backward: 1),
        peer("32x256x56x56", "nchw", train: 8, infer: 0.9, backward: 1.5),
        peer("32x256x56x56", "nhwc", train: 1.21, infer: 1, backward: 1),
        peer("32x256x32x32", "nchw", train: 1, infer: 1, backward: 1),
        peer("32x255x32x32", "nchw", train: 1, infer: 1, backward: 1),
        // A shape the bench did not run: ignored.
        peer("256x64x56x56", "nchw", train: 0.001, infer: 0.001, backward: 0.001),
    ]

    /// One row of a `--json` report; GB/s is left out of the arithmetic, so it is a placeholder.
    static func row(_ shape: String, _ layout: String, _ pass: String, _ ms: Double, fraction: Double,
                    error: Double = 1e-7, dtype: String = "f32", fuse: String = "none") -> [String: Any] {
        ["shape": shape, "layout": layout, "pass": pass, "backend": "opencl: test", "variant": "v", "median_ms": ms,
         "min_ms": ms, "wall_median_ms": ms, "gbps": 1.0, "fraction_of_copy": fraction, "max_rel_err": error,
         "speedup_vs_cpu": 1.0, "dtype": dtype, "fuse": fuse]
    }

    /// One row of either anchor script; GB/s as the scripts count it is left out of the arithmetic.
    static func peer(_ shape: String, _ layout: String, train: Double, infer: Double, backward: Double) -> [String: Any] {
        ["shape": shape, "layout": layout, "train_ms": train, "train_gbs": 2.0, "infer_ms": infer, "infer_gbs": 2.0,
         "bwd_ms": backward, "bwd_gbs": 3.0]
    }

    /// The peer's file format.
    enum PeerFormat: CaseIterable {
        /// torch_bn_anchor.py --json: `{ "copy_gbs", "rows" }`.
        case gpu
        /// torch_cpu_bn.py: the bare list of rows.
        case cpu
    }

    /// Writes `ours.json` and `torch.json` into `folder`.
    /// - Returns: Their paths.
    func write(in folder: TemporaryFolder, peerFormat: PeerFormat = .gpu) throws -> (ours: String, peer: String) {
        let ours: [String: Any] = ["device": "Test GPU", "copy_gbps": 2000.5, "rows": oursRows]
        let peer: Any = peerFormat == .gpu ? ["copy_gbs": 2900.25, "rows": peerRows] as [String: Any] : peerRows
        let paths = (ours: folder.path("ours.json"), peer: folder.path("torch.json"))
        try JSONSerialization.data(withJSONObject: ours).write(to: URL(fileURLWithPath: paths.ours))
        try JSONSerialization.data(withJSONObject: peer).write(to: URL(fileURLWithPath: paths.peer))
        return paths
    }
}
