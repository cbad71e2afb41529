import ArgumentParser

extension BNGPUBench {
    /// `bn-gpu-bench shapes`: the shapes `run` and `tune` take without `--shapes`, as `--shapes`
    /// reads them, so that a script hands a peer (PyTorch's anchor) the same list without restating it.
    struct Shapes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the standard shapes (or the --quick ones) as one comma-separated --shapes value.")

        @Flag(help: "The small shapes of --quick instead of the standard set.")
        var quick = false

        /// The line printed: the set's shapes, as `--shapes` takes them.
        var line: String {
            (quick ? ShapeSpec.quick : ShapeSpec.standard).map(\.description).joined(separator: ",")
        }

        mutating func run() {
            print(line)
        }
    }
}
