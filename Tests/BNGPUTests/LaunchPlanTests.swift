import BNCore
@testable import BNGPU
import Testing

/// Launch planning is host logic: it is checked here without a device, over limits like PoCL's,
/// an H100's and the smallest a driver may report, and over each kind of device's settings.
@Suite("Launch plans")
struct LaunchPlanTests {
    static let devices: [LaunchLimits] = [
        LaunchLimits(computeUnits: 2, maxWorkGroupSize: 4096),
        LaunchLimits(computeUnits: 132, maxWorkGroupSize: 1024),
        LaunchLimits(computeUnits: 1, maxWorkGroupSize: 48),
    ]

    static let settings: [LaunchSettings] = [
        LaunchSettings(vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16_384, elementwiseColumns: 1,
                       valuesPerElementwiseItem: 16_384, residentFeatureBytes: 512 << 10, interleavedSpan: 4),
        LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 65_536, elementwiseColumns: 256,
                       valuesPerElementwiseItem: 16, residentFeatureBytes: 0),
        LaunchSettings(vectorWidth: 1, reductionGroupSize: 8, valuesPerChunk: 1, elementwiseColumns: 2,
                       valuesPerElementwiseItem: 1, residentFeatureBytes: 1 << 30, interleavedSpan: 16),
        // The largest values a table or --settings accepts: planning must neither overflow nor exceed a limit.
        LaunchSettings(vectorWidth: 16, reductionGroupSize: 1 << 62, valuesPerChunk: LaunchSettings.maximumCount,
                       elementwiseColumns: 1 << 62, valuesPerElementwiseItem: LaunchSettings.maximumCount,
                       residentFeatureBytes: LaunchSettings.maximumCount, interleavedSpan: 16),
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

