import ArgumentParser
import BatchNorm
import Foundation
import BNToolSupport

extension BNGPUBench {
    /// `bn-gpu-bench tune`: searches launch settings for each class of shapes on one device and
    /// saves them as that device's block of the user's tuning table.
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search launch settings on a device for the standard shapes and save them as a tuning table.",
            discussion: """
                Shapes are grouped by class (traversal and values per feature). For each class, starting from the \
                heuristic settings, each knob in turn takes the candidate value that makes the summed median kernel \
                time of the class's shapes and the three passes smallest. The device's block (keyed by device name \
                and driver version) replaces any earlier one in the output file; other devices' blocks stay. Classes \
                no shape falls in get no row and keep the heuristic. Every OpenCL backend made afterwards reads the file.
                """)

        @Option(parsing: .unconditional, help: BNGPUBench.deviceHelp)
        var device: String?

        @Option(parsing: .unconditional,
                help: ArgumentHelp("Comma-separated shapes to tune for (default: the standard set).", valueName: "shapes"),
                transform: ShapeSpec.parseList)
        var shapes: [ShapeSpec]?

        @Option(help: ArgumentHelp("Comma-separated layouts of the 4-D shapes: nchw, nhwc.", valueName: "layouts"),
                transform: { try LayoutChoice.parseList($0, noun: "layout") })
        var layouts: [LayoutChoice] = LayoutChoice.allCases

        @Option(parsing: .unconditional,
                help: "Timed runs per pass and candidate, \(RunCount.rangeText), after one warm-up; the median counts. (default: 5)",
                transform: RunCount.parse)
        var runs = 5

        @Option(help: ArgumentHelp(
            "The table file to update (default: BN_TUNING_FILE, else $XDG_CACHE_HOME/BatchNorm/tuning.txt, "
                + "else ~/.cache/BatchNorm/tuning.txt).", valueName: "file"))
        var output: String?

        @Flag(help: "Print the table without saving it.")
        var printOnly = false

        func validate() throws {
            if let shape = (shapes ?? []).first(where: { $0.valuesPerFeature < 2 }) {
                throw ValidationError("shape \(shape) has 1 value per channel; the training passes tuned need at least 2")
            }
            try BNGPUBench.validateDevice(device)
            if printOnly, let output {
                throw ValidationError("--print-only saves nothing, so --output \(output) would be ignored; drop one of them")
            }
            if let problem = outputFile?.problem(createsFolders: true) {
                throw ValidationError(problem)
            }
            if !printOnly && output == nil && TuningTable.userFileURL == nil {
                throw ValidationError(Self.noDestination)
            }
        }

        /// Why there is nowhere to save the table: no variable names the user's tuning file.
        static let noDestination = "no HOME, XDG_CACHE_HOME or BN_TUNING_FILE says where to save; pass --output or --print-only"

        /// `--output` as a file to write.
        private var outputFile: OutputFile? { output.map { OutputFile($0, source: "--output", example: "tuning.txt") } }

        mutating func run() throws {
            do {
                let destination = printOnly ? nil : try checkedDestination()
                let table = try search()
                print(table.text, terminator: "")
                guard let destination else { return }
                try TuningTable.save(table, to: destination)
                StandardError.print("saved to \(destination.path)")
            } catch let error as BatchNormError {
                throw BNGPUBench.failure(error, deviceOption: device)
            }
        }

        /// The file the table goes to, checked before the search so that neither a path that cannot
        /// be written nor a file that does not parse (its other devices' blocks are kept, so it is
        /// read first) costs a search.
        /// - Returns: `--output`, else the user's tuning file.
        /// - Throws: `BatchNormError.invalidTuningTable` for a file that does not parse; `ExitCode.failure`
        ///   for a path that cannot be written; `ValidationError` when no variable names one (which
        ///   `validate()` has refused already).
        private func checkedDestination() throws -> URL {
            let file: OutputFile
            if let outputFile {
                file = outputFile
            } else if let url = TuningTable.userFileURL {
                let isNamed = ProcessInfo.processInfo.environment["BN_TUNING_FILE"]?.isEmpty == false
                file = OutputFile(url.path, source: isNamed ? "BN_TUNING_FILE" : "the tuning file", example: "tuning.txt")
            } else {
                throw ValidationError(Self.noDestination)
            }
            if let problem = file.problem(createsFolders: true) {
                StandardError.print("Error: \(problem)")
                throw ExitCode.failure
            }
            _ = try TuningTable.loadUser(environment: ["BN_TUNING_FILE": file.path])
            return URL(fileURLWithPath: file.path)
        }

        /// The search: one class at a time, so that only that class's tensors take memory.
        private func search() throws -> TuningTable {
            // The tuner times each candidate itself; a first-use search would only add one of its own.
            let backend = try OpenCLBackend(device: BNGPUBench.deviceQuery(option: device), isProfilingEnabled: true,
                                            autotuning: .off)
            let options = BatchNormOptions()
            var byClass: [ShapeClass: [(spec: ShapeSpec, shape: TensorShape)]] = [:]
            for spec in shapes ?? ShapeSpec.standard {
                // A tensor the device cannot hold is skipped before its inputs take host memory.
                if let error = spec.allocationProblem(on: backend.device) {
                    StandardError.print("skipped \(spec): \(error)")
                    continue
                }
                for layout in spec.layouts(layouts) {
                    let shape = spec.tensorShape(layout)
                    byClass[try ShapeClass(shape: shape, mode: options.mode), default: []].append((spec, shape))
                }
            }
            guard !byClass.isEmpty else {
                StandardError.print("Error: \(ShapeSpec.noneFits(shapes ?? ShapeSpec.standard, on: backend.device))")
                throw ExitCode.failure
            }
            var rows: [ShapeClass: LaunchSettings] = [:]
            for shapeClass in ShapeClass.allCases {
                guard let classShapes = byClass[shapeClass] else { continue }
                StandardError.print("\(shapeClass): \(classShapes.map { "\($0.spec) \($0.shape.layout.rawValue)" }.joined(separator: ", "))")
                let calls = try classShapes.flatMap { spec, shape in
                    let fixture = ShapeFixture(shape: shape, inputs: SeededInputs(shape: spec))
                    return try PassKind.standard.map { pass in
                        try PassWorkload.make(pass, on: fixture, options: options).prepareBufferCall(backend)
                    }
                }
                let start = LaunchSettings.heuristic(for: backend.device, traversal: shapeClass.traversal)
                rows[shapeClass] = try descend(from: start, calls: calls, on: backend)
            }
            try backend.overrideLaunchSettings(nil)
            let entry = TuningTable.Entry(deviceName: backend.device.name, driverVersion: backend.device.driverVersion,
                                          rows: rows)
            return TuningTable(entries: [entry])
        }

        /// The library's descent (``LaunchSettings/descend(from:device:deadline:cost:)``) over every
        /// candidate, each costed by its kernel time.
        private func descend(from start: LaunchSettings, calls: [() throws -> Void], on backend: OpenCLBackend) throws -> LaunchSettings {
            _ = try cost(of: start, calls: calls, on: backend) // builds the programs and warms the caches
            let descent = try LaunchSettings.descend(from: start, device: backend.device) {
                try cost(of: $0, calls: calls, on: backend)
            }
            StandardError.print("  \(descent.best)  \(Format.milliseconds(descent.cost)) ms (heuristic \(Format.milliseconds(descent.startCost)) ms)")
            return descent.best
        }

        /// The summed median kernel time of the calls under `settings`.
        private func cost(of settings: LaunchSettings, calls: [() throws -> Void], on backend: OpenCLBackend) throws -> Double {
            try backend.overrideLaunchSettings(settings)
            return try calls.reduce(0) { total, call in
                _ = try backend.measureKernelTime(call)
                let samples = try (0..<runs).map { _ in try backend.measureKernelTime(call) }
                return total + Samples(seconds: samples).median
            }
        }
    }
}
