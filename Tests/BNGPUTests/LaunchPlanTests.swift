import BNCore
@testable import BNGPU
import Testing

/// Launch planning is host logic: it is checked here without a device, over device limits like
/// PoCL's, an H100's and the smallest a driver may report.
@Suite("Launch plans")
struct LaunchPlanTests {
    static let devices: [LaunchLimits] = [
        LaunchLimits(computeUnits: 2, reductionWorkGroupSize: 4096, elementwiseWorkGroupSize: 4096, preferredMultiple: 8),
        LaunchLimits(computeUnits: 132, reductionWorkGroupSize: 1024, elementwiseWorkGroupSize: 1024, preferredMultiple: 32),
        LaunchLimits(computeUnits: 1, reductionWorkGroupSize: 64, elementwiseWorkGroupSize: 48, preferredMultiple: 1),
    ]

    static let shapes: [(TensorShape, NormalizationMode)] = [
        (TensorShape(n: 32, c: 256, h: 56, w: 56), .spatial),
        (TensorShape(n: 32, c: 256, h: 56, w: 56, layout: .nhwc), .spatial),
        (TensorShape(n: 3, c: 5, h: 31, w: 37), .spatial),
        (TensorShape(n: 16, c: 1, h: 256, w: 256), .spatial),
        (TensorShape(n: 16, c: 8, h: 1, w: 1), .spatial),
        (TensorShape(n: 2, c: 7), .spatial),
        (TensorShape(n: 60, c: 100), .spatial),
        (TensorShape(n: 4, c: 2048, h: 3, w: 3), .perActivation),
        (TensorShape(n: 65536, c: 256), .spatial),
        (TensorShape(n: 32, c: 2048, h: 7, w: 7), .spatial),
        (TensorShape(n: 2, c: 70000, h: 1, w: 2), .spatial),
        (TensorShape(n: 70000, c: 2, h: 1, w: 2), .spatial),
        (TensorShape(n: 256, c: 2048, h: 7, w: 7), .spatial),
        (TensorShape(n: 1 << 22, c: 4), .spatial),
    ]

    @Test("chunks cover every value once, ranges fit the limits", arguments: devices)
    func coverage(limits: LaunchLimits) throws {
        for (shape, mode) in Self.shapes {
            let geometry = try FeatureGeometry(shape: shape, mode: mode)
            let plan = LaunchPlan(geometry: geometry, limits: limits,
                                  variant: LaunchPlan.variant(for: geometry, forcesWideIndices: false))
            let label = "\(shape) \(mode) on \(limits)"
            #expect(plan.traversal == (geometry.inner > 1 ? .planar : .interleaved), "\(label)")
            let extent = plan.traversal == .planar ? geometry.valuesPerFeature : geometry.outer
            let step = plan.traversal == .planar ? plan.reduction.local[0] : plan.reduction.local[1]
            #expect(plan.chunks * plan.chunkLength >= extent && (plan.chunks - 1) * plan.chunkLength < extent, "\(label)")
            #expect(plan.chunkLength % step == 0 && plan.chunks <= LaunchHeuristics.maximumChunks, "\(label)")
            for range in [plan.reduction, plan.elementwise, plan.perFeature] {
                #expect(zip(range.global, range.local).allSatisfy { $0 % $1 == 0 && $0 > 0 }, "\(label): \(range)")
            }
            #expect(plan.reduction.groupSize <= limits.reductionWorkGroupSize, "\(label)")
            #expect(plan.elementwise.groupSize <= limits.elementwiseWorkGroupSize, "\(label)")
            #expect(plan.perFeature.groupSize <= limits.elementwiseWorkGroupSize, "\(label)")
            // The tree reduction halves rows: the reduced dimension is a power of two.
            let rows = plan.traversal == .planar ? plan.reduction.local[0] : plan.reduction.local[1]
            #expect(rows & (rows - 1) == 0, "\(label)")
            #expect(plan.perFeature.global[0] >= geometry.features, "\(label)")
            if plan.traversal == .interleaved {
                #expect(plan.reduction.global[0] >= geometry.features && plan.elementwise.global[0] >= geometry.features, "\(label)")
            }
            for range in [plan.reduction, plan.elementwise] {
                for dimension in range.global.indices.dropFirst() {
                    #expect(range.global[dimension] / range.local[dimension] <= LaunchHeuristics.maximumGroupsInHigherDimensions,
                            "\(label): \(range)")
                }
            }
            if plan.traversal == .planar {
                // Exact ranges unless the variant skips the excess.
                let features = plan.reduction.global.dropFirst().reduce(1, *)
                let planes = plan.elementwise.global.dropFirst().reduce(1, *)
                if plan.variant.checksRange {
                    #expect(features >= geometry.features && planes >= geometry.outer * geometry.features, "\(label)")
                } else {
                    #expect(features == geometry.features && planes == geometry.outer * geometry.features, "\(label)")
                }
            }
        }
    }

    @Test("large features split over several work-groups on a large device")
    func splitting() throws {
        let geometry = try FeatureGeometry(shape: TensorShape(n: 16, c: 1, h: 256, w: 256), mode: .spatial)
        let plan = LaunchPlan(geometry: geometry, limits: Self.devices[1], variant: KernelVariant(indexWidth: .narrow))
        #expect(plan.chunks > 100)
        #expect(plan.name.hasPrefix("planar 256×1 chunks"))
    }

    @Test("ranges are exact where two dimensions of 65535 groups hold the planes, range-checked beyond")
    func rangeCheck() throws {
        func variant(_ shape: TensorShape) throws -> KernelVariant {
            LaunchPlan.variant(for: try FeatureGeometry(shape: shape, mode: .spatial), forcesWideIndices: false)
        }
        #expect(try !variant(TensorShape(n: 32, c: 2048, h: 7, w: 7)).checksRange)
        #expect(try !variant(TensorShape(n: 256, c: 2048, h: 7, w: 7)).checksRange)
        #expect(try !variant(TensorShape(n: 100_000, c: 4)).checksRange)
        #expect(try variant(TensorShape(n: 2, c: 70000, h: 1, w: 2)).checksRange)
        #expect(try variant(TensorShape(n: 70000, c: 2, h: 1, w: 2)).checksRange)
    }

    @Test("the index width follows the element count")
    func indexWidth() throws {
        let small = try FeatureGeometry(shape: TensorShape(n: 4, c: 4), mode: .spatial)
        let large = try FeatureGeometry(shape: TensorShape(n: 1 << 20, c: 1 << 11), mode: .spatial)
        #expect(LaunchPlan.variant(for: small, forcesWideIndices: false).indexWidth == .narrow)
        #expect(LaunchPlan.variant(for: small, forcesWideIndices: true).indexWidth == .wide)
        #expect(LaunchPlan.variant(for: large, forcesWideIndices: false).indexWidth == .wide)
    }

    @Test("powers of two round as documented")
    func powersOfTwo() {
        #expect([0, 1, 2, 3, 255, 256, 257].map(LaunchPlan.powerOfTwo(atMost:)) == [1, 1, 2, 2, 128, 256, 256])
        #expect([0, 1, 2, 3, 255, 256, 257].map(LaunchPlan.powerOfTwo(atLeast:)) == [1, 1, 2, 4, 256, 256, 512])
    }
}
