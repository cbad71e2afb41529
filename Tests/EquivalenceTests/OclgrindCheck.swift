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
/// `BN_OCLGRIND_CHECK=1 swift test --skip-build --filter OclgrindCheckTests` runs it: each case
/// (a shape, on a device of 1 or of 132 compute units) in a process of its own, since Oclgrind
/// 21.10 has been seen to carry the shadow state of a released buffer over to the next buffer it
/// allocates and then report false uninitialized reads; within a process the storage, fusion,
/// in-place and offset checks keep every buffer they make alive (the f32 plan sweep, through the
/// array forms, does not yet).
///
/// State: on Oclgrind 21.10 the check does not pass yet. Its log holds "Controlflow depends on
/// uninitialized value" reports in `bn_stats_merge` (case 0, one compute unit), not yet told apart
/// from Oclgrind's own bookkeeping, and the two-member split-phase step, which runs on two threads,
/// has crashed Oclgrind's runtime; it runs only with `BN_OCLGRIND_SPLIT=1`.
enum OclgrindCheck {
    /// The shapes: every traversal and plan at a few thousand elements, which Oclgrind, an
    /// interpreter, runs in seconds. 7×7 and 9×9 planes leave a GPU's group room for plane lanes and
    /// end in a ragged vector tail; 64×33 and 3×405 have odd feature counts (scalar interleaved
    /// loads); 3×1100 and 4×392 have more feature vectors than a group; 3-D in both orders.
    static let cases: [TestCase] = [
        TestCase("planes 7×7", TensorShape(n: 4, c: 8, h: 7, w: 7)),
        TestCase("channels last 7×7", TensorShape(n: 4, c: 8, h: 7, w: 7, layout: .nhwc)),
        TestCase("planes 9×9", TensorShape(n: 3, c: 5, h: 9, w: 9)),
        TestCase("channels last 9×9", TensorShape(n: 3, c: 5, h: 9, w: 9, layout: .nhwc)),
        TestCase("planes 14×14", TensorShape(n: 2, c: 16, h: 14, w: 14)),
        TestCase("features 64×33", TensorShape(n: 64, c: 33)),
        TestCase("features 3×1100", TensorShape(n: 3, c: 1100)),
        TestCase("features 4×392", TensorShape(n: 4, c: 392)),
        TestCase("features 3×405", TensorShape(n: 3, c: 405)),
        TestCase("3-D", TensorShape(n: 2, c: 3, spatial: [3, 4, 5])),
        TestCase("3-D channels last", TensorShape(n: 2, c: 3, spatial: [3, 4, 5], layout: .nhwc)),
    ]

    /// Compute units the simulated device reports: one, as Oclgrind has, and an H200's 132 (with
    /// NVIDIA's 48 KiB of local memory and work-groups of up to 1024), under which the heuristic
    /// makes more chunks per feature and keeps a feature resident only where there are 132 of them.
    static let computeUnits = [1, 132]

    /// One setting the check runs every pass under.
    struct Plan: CustomStringConvertible {
        var label: String
        var settings: LaunchSettings
        var description: String { "\(label) (\(settings))" }
    }

    /// A GPU's heuristic, then one knob at a time moved to where a GPU's tuner may put it: groups
    /// of 64 and of 16 work-items (more lanes along short planes and rows), chunks of 64 values
    /// (several chunks per feature and their merge lanes), resident features, scalar and 16-wide
    /// vectors; and a CPU's heuristic (one work-item per group, spans of 4 feature vectors).
    static func plans() -> [Plan] {
        let gpu = LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 65_536, elementwiseColumns: 256,
                                 valuesPerElementwiseItem: 16, residentFeatureBytes: 0)
        func moved(_ label: String, _ change: (inout LaunchSettings) -> Void) -> Plan {
            var settings = gpu
            change(&settings)
            return Plan(label: label, settings: settings)
        }
        return [
            Plan(label: "GPU heuristic", settings: gpu),
            moved("groups of 64") { $0.reductionGroupSize = 64; $0.elementwiseColumns = 64 },
            moved("groups of 16") { $0.reductionGroupSize = 16; $0.elementwiseColumns = 16; $0.valuesPerElementwiseItem = 4 },
            moved("chunks of 64 values") { $0.valuesPerChunk = 64 },
            moved("resident up to 32 KiB") { $0.residentFeatureBytes = 32 << 10 },
            moved("resident, chunks of 64 values") { $0.residentFeatureBytes = 32 << 10; $0.valuesPerChunk = 64 },
            moved("scalar loads") { $0.vectorWidth = 1 },
            moved("16-wide loads") { $0.vectorWidth = 16; $0.reductionGroupSize = 64 },
            Plan(label: "CPU heuristic", settings: LaunchSettings(
                vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16_384, elementwiseColumns: 1,
                valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10, interleavedSpan: 4)),
        ]
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
