import ArgumentParser
import BatchNorm
import BatchNormMPI
import BNToolSupport

/// `bn-sync`: under `mpirun -np R`, each rank runs synchronized batch norm on its rows of one seeded
/// batch, and checks what it gets against one process running the whole batch.
@main
struct BNSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bn-sync",
        abstract: "Check batch norm synchronized over MPI processes against one process on the whole batch.",
        discussion: """
            Run it under MPI: mpirun -np 4 bn-sync (as root, add --allow-run-as-root; with more ranks than \
            cores, --oversubscribe). Every rank draws the same batch from --seed, runs forward training and \
            backward through SynchronizedBatchNorm and an MPICommunicator on its rows (rank·N/R ..< \
            (rank + 1)·N/R), and compares its rows of y and dx and the whole batch's mean, invStd, running \
            statistics, dγ and dβ with the fused single-device passes on the whole batch. Rank 0 prints \
            `bn-sync: R ranks, max relative difference vs one process: X`, X the worst over every rank and \
            output (|a − b| / (|b| + s), s the magnitude the test suite judges each output at); the exit status is 1 when X exceeds the test suite's \
            tolerance, \(ErrorMetric.openCLTolerance).
            """)

    @Option(help: "Where batch norm runs: auto (an OpenCL device if one exists, else the CPU reference), cpu or opencl.")
    var backend: BackendOption = .auto

    @Option(help: "Rows in the batch (N), split over the ranks; with fewer rows than ranks, some ranks hold none.")
    var batch: Int = 16

    @Option(help: "Channels (C): the features.")
    var channels: Int = 8

    @Option(help: "Height of each image (H).")
    var height: Int = 5

    @Option(help: "Width of each image (W).")
    var width: Int = 7

    @Option(help: "The batch's memory order: nchw or nhwc.")
    var layout: LayoutOption = .nchw

    @Option(help: "Seeds the batch, γ, β and the running statistics, alike on every rank.")
    var seed: UInt64 = 1

    /// The whole batch's shape.
    var shape: TensorShape { TensorShape(n: batch, c: channels, h: height, w: width, layout: layout.layout) }

    func validate() throws {
        for (name, value) in [("--batch", batch), ("--channels", channels), ("--height", height), ("--width", width)]
        where value < 1 {
            throw ValidationError("\(name) must be at least 1, got \(value)")
        }
        let (perFeature, overflow) = batch.multipliedReportingOverflow(by: height * width)
        guard !overflow, perFeature.multipliedReportingOverflow(by: channels).overflow == false,
              perFeature * channels <= Self.maximumElements else {
            throw ValidationError("the batch --batch × --channels × --height × --width may hold at most \(Self.maximumElements) values, since every rank also runs it whole; got \(batch) × \(channels) × \(height) × \(width)")
        }
        guard perFeature >= 2 else {
            throw ValidationError("--batch × --height × --width must be at least 2: training needs two values per channel for a variance; got \(perFeature)")
        }
    }

    /// The largest batch accepted: 2²⁶ values (256 MiB of x in float), since every rank holds the
    /// whole batch several times over (x, dy, y, dx and the reference's copies).
    static let maximumElements = 1 << 26

    func run() async throws {
        let communicator: MPICommunicator
        do {
            communicator = try MPICommunicator()
        } catch {
            StandardError.print("bn-sync: \(error)")
            throw ExitCode.failure
        }
        let worst: Double
        do {
            worst = try await check(on: try backend.make(), communicator: communicator)
            if communicator.rank == 0 {
                print("bn-sync: \(communicator.size) ranks, max relative difference vs one process: \(worst)")
            }
            try MPICommunicator.finalize()
        } catch {
            // The other ranks may be waiting in a collective for this one: end them all.
            StandardError.print("bn-sync rank \(communicator.rank): \(error)")
            communicator.abort(exitCode: ExitCode.failure.rawValue)
        }
        guard worst <= ErrorMetric.openCLTolerance else {
            if communicator.rank == 0 {
                StandardError.print("bn-sync: the difference \(worst) exceeds the tolerance \(ErrorMetric.openCLTolerance)")
            }
            throw ExitCode.failure
        }
    }

    /// Runs the synchronized pass on this rank's rows and the reference on the whole batch, and
    /// returns the worst difference over every rank (the same value on each).
    /// - Parameters:
    ///   - backend: This rank's backend.
    ///   - communicator: This rank's member of the group.
    /// - Returns: The largest relative difference of any rank.
    /// - Throws: ``BatchNormError`` from the passes or the communicator.
    func check(on backend: AnyBatchNormBackend, communicator: MPICommunicator) async throws -> Double {
        let data = SeededBatch(shape: shape, seed: seed)
        let options = BatchNormOptions()
        if communicator.rank == 0 {
            StandardError.print("bn-sync: \(shape) on \(backend.name), its \(shape.n) rows split over \(communicator.size) ranks")
        }
        var running = data.running
        let step = try await synchronizedStep(backend, communicator: communicator, x: data.x, dy: data.dy, shape: shape,
                                              gamma: data.gamma, beta: data.beta, running: &running, options: options)
        let synchronized = StepComparison.Outputs(forward: step.forward, backward: step.backward, running: running)

        var wholeRunning = data.running
        let forward = try backend.forwardTraining(x: data.x, shape: shape, gamma: data.gamma, beta: data.beta,
                                                  running: &wholeRunning, options: options)
        let backward = try backend.backward(dy: data.dy, x: data.x, shape: shape, gamma: data.gamma,
                                            statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
        let reference = StepComparison.Outputs(forward: forward, backward: backward, running: wholeRunning)

        let elements = shape.slice(rows: shape.rows(ofPart: communicator.rank, of: communicator.size)).elements
        let mine = StepComparison.worst(synchronized, reference, scales: ComparisonScales(batch: data, reference: reference),
                                        elements: elements)
        if !(mine.error <= ErrorMetric.openCLTolerance) {
            StandardError.print("bn-sync rank \(communicator.rank): \(mine.output) differs by \(mine.error) at element \(mine.index.map(String.init) ?? "?") of this rank's values")
        }
        // Each rank's value at its own index, summed: every rank gets all of them, in the same bits.
        var spread = [Double](repeating: 0, count: communicator.size)
        spread[communicator.rank] = mine.error
        return try await communicator.allReduceSum(spread).max() ?? mine.error
    }
}
