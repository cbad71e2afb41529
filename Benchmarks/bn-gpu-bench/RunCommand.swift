import ArgumentParser
import BatchNorm
import Foundation
import BNToolSupport

extension BNGPUBench {
    /// `bn-gpu-bench run`, the default: times each shape × layout × pass and checks it.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the passes on OpenCL, check them against the CPU reference, print a table.",
            discussion: """
                Rows are every shape × dtype × layout × pass, and with --fuse each pass twice: fused, then \
                unfused (the pass, then the separate activation kernel; backward: the activation's gradient \
                kernel, then the pass). Kernel times come from OpenCL profiling events of the buffer form; wall \
                times are of a round trip as the array form makes it (upload, kernels, download), as a caller \
                of the array API sees them. \
                Shapes without --shapes or --quick: \(ShapeSpec.standard.map(\.description).joined(separator: ", ")).
                """)

        @Option(parsing: .unconditional, help: BNGPUBench.deviceHelp)
        var device: String?

        @Option(parsing: .unconditional,
                help: ArgumentHelp("Comma-separated shapes, N×C or N×C×H×W, such as 32x256x56x56,4096x1024.",
                                   valueName: "shapes"),
                transform: ShapeSpec.parseList)
        var shapes: [ShapeSpec]?

        @Option(help: ArgumentHelp("Comma-separated layouts of the 4-D shapes: nchw, nhwc (2-D shapes use nc).",
                                   valueName: "layouts"),
                transform: { try LayoutChoice.parseList($0, noun: "layout") })
        var layouts: [LayoutChoice] = LayoutChoice.allCases

        @Option(help: ArgumentHelp("Comma-separated passes: forward-training, forward-inference, backward, and the split phases of synchronized batch norm, forward-training-split and backward-split (default: the first three).",
                                   valueName: "passes"),
                transform: { try PassKind.parseList($0, noun: "pass") })
        var passes: [PassKind] = PassKind.standard

        @Option(name: .customLong("dtype"), help: ArgumentHelp(
            "Comma-separated tensor storage: f32, f16, bf16 (default: f32).",
            discussion: "x, y, dy, dx, z and dz are stored so; per-feature arrays stay f32 and all arithmetic is float. "
                + "Inputs are rounded to the storage before either backend sees them.",
            valueName: "dtypes"),
                transform: { try StorageChoice.parseList($0, noun: "dtype") })
        var dtypes: [StorageChoice] = [.f32]

        @Option(help: ArgumentHelp(
            "The activation after batch norm: none, relu or add-relu (relu(bn(x) + z)) (default: none).",
            discussion: "Each pass is timed fused (one kernel writes the activation) and unfused (batch norm, then "
                + "the separate bn_relu_forward kernel; backward: bn_relu_backward, then batch norm), in the same run.",
            valueName: "activation"),
                transform: FusedOperation.parse)
        var fuse: FusedOperation = .none

        @Option(help: ArgumentHelp(
            "Comma-separated normalizations: batch, renorm (default: batch).",
            discussion: "renorm times Batch Renormalization's training and backward passes at rMax 3 and dMax 5, where "
                + "the paper's ramp ends; with batch,renorm each pass runs both ways, batch norm first, in the same run.",
            valueName: "normalizations"),
                transform: { try NormalizationChoice.parseList($0, noun: "normalization") })
        var normalization: [NormalizationChoice] = [.batch]

        @Option(parsing: .unconditional,
                help: "Timed kernel runs per row at least, \(RunCount.rangeText); more follow until 0.2 s of kernel time (3 s per row at most). (default: 20)",
                transform: RunCount.parse)
        var iterations = 20

        @Option(help: ArgumentHelp(
            "Launch settings for every row instead of the tuning table's, as a table row writes them.",
            discussion: "Such as \"vector=16 group=1 chunk=16384 columns=1 items=16384 resident=524288\".",
            valueName: "settings"),
                transform: LaunchSettings.parseOption)
        var settings: LaunchSettings?

        @Flag(help: ArgumentHelp(
            "Before the rows, search launch settings for each class of the shapes that no tuning table has a row for (about 2 s per class) and save them in the user's tuning table, as an engine would on first use.",
            discussion: "The search's progress goes to standard error; rows of a searched class say \"searched\"."))
        var autotune = false

        @Flag(help: "Small shapes and no time targets: a smoke test that runs in seconds.")
        var quick = false

        @Option(help: ArgumentHelp("Write the rows as JSON to this file.", valueName: "file"))
        var json: String?

        @Option(help: ArgumentHelp("Write the rows as CSV to this file.", valueName: "file"))
        var csv: String?

        func validate() throws {
            if quick && shapes != nil {
                throw ValidationError("--quick picks its own small shapes; pass --shapes or --quick, not both")
            }
            if let shape = selectedShapes.first(where: { $0.valuesPerFeature < 2 }),
               let pass = passes.first(where: \.needsBatchStatistics) {
                throw ValidationError("shape \(shape) has 1 value per channel, but \(pass.rawValue) needs at least 2 "
                                      + "for a variance; use a batch of 2 or more, or --passes forward-inference")
            }
            if fuse != .none, let pass = passes.first(where: { !$0.fusesActivation }) {
                throw ValidationError("--fuse \(fuse.rawValue) does not apply to \(pass.rawValue): the split phases of "
                                      + "synchronized batch norm fuse nothing; drop --fuse or the split passes")
            }
            if normalization.contains(.renorm), let pass = passes.first(where: { !$0.fusesActivation }) {
                throw ValidationError("--normalization renorm does not apply to \(pass.rawValue): the split phases of "
                                      + "synchronized batch norm do not renormalize; drop renorm or the split passes")
            }
            if autotune, let settings {
                throw ValidationError("--autotune searches settings and --settings \(settings) fixes them for every row; give one of them")
            }
            try BNGPUBench.validateDevice(device)
            if let json, let csv, jsonFile?.canonicalPath == csvFile?.canonicalPath {
                throw ValidationError("--json \(json) and --csv \(csv) name the same file; give each its own")
            }
            for file in [jsonFile, csvFile].compactMap({ $0 }) {
                if let problem = file.problem(createsFolders: false) {
                    throw ValidationError(problem)
                }
            }
        }

        /// `--json` as a file to write.
        var jsonFile: OutputFile? { json.map { OutputFile($0, source: "--json", example: "report.json") } }

        /// `--csv` as a file to write.
        var csvFile: OutputFile? { csv.map { OutputFile($0, source: "--csv", example: "report.csv") } }

        /// The shapes the run times: `--shapes`, else the quick or the standard set.
        var selectedShapes: [ShapeSpec] {
            shapes ?? (quick ? ShapeSpec.quick : ShapeSpec.standard)
        }

        /// The rows' activations: batch norm alone, or `--fuse`'s fused and then unfused.
        var activations: [RowActivation] { RowActivation.rows(for: fuse) }

        /// How the rows store their tensors, in `--dtype`'s order.
        var storages: [ElementType] { dtypes.map(\.elementType) }

        /// The rows of one shape, layout and storage, in the order they run: each pass, fused then
        /// unfused, batch norm then renorm.
        func rows(_ spec: ShapeSpec, _ layout: TensorLayout, _ storage: ElementType) -> [BenchCase] {
            passes.flatMap { pass in
                activations.flatMap { activation in
                    normalizations(of: pass).map {
                        BenchCase(spec: spec, layout: layout, pass: pass, storage: storage, activation: activation,
                                  normalization: $0)
                    }
                }
            }
        }

        /// `--normalization`'s choices for `pass`: batch norm alone for inference, which renormalization
        /// leaves unchanged.
        func normalizations(of pass: PassKind) -> [NormalizationChoice] {
            pass == .forwardInference ? [.batch] : normalization
        }

        /// `--device`, else `BN_OPENCL_DEVICE` (``BNGPUBench/deviceQuery(option:)``).
        var deviceQuery: String? { BNGPUBench.deviceQuery(option: device) }

        mutating func run() throws {
            do {
                let report = try measure()
                print(report.header.joined(separator: "\n"))
                print()
                print(report.table)
                guard !report.measuredRows.isEmpty else {
                    StandardError.print("Error: no row ran; the table says why each was skipped")
                    throw ExitCode.failure
                }
                try write(report)
                try check(report)
            } catch let error as BatchNormError {
                throw BNGPUBench.failure(error, deviceOption: device)
            }
        }

        /// Runs every row: inputs are drawn once per shape and shared by its layouts and passes.
        private func measure() throws -> Report {
            // --settings forces every row's settings, so nothing is searched; otherwise BN_AUTOTUNE says.
            let backend = try OpenCLBackend(device: deviceQuery, isProfilingEnabled: true, autotuning: settings == nil ? nil : .off)
            try backend.overrideLaunchSettings(settings)
            let timing = quick ? TimingPlan.quick(iterations: iterations) : TimingPlan.standard(iterations: iterations)
            let shapes = selectedShapes
            // The copy ceiling is sized by the shapes that run; with none, there is nothing to report.
            let largestElementCount = shapes.filter { $0.allocationProblem(on: backend.device) == nil }.map(\.elementCount).max()
            guard let largestElementCount else {
                StandardError.print("Error: \(ShapeSpec.noneFits(shapes, on: backend.device))")
                throw ExitCode.failure
            }
            if autotune {
                let tensorShapes = shapes.filter { $0.allocationProblem(on: backend.device) == nil && $0.valuesPerFeature >= 2 }
                    .flatMap { spec in spec.layouts(layouts).map { spec.tensorShape($0) } }
                let start = ContinuousClock.now
                let searched = try backend.autotune(for: tensorShapes) { StandardError.print("autotune: \($0)") }
                StandardError.print("autotune: \(searched.count) class\(searched.count == 1 ? "" : "es") searched in "
                    + "\(Format.decimal((ContinuousClock.now - start) / .seconds(1), digits: 1)) s"
                    + (searched.isEmpty ? " (every class has a tuning table row)" : ""))
            }
            let rowsPerLayout = storages.count * activations.count * passes.map { normalizations(of: $0).count }.reduce(0, +)
            let rowCount = shapes.map { $0.layouts(layouts).count * rowsPerLayout }.reduce(0, +)
            StandardError.print("bn-gpu-bench: \(rowCount) rows on \(backend.name); measuring the copy ceiling")
            let copy = try CopyCeiling.measure(on: backend, largestElementCount: largestElementCount,
                                               repetitions: timing.copyRepetitions)
            let benchmark = Benchmark(backend: backend, timing: timing, copyGBps: copy.gbps, isOverridden: settings != nil)
            var report = Report(device: backend.device, copy: copy, kernelTiming: timing.kernel.summary,
                                tuning: settings.map { "--settings \($0)" } ?? backend.tuningOrigin.description,
                                storages: storages, fusion: fuse, normalizations: normalization)

            func announce(_ benchCase: BenchCase) {
                StandardError.print("[\(report.outcomes.count + 1)/\(rowCount)] \(benchCase.label)")
            }
            func skip(_ benchCase: BenchCase, _ error: BatchNormError) {
                StandardError.print("  skipped: \(error)")
                report.outcomes.append(.skipped(SkippedRow(benchCase: benchCase, reason: error.description)))
            }
            for spec in shapes {
                // A tensor the device cannot hold is skipped before its inputs take host memory.
                if let error = spec.allocationProblem(on: backend.device) {
                    for storage in storages {
                        for layout in spec.layouts(layouts) {
                            for benchCase in rows(spec, layout, storage) {
                                announce(benchCase)
                                skip(benchCase, error)
                            }
                        }
                    }
                    continue
                }
                let drawn = SeededInputs(shape: spec, drawsZ: fuse.addsInput)
                for storage in storages {
                    let inputs = drawn.stored(as: storage)
                    for layout in spec.layouts(layouts) {
                        let fixture = ShapeFixture(shape: spec.tensorShape(layout), inputs: inputs)
                        for benchCase in rows(spec, layout, storage) {
                            announce(benchCase)
                            do {
                                report.outcomes.append(.measured(try benchmark.measure(benchCase, on: fixture)))
                            } catch let error as BatchNormError {
                                guard case .allocationTooLarge = error else { throw error }
                                skip(benchCase, error)
                            }
                        }
                    }
                }
            }
            let searches = backend.firstUseSearches
            if !searches.isEmpty {
                let seconds = searches.map(\.searchSeconds).reduce(0, +)
                StandardError.print("first-use search: \(searches.count) class\(searches.count == 1 ? "" : "es") in "
                    + "\(Format.decimal(seconds, digits: 1)) s")
            }
            StandardError.print("measuring the copy ceiling again")
            report.settleCopyCeiling(with: try CopyCeiling.measure(
                on: backend, largestElementCount: largestElementCount, repetitions: timing.copyRepetitions))
            return report
        }

        /// Fails the run when a row's error exceeds what the tests allow (for 16-bit storage, what its
        /// rounding allows: ``Benchmark/tolerance(for:)``): the bench is also CI's smoke test of the
        /// kernels on the device.
        private func check(_ report: Report) throws {
            let failures = report.measuredRows.filter { !($0.maxRelativeError <= $0.tolerance) }
            guard !failures.isEmpty else { return }
            for row in failures {
                let allowed = row.benchCase.storage == .float32 ? "the tests allow" : "\(row.benchCase.storage) storage allows"
                StandardError.print("Error: \(row.benchCase.label) differs from the CPU reference by "
                    + "\(Format.error(row.maxRelativeError)), more than the \(Format.error(row.tolerance)) \(allowed)")
            }
            throw ExitCode.failure
        }

        /// Writes `--json` and `--csv`, each whole or not at all; `validate()` has checked both paths.
        private func write(_ report: Report) throws {
            do {
                try jsonFile?.write(try report.json())
                try csvFile?.write(Data(report.csv.utf8))
            } catch {
                StandardError.print("Error: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
