import BatchNorm
import BNTestSupport
import Testing

/// Every launch setting `bn-gpu-bench tune` can pick gives float64's results within OpenCL's tolerance: each candidate
/// value of each knob on its own (the tuner moves one knob at a time), and seeded mixtures of them,
/// over shapes that reach every kernel path (planar with a ragged vector tail, several chunks,
/// resident features, interleaved widths 4, 8 and 16 with spans up to 16, per-activation). Each setting runs on its own
/// backend, so the override never reaches other suites.
@Suite("Every tunable launch setting agrees with float64", .enabled(if: TestBackends.hasOpenCLDevice))
struct TuningVariantTests {
    static let cases: [TestCase] = [
        TestCase("ragged planes, several chunks", TensorShape(n: 40, c: 3, h: 7, w: 7)),
        TestCase("many planes", TensorShape(n: 64, c: 8, h: 16, w: 16)),
        TestCase("interleaved ×4", TensorShape(n: 60, c: 100)),
        TestCase("interleaved ×8", TensorShape(n: 8, c: 24, h: 9, w: 9, layout: .nhwc)),
        TestCase("interleaved ×16", TensorShape(n: 300, c: 48)),
        TestCase("interleaved ×16, 16 vectors a row", TensorShape(n: 40, c: 256)),
    ]

    /// The planar heuristic with one knob moved to each of its candidates, the interleaved heuristic
    /// (the widest span, larger chunks) and the widest span without residency, then mixtures drawn by a seeded
    /// generator from all the candidates at once; and the same single moves from a GPU's heuristic
    /// among a GPU's candidates (groups of up to 256 work-items, several merge lanes), which this
    /// device runs too, so that the settings a GPU's tuner picks are checked where CI runs.
    static func settings() throws -> [LaunchSettings] {
        let device = try TestBackends.openCL().device
        var gpu = device
        gpu.type = .gpu
        let start = LaunchSettings.heuristic(for: device, traversal: .planar)
        var all = [device, gpu].flatMap { info in
            LaunchSettingsKnob.allCases.flatMap { knob in
                knob.candidates(for: info).map { knob.setting($0, in: LaunchSettings.heuristic(for: info, traversal: .planar)) }
            }
        }
        all.append(LaunchSettings.heuristic(for: device, traversal: .interleaved))
        // The widest span with residency off: a resident plan narrows the span until each compute
        // unit gets a work-item, so the single move to span 16 runs span 8 on these small cases.
        var wide = start
        (wide.interleavedSpan, wide.residentFeatureBytes) = (16, 0)
        all.append(wide)
        var generator = SeededGenerator(seed: 2015)
        for _ in 0..<6 {
            all.append(LaunchSettingsKnob.allCases.reduce(start) { settings, knob in
                knob.setting(knob.candidates(for: device).randomElement(using: &generator)!, in: settings)
            })
        }
        return Array(Set(all)).sorted { $0.description < $1.description }
    }

    @Test("all passes, under each setting", arguments: try settings())
    func everySetting(settings: LaunchSettings) throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        try backend.overrideLaunchSettings(settings)
        let checks = PassChecks(openCL: backend)
        for testCase in Self.cases {
            for mode in NormalizationMode.allCases {
                try checks.everyPass(testCase: testCase, mode: mode)
            }
        }
    }

    @Test("the cases reach every traversal, width and residency the candidates allow")
    func coverage() throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        var names = Set<String>()
        for settings in try Self.settings() {
            try backend.overrideLaunchSettings(settings)
            for testCase in Self.cases {
                names.insert(try backend.kernelVariant(for: testCase.shape, options: BatchNormOptions()))
            }
        }
        for fragment in ["planar ×16", "planar ×1 ", "interleaved ×4", "interleaved ×8", "interleaved ×16",
                         "resident", "chunks", "group 16", "group 256", "span 4", "span 16"] {
            #expect(names.contains { $0.contains(fragment) }, "no case runs a \(fragment) plan: \(names.sorted())")
        }
        for traversal in ["planar", "interleaved"] {
            #expect(names.contains { $0.hasPrefix(traversal) && $0.contains("resident") }, "no \(traversal) resident plan: \(names.sorted())")
        }
    }
}
