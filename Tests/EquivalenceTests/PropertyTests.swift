import BatchNorm
import BNTestSupport
import PropertyBased
import Testing

/// Every backend against float64 on random cases: shapes of rank 2 to 5 with odd extents, both
/// layouts, both modes, every option (ε, momentum or a cumulative average, either convention,
/// either stored variance) and data far from zero or tightly spread. A failing case is shrunk to the
/// smallest one that still fails and reported with the seed that reproduces it.
@Suite("Random cases: every backend agrees with float64")
struct PropertyTests {
    /// N in 1…9, C in 1…33, 0 to 3 spatial dimensions of 1…7, channels first or last.
    static let shapes = zip(Gen.int(in: 1...9), Gen.int(in: 1...33), Gen.int(in: 0...3),
                            Gen.int(in: 1...7).array(of: 3...3), Gen.bool)
        .map { drawn -> TensorShape in
            let (n, c, rank, extents, isChannelsLast) = drawn
            guard rank > 0 else { return TensorShape(n: n, c: c) }
            return TensorShape(n: n, c: c, spatial: Array(extents.prefix(rank)), layout: isChannelsLast ? .nhwc : .nchw)
        }

    /// Every option, with values at and inside the ends of their ranges.
    static let options = zip(Gen.element(of: [Float(1e-5), 1e-3, 0.1, 2]),
                             Gen.element(of: [Float?.none, 0, 0.1, 0.9, 1]), Gen.bool,
                             Gen<MomentumConvention>.case, Gen<NormalizationMode>.case)
        .map { drawn -> BatchNormOptions in
            let (epsilon, momentum, isUnbiased, convention, mode) = drawn
            // `element(of:)` draws an optional, nil only for an empty collection.
            var options = BatchNormOptions(epsilon: epsilon ?? 1e-5, momentum: momentum ?? nil,
                                           unbiasedRunningVariance: isUnbiased, mode: mode)
            options.convention = convention
            return options
        }

    /// Data near zero, far from it, or tightly spread.
    static let profiles = Gen.element(of: [TestCase.Profile.standard, .offset(mean: 100, spread: 0.01),
                                           .offset(mean: -1000, spread: 1), .offset(mean: 0, spread: 1e-3)])

    @Test("every pass on random shapes, layouts, modes, options and data")
    func everyPass() async throws {
        let backends = try BackendKind.available.map(PassChecks.init)
        await propertyCheck(count: 60, input: Self.shapes, Self.options, Self.profiles, Gen.uint64()) {
            shape, options, profile, seed in
            let testCase = TestCase("random", shape, profile: profile ?? .standard)
            for checks in backends {
                try checks.everyPass(testCase: testCase, mode: options.mode, options: options, seed: seed)
            }
        }
    }
}
