import BNTestSupport

extension ProductProcess {
    /// The bench under test.
    static let bench = ProductProcess(name: "bn-gpu-bench")
}
