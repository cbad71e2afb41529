import BatchNorm
import BNTestSupport
import Foundation
import Testing

/// The kernels under Oclgrind, a simulated OpenCL device whose work-items interleave: a missing
/// barrier, a race on local memory, a read past a buffer's end or a barrier that only some
/// work-items reach, none of which PoCL (which runs a group's work-items one after another) can
/// show, are reported there. Oclgrind reports to a log file; the check fails on any line in it,
/// and on any result that differs from the CPU reference.
///
/// `BN_OCLGRIND_CHECK=1 swift test --skip-build --filter OclgrindCheckTests` runs it, each case (a
/// shape, on a device of 1 or of 132 compute units) in a process of its own, with the race, bounds,
/// uninitialized-value and API checks on. Oclgrind 21.10's uninitialized-value checker is wrong in
/// four ways, each shown with no project code by `.ci/oclgrind/shadow_state.c`, and the check keeps
/// out of their way without turning any report off:
/// - it gives a new buffer the shadow state of a released one (`reuse`): the check releases no
///   buffer, keeping every one it makes (``OclgrindRun/keep(_:)``) and sizing the backend's
///   workspace once (``OclgrindRun/reserveWorkspace()``), so that no pass grows it;
/// - it loses a host write at an offset of a buffer (`offset`), and a host write of a buffer's first
///   floats hides the rest (`prefix`): the check writes inputs at odd offsets of a caller's buffer by
///   one upload of the whole buffer;
/// - it crashes on a host write from a thread other than the context's (`thread`): the split phases'
///   two members run on one thread of their own (``ThreadExecutor``).
enum OclgrindCheck {
    /// The shapes: every traversal and plan at a few hundred to two thousand elements, which
    /// Oclgrind, an interpreter checking every access, runs in seconds. 7×7 and 9×9 planes leave a
    /// GPU's group room for plane lanes and end in a ragged vector tail; 32×33 and 3×135 have odd
    /// feature counts (scalar interleaved loads); 2×392 (98 vectors of 4) and 3×135 have more feature
    /// vectors than a group of 64; 3-D in both orders.
    static let cases: [TestCase] = [
        TestCase("planes 7×7", TensorShape(n: 3, c: 4, h: 7, w: 7)),
        TestCase("channels last 7×7", TensorShape(n: 3, c: 4, h: 7, w: 7, layout: .nhwc)),
        TestCase("planes 9×9", TensorShape(n: 3, c: 3, h: 9, w: 9)),
        TestCase("channels last 9×9", TensorShape(n: 3, c: 3, h: 9, w: 9, layout: .nhwc)),
        TestCase("planes 14×14", TensorShape(n: 2, c: 3, h: 14, w: 14)),
        TestCase("features 32×33", TensorShape(n: 32, c: 33)),
        TestCase("features 2×392", TensorShape(n: 2, c: 392)),
        TestCase("features 3×135", TensorShape(n: 3, c: 135)),
        TestCase("3-D", TensorShape(n: 2, c: 3, spatial: [3, 4, 5])),
        TestCase("3-D channels last", TensorShape(n: 2, c: 3, spatial: [3, 4, 5], layout: .nhwc)),
    ]

    /// The shape whose case also runs the activation's own kernels (`bn_activation.cl`): a flat
    /// walk whose only shape-dependent path is the tail past the last whole vector, which 3×135's 405
    /// values take. One case covers it: the kernels read no layout, mode or per-feature array.
    static let activationShape = TensorShape(n: 3, c: 135)

    /// Compute units the simulated device reports: one, as Oclgrind has, and an H200's 132 (with
    /// NVIDIA's 48 KiB of local memory and work-groups of up to 1024), under which the heuristic
    /// makes more chunks per feature and keeps a feature resident only where there are 132 of them.
    static let computeUnits = [1, 132]

    /// One setting the check runs every pass under; nil settings are the device's own heuristic.
    struct Plan: CustomStringConvertible {
        var label: String
        var settings: LaunchSettings?
        var description: String { settings.map { "\(label) (\($0))" } ?? label }
    }

