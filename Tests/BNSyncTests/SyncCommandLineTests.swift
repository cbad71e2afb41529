import BNCore
import BNTestSupport
import Foundation
import Testing

/// bn-sync run as a user runs it, under `mpirun -np R`: its one line on standard output, its exit
/// status, and its messages for bad arguments.
@Suite("bn-sync under mpirun", .enabled(if: MPIRun.canRun, MPIRun.missingReason))
struct SyncCommandLineTests {
    /// The ranks and the value of the result line, when `line` has its exact form.
    static func parse(_ line: Substring) -> (ranks: Int, difference: Double)? {
        guard let match = line.wholeMatch(of: #/bn-sync: (\d+) ranks, max relative difference vs one process: (\S+)/#),
              let ranks = Int(match.1), let difference = Double(match.2) else { return nil }
        return (ranks, difference)
    }

    @Test("ranks that split a batch agree with one process on it, and rank 0 alone prints the line", arguments: [
        (2, [String]()),
        (4, ["--backend", "cpu", "--layout", "nhwc"]),
        // Rank 0 holds no rows (3 ranks, 2 rows): it takes part with count 0.
        (3, ["--batch", "2"]),
        // Ranks 0 and 2 hold none; two values per channel, where dx is all cancellation.
        (4, ["--batch", "2", "--height", "1", "--width", "1", "--seed", "5"]),
    ])
    func agreement(ranks: Int, arguments: [String]) throws {
        let outcome = try ProductProcess.sync.run(arguments, launcher: MPIRun.launcher(ranks: ranks), timeLimit: 300)
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.standardOutput)")
        let result = try #require(lines.first.flatMap(Self.parse), "\(outcome.standardOutput)")
        #expect(result.ranks == ranks)
        #expect(result.difference >= 0 && result.difference <= ErrorMetric.openCLTolerance)
    }

    @Test("without mpirun it runs as a group of one")
    func singleton() throws {
        let outcome = try ProductProcess.sync.run(["--backend", "cpu", "--batch", "3"], timeLimit: 120)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(Self.parse(outcome.standardOutput.dropLast())?.ranks == 1, "\(outcome.standardOutput)")
    }

    @Test("a rank that fails ends every rank, with its error, instead of leaving them waiting")
    func failureEndsTheGroup() throws {
        let outcome = try ProductProcess.sync.run(["--backend", "opencl"], launcher: MPIRun.launcher(ranks: 2),
                                                  environment: ["BN_OPENCL_DEVICE": "no-such-device"], timeLimit: 120)
        #expect(outcome.status != 0, "\(outcome)")
        #expect(outcome.standardError.contains("no OpenCL device matches \"no-such-device\""), "\(outcome)")
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("bad arguments exit 64 with a message that names the option", arguments: [
        (["--batch", "0"], "--batch must be at least 1"),
        (["--width=-2"], "--width must be at least 1"),
        (["--batch", "1", "--height", "1", "--width", "1"], "must be at least 2: training needs two values per channel"),
        (["--batch", "100000", "--channels", "1000"], "may hold at most 67108864 values"),
        (["--backend", "metal"], "metal"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let outcome = try ProductProcess.sync.run(arguments, launcher: MPIRun.launcher(ranks: 2))
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.standardError.contains(message), "\(outcome)")
        #expect(!outcome.crashed)
    }
}

/// CI sets BN_REQUIRE_MPI=1: there, a missing mpirun is a failure, not a skip.
@Suite("MPI where CI requires it")
struct RequiredMPITests {
    @Test("mpirun and bn-sync are there", .enabled(if: MPIRun.isRequired))
    func required() {
        #expect(MPIRun.path != nil, "BN_REQUIRE_MPI=1 but mpirun is not on PATH; apt-get install openmpi-bin libopenmpi-dev")
        #expect(ProductProcess.sync.executable != nil, ProductProcess.sync.missingReason)
    }
}