    @Test("chunks and blocks cover every value once, ranges fit the limits", arguments: devices, settings)
    func coverage(limits: LaunchLimits, settings: LaunchSettings) throws {
        for (shape, mode) in Self.shapes {
            let geometry = try FeatureGeometry(shape: shape, mode: mode)
            let plan = LaunchPlan(geometry: geometry, settings: settings, limits: limits, forcesWideIndices: false)
            let label = "\(shape) \(mode) on \(limits) with \(settings)"
            #expect(plan.traversal == (geometry.inner > 1 ? .planar : .interleaved), "\(label)")
            // Chunks: whole planes (planar) or rows (interleaved), the last one not empty.
            #expect(plan.chunks * plan.chunkLength >= geometry.outer && (plan.chunks - 1) * plan.chunkLength < geometry.outer, "\(label)")
            #expect(plan.chunks <= LaunchHeuristics.maximumChunks, "\(label)")
            #expect(!plan.isResident || plan.chunks == 1, "\(label)")
            if plan.isResident && plan.traversal == .interleaved {
                // the whole tensor fits the budget, and every compute unit gets a group
                #expect(geometry.elementCount * 4 <= settings.residentFeatureBytes, "\(label)")
                #expect(plan.reduction.global[0] / plan.reduction.local[0] >= limits.computeUnits, "\(label)")
            }
            // Vector widths: interleaved ones divide the feature count.
            #expect(KernelVariant.vectorWidths.contains(plan.variant.vectorWidth), "\(label)")
            #expect(plan.variant.vectorWidth <= settings.vectorWidth, "\(label)")
            if plan.traversal == .interleaved {
                #expect(geometry.features % plan.variant.vectorWidth == 0, "\(label)")
                let vectors = geometry.features / plan.variant.vectorWidth
                #expect(vectors % plan.variant.span == 0 && plan.variant.span <= settings.interleavedSpan, "\(label)")
                #expect(plan.reduction.global[0] >= vectors / plan.variant.span && plan.reduction.global[1] == plan.chunks * plan.reduction.local[1], "\(label)")
                #expect(plan.reduction.local[1] <= plan.chunkLength, "\(label)")
            } else {
                #expect(plan.reduction.global[0] == plan.chunks * plan.reduction.local[0], "\(label)")
                #expect(plan.reduction.global.dropFirst().reduce(1, *) >= geometry.features, "\(label)")
            }
            // Elementwise blocks cover every plane (planar) or row (interleaved).
            let blocks = zip(plan.elementwise.global, plan.elementwise.local).dropFirst().reduce(1) { $0 * $1.0 / $1.1 }
            let units = plan.traversal == .planar ? geometry.outer * geometry.features : geometry.outer
            #expect(blocks * plan.blockLength >= units, "\(label)")
            for range in [plan.reduction, plan.elementwise, plan.perFeature, plan.merge] {
                #expect(zip(range.global, range.local).allSatisfy { $0 % $1 == 0 && $0 > 0 }, "\(label): \(range)")
                #expect(range.groupSize <= limits.maxWorkGroupSize, "\(label): \(range)")
                // Tree reductions halve the group: its size is a power of two.
                #expect(range.local[0] & (range.local[0] - 1) == 0, "\(label): \(range)")
                for dimension in range.global.indices.dropFirst() {
                    #expect(range.global[dimension] / range.local[dimension] <= LaunchHeuristics.maximumGroupsInHigherDimensions,
                            "\(label): \(range)")
                }
            }
            #expect(plan.perFeature.global[0] >= geometry.features, "\(label)")
            // Merge rows cover every feature; lanes never outnumber the chunks' power of two.
            #expect(plan.merge.global.dropFirst().reduce(1, *) >= geometry.features, "\(label): \(plan.merge)")
            #expect(plan.merge.global[0] == plan.merge.local[0], "\(label): \(plan.merge)")
            #expect(plan.merge.local[0] <= LaunchPlan.powerOfTwo(atLeast: plan.chunks), "\(label): \(plan.merge)")
        }
    }

    @Test("short planes on a GPU fill a group with plane lanes, in the reductions and the elementwise kernels")
    func planeLanes() throws {
        let geometry = try FeatureGeometry(shape: TensorShape(n: 32, c: 2048, h: 7, w: 7), mode: .spatial)
        let gpu = LaunchPlan(geometry: geometry, settings: Self.settings[1], limits: Self.devices[1], forcesWideIndices: false)
        // 7×7 planes are 12 float4 vectors: 16 work-items along a plane, 16 planes side by side.
        #expect(gpu.reduction.local == [16, 16] && gpu.elementwise.local == [16, 16])
        #expect(gpu.name == "planar ×4 group 16 × 16 planes, 1 chunk, 32-bit")
        // Each group of 256 work-items takes 83 planes, about 16 values a work-item.
        #expect(gpu.blockLength == 83)
        let big = LaunchPlan(geometry: try FeatureGeometry(shape: TensorShape(n: 32, c: 64, h: 112, w: 112), mode: .spatial),
                             settings: Self.settings[1], limits: Self.devices[1], forcesWideIndices: false)
        #expect(big.reduction.local == [256, 1] && big.elementwise.local == [256, 1])
        let cpu = LaunchPlan(geometry: geometry, settings: Self.settings[0], limits: Self.devices[0], forcesWideIndices: false)
        #expect(cpu.reduction.local == [1, 1] && cpu.elementwise.local == [1, 1])
    }

    @Test("merges and interleaved reductions read with the reduction's work-items side by side on a GPU, one on a CPU")
    func mergeLanes() throws {
        let shape = TensorShape(n: 32, c: 256, h: 56, w: 56, layout: .nhwc)
        let geometry = try FeatureGeometry(shape: shape, mode: .spatial)
        let gpu = LaunchPlan(geometry: geometry, settings: Self.settings[1], limits: Self.devices[1], forcesWideIndices: false)
        #expect(gpu.chunks > 256)
        #expect(gpu.merge.local == [256, 1])
        #expect(gpu.merge.global == [256, 256])
        let cpu = LaunchPlan(geometry: geometry, settings: Self.settings[0], limits: Self.devices[0], forcesWideIndices: false)
        #expect(cpu.merge.local == [1, 256])
        // The GPU's 64 feature vectors leave room for 4 row lanes in a group of 256; a CPU's group is one work-item.
        #expect(gpu.reduction.local == [64, 4] && gpu.name.hasPrefix("interleaved ×4 group 64 × 4 rows, "))
        #expect(cpu.reduction.local == [1, 1])
        // 70000 features with 256 lanes would need 70000 groups in dimension 1: they go on in dimension 2.
        let wide = LaunchPlan.merge(features: 70000, chunks: 1000, settings: Self.settings[1], groupLimit: 256)
        #expect(wide.local == [256, 1, 1] && wide.global == [256, 65535, 2])
    }

    @Test("a feature that fits the resident budget is handled by one work-group, when every compute unit gets one")
    func residency() throws {
        let cpu = Self.settings[0]
        func plan(_ shape: TensorShape) throws -> LaunchPlan {
            LaunchPlan(geometry: try FeatureGeometry(shape: shape, mode: .spatial), settings: cpu,
                       limits: Self.devices[0], forcesWideIndices: false)
        }
        #expect(try plan(TensorShape(n: 32, c: 256, h: 56, w: 56)).isResident) // 392 KiB per feature
        #expect(try !plan(TensorShape(n: 32, c: 64, h: 112, w: 112)).isResident) // 1.5 MiB per feature
        #expect(try plan(TensorShape(n: 32, c: 4, h: 56, w: 56)).isResident) // a feature for each compute unit
        #expect(try !plan(TensorShape(n: 32, c: 1, h: 56, w: 56)).isResident) // one feature would leave a unit idle
        #expect(try plan(TensorShape(n: 32, c: 64, h: 112, w: 112)).chunks > 1)
        #expect(try plan(TensorShape(n: 32, c: 256, h: 56, w: 56)).name == "planar ×16 group 1, resident, 32-bit")
    }

    @Test("an interleaved tensor that fits the resident budget is resident, its span narrowing until every compute unit gets a group")
    func interleavedResidency() throws {
        func plan(_ shape: TensorShape, budget: Int, storage: ElementType = .float32) throws -> LaunchPlan {
            var settings = Self.settings[0]
            settings.residentFeatureBytes = budget
            return LaunchPlan(geometry: try FeatureGeometry(shape: shape, mode: .spatial), settings: settings,
                              limits: Self.devices[0], forcesWideIndices: false, storage: storage)
        }
        let nc = TensorShape(n: 512, c: 256) // 512 KiB: 16 vectors of 16 a row, 4 work-items of span 4
        #expect(try plan(nc, budget: 512 << 10).name == "interleaved ×16 span 4 group 1, resident, 32-bit")
        let chunked = try plan(nc, budget: (512 << 10) - 1)
        #expect(!chunked.isResident && chunked.variant.span == 4 && chunked.chunks > 1)
        // 16-bit storage halves the tensor
        #expect(try plan(nc, budget: 256 << 10, storage: .float16).name == "interleaved ×16 span 4 group 1, resident, 32-bit, f16")
        // 4 vectors a row: span 4 would leave one compute unit idle, so span 2 gives each of the two a group
        #expect(try plan(TensorShape(n: 64, c: 64), budget: 1 << 20).name == "interleaved ×16 span 2 group 1, resident, 32-bit")
        // one vector a row cannot feed two compute units
        #expect(try !plan(TensorShape(n: 64, c: 16), budget: 1 << 20).isResident)
        #expect(try !plan(TensorShape(n: 65536, c: 256), budget: 8 << 20).isResident) // 64 MiB
        #expect(try !plan(nc, budget: 0).isResident)
    }

    @Test("interleaved vectors shrink to a width that divides the features")
    func interleavedWidth() throws {
        for (features, width) in [(1024, 16), (100, 4), (7, 1), (24, 8), (2, 2)] {
            let geometry = try FeatureGeometry(shape: TensorShape(n: 64, c: features), mode: .spatial)
            let plan = LaunchPlan(geometry: geometry, settings: Self.settings[0], limits: Self.devices[0], forcesWideIndices: false)
            #expect(plan.variant.vectorWidth == width, "\(features) features")
        }
    }

    @Test("the index width follows the element count")
    func indexWidth() throws {
        func width(_ shape: TensorShape, wide: Bool) throws -> KernelVariant.IndexWidth {
            LaunchPlan(geometry: try FeatureGeometry(shape: shape, mode: .spatial), settings: Self.settings[1],
                       limits: Self.devices[1], forcesWideIndices: wide).variant.indexWidth
        }
        #expect(try width(TensorShape(n: 4, c: 4), wide: false) == .narrow)
        #expect(try width(TensorShape(n: 4, c: 4), wide: true) == .wide)
        #expect(try width(TensorShape(n: 1 << 20, c: 1 << 11), wide: false) == .wide)
    }

    @Test("powers of two round as documented")
    func powersOfTwo() {
        #expect([0, 1, 2, 3, 255, 256, 257].map(LaunchPlan.powerOfTwo(atMost:)) == [1, 1, 2, 2, 128, 256, 256])
        #expect([0, 1, 2, 3, 255, 256, 257].map(LaunchPlan.powerOfTwo(atLeast:)) == [1, 1, 2, 4, 256, 256, 512])
        #expect([(96, 16), (96, 64), (7, 16), (1024, 4)].map(LaunchPlan.largestPowerOfTwo(dividing:atMost:)) == [16, 32, 1, 4])
    }
}