    /// The device's own heuristic first. On one compute unit, then, a GPU's settings and one knob at
    /// a time moved to where a GPU's tuner may put it: groups of 64 and of 16 work-items (more lanes
    /// along short planes and rows), chunks of 16 values (several chunks per feature and their merge
    /// lanes), resident features, scalar and 16-wide vectors; and a CPU's heuristic (one work-item
    /// per group, spans of 4 feature vectors). On an H200's 132, where what differs is how many
    /// chunks the heuristic makes and which features it keeps resident, the GPU settings with small
    /// chunks and with resident features.
    static func plans(computeUnits: Int) -> [Plan] {
        let gpu = LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 65_536, elementwiseColumns: 256,
                                 valuesPerElementwiseItem: 16, residentFeatureBytes: 0)
        func moved(_ label: String, _ change: (inout LaunchSettings) -> Void) -> Plan {
            var settings = gpu
            change(&settings)
            return Plan(label: label, settings: settings)
        }
        let heuristic = Plan(label: "the device's heuristic", settings: nil)
        let chunks = moved("chunks of 16 values") { $0.valuesPerChunk = 16 }
        let resident = moved("resident up to 32 KiB") { $0.residentFeatureBytes = 32 << 10 }
        guard computeUnits == 1 else { return [heuristic, chunks, resident] }
        return [
            heuristic,
            Plan(label: "GPU settings", settings: gpu),
            moved("groups of 64") { $0.reductionGroupSize = 64; $0.elementwiseColumns = 64 },
            moved("groups of 16") { $0.reductionGroupSize = 16; $0.elementwiseColumns = 16; $0.valuesPerElementwiseItem = 4 },
            chunks,
            resident,
            moved("resident, chunks of 16 values") { $0.residentFeatureBytes = 32 << 10; $0.valuesPerChunk = 16 },
            moved("scalar loads") { $0.vectorWidth = 1 },
            moved("16-wide loads") { $0.vectorWidth = 16; $0.reductionGroupSize = 64 },
            Plan(label: "CPU heuristic", settings: LaunchSettings(
                vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16_384, elementwiseColumns: 1,
                valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10, interleavedSpan: 4)),
        ]
    }

    /// The compute units the child's simulated device reports (`OCLGRIND_COMPUTE_UNITS`).
    static var requestedComputeUnits: Int {
        ProcessInfo.processInfo.environment["OCLGRIND_COMPUTE_UNITS"].flatMap(Int.init) ?? 1
    }

    /// The case a child process runs (`BN_OCLGRIND_CASE`, an index into ``cases``).
    static var requestedCase: TestCase? {
        ProcessInfo.processInfo.environment["BN_OCLGRIND_CASE"].flatMap(Int.init).flatMap { cases.indices.contains($0) ? cases[$0] : nil }
    }

    /// Whether the driver runs (`BN_OCLGRIND_CHECK=1`) and Oclgrind is installed.
    static var isRequested: Bool {
        ProcessInfo.processInfo.environment["BN_OCLGRIND_CHECK"] == "1"
    }

    /// The loader file that lists Oclgrind alone, so that a child sees no other device whatever
    /// the machine has registered.
    static let vendorFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.ci/oclgrind/oclgrind.icd").standardized.path

    /// The runtime that file names: Debian's `oclgrind` package.
    static let runtime = "/usr/lib/oclgrind/liboclgrind-rt-icd.so"
}

/// The driver: each case in a fresh process, with every Oclgrind check on.
@Suite("Every kernel under Oclgrind, checked for races, bounds and uninitialized reads",
       .enabled(if: OclgrindCheck.isRequested))
struct OclgrindCheckTests {
    @Test("Oclgrind is installed where the check is asked for")
    func installed() {
        #expect(FileManager.default.fileExists(atPath: OclgrindCheck.runtime),
                "BN_OCLGRIND_CHECK=1 but \(OclgrindCheck.runtime) is missing; apt-get install oclgrind")
    }

    @Test("each case in a process of its own: no diagnostic, every result the CPU reference's",
          arguments: OclgrindCheck.computeUnits, OclgrindCheck.cases.indices)
    func eachCase(computeUnits: Int, index: Int) throws {
        let folder = try TemporaryFolder()
        let log = folder.path("oclgrind.log"), plans = folder.path("plans.txt")
        let started = Date()
        let outcome = try ProductProcess(name: "BatchNormPackageTests.xctest").run(
            ["--testing-library", "swift-testing", "--filter", "OclgrindCaseTests"],
            environment: [
                "BN_OCLGRIND_CHECK": nil, "BN_OCLGRIND_CASE": "\(index)", "BN_OCLGRIND_PLANS": plans,
                "OCL_ICD_VENDORS": OclgrindCheck.vendorFile, "BN_OPENCL_DEVICE": "Oclgrind",
                "OCLGRIND_DATA_RACES": "1", "OCLGRIND_UNINITIALIZED": "1", "OCLGRIND_CHECK_API": "1",
                // its optimizer emits intrinsics its interpreter cannot run (llvm.usub.sat.i32,
                // llvm.experimental.noalias.scope.decl): the kernels are checked unoptimized
                "OCLGRIND_BUILD_OPTIONS": "-cl-opt-disable",
                "OCLGRIND_LOG": log, "OCLGRIND_NUM_THREADS": "1",
                "OCLGRIND_COMPUTE_UNITS": "\(computeUnits)",
                "OCLGRIND_LOCAL_MEM_SIZE": computeUnits > 1 ? "\(48 << 10)" : nil,
                "OCLGRIND_MAX_WGSIZE": computeUnits > 1 ? "1024" : nil,
            ],
            timeLimit: 1200)
        let label = "\(OclgrindCheck.cases[index]) on \(computeUnits) compute units"
        #expect(outcome.status == 0, "\(label): \(outcome)\n\(outcome.standardOutput.suffix(4000))")
        let diagnostics = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(diagnostics.isEmpty, "Oclgrind reported on \(label):\n\(diagnostics.prefix(6000))")
        let ran = (try? String(contentsOfFile: plans, encoding: .utf8)) ?? ""
        let variants = Set(ran.split(separator: "\n"))
        #expect(!variants.isEmpty, "\(label) ran no plan")
        print("Oclgrind check: \(label): \(variants.count) plans in \(Int(Date().timeIntervalSince(started))) s: "
              + variants.sorted().joined(separator: "; "))
    }
}
