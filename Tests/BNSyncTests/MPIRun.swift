import BNTestSupport
import Foundation
import Testing

extension ProductProcess {
    /// The example under test.
    static let sync = ProductProcess(name: "bn-sync")
}

/// Open MPI's launcher, found on PATH as a user's shell finds it.
enum MPIRun {
    /// `mpirun`'s path, or nil when no folder of PATH holds it.
    static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
        .split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun").path }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Whether the environment demands MPI (`BN_REQUIRE_MPI=1`, set by CI), so that a missing
    /// mpirun fails the suite instead of skipping its runs.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["BN_REQUIRE_MPI"] == "1" }

    /// Whether the runs under mpirun can happen: mpirun and bn-sync are both there.
    static var canRun: Bool { path != nil && ProductProcess.sync.executable != nil }

    /// Why the runs under mpirun are skipped, when they are.
    static let missingReason: Comment = "mpirun is not on PATH (apt-get install openmpi-bin libopenmpi-dev) or bn-sync is not built"

    /// The launcher's command for `ranks` processes: as root, Open MPI asks for --allow-run-as-root;
    /// with more ranks than cores, --oversubscribe.
    /// - Parameter ranks: The number of processes.
    /// - Returns: mpirun's path and its arguments before the program's.
    static func launcher(ranks: Int) -> [String] {
        [path ?? "mpirun", "-np", String(ranks), "--allow-run-as-root", "--oversubscribe"]
    }
}
