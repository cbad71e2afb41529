import Foundation
@testable import bn_train
import Testing

/// Axis ticks: steps of 1, 2 or 5 times a power of ten that cover the data with few, short labels.
@Suite("NiceTicks")
struct NiceTicksTests {
    /// Ranges met in practice (losses, accuracies in percent, steps) and awkward ones (negative,
    /// straddling zero, tiny, huge, offset far from zero).
    static let ranges: [(Double, Double)] = [
        (0.08, 2.31), (10, 98.5), (0, 6000), (1, 100), (-3.7, 2.9), (-0.004, -0.001), (0.3, 0.7),
        (1e-7, 3e-7), (2e6, 9.5e7), (1000.1, 1000.9), (-250, 0), (0.1, 0.30000000000000004), (7, 7.5),
    ]

    @Test("the step is 1, 2 or 5 times a power of ten, the ticks cover the range, and there are at most seven",
          arguments: ranges)
    func covering(_ range: (Double, Double)) {
        let ticks = NiceTicks(covering: range.0, range.1)
        #expect([1, 2, 5].contains(ticks.mantissa))
        #expect(ticks.values.count >= 2 && ticks.values.count <= 7, "\(ticks.values)")
        // Covering to within rounding: a billionth of a step, far below a pixel, is forgiven so that
        // 0.1 + 0.2 does not cost an extra tick.
        let slack = ticks.step * 1e-9
        #expect(ticks.values.first! <= range.0 + slack && ticks.values.last! >= range.1 - slack,
                "\(ticks.values) for \(range)")
        #expect(ticks.range == ticks.values.first!...ticks.values.last!)
        // Evenly spaced by the step, to rounding.
        for (a, b) in zip(ticks.values, ticks.values.dropFirst()) {
            #expect(abs((b - a) - ticks.step) <= ticks.step * 1e-9)
        }
        // Every tick is a whole multiple of the step, and its label is distinct and short.
        for value in ticks.values {
            #expect(abs(value / ticks.step - (value / ticks.step).rounded()) < 1e-6)
        }
        let labels = ticks.values.map(ticks.label)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(labels.allSatisfy { $0.count <= 8 }, "\(labels)")
    }

    @Test("the step is the smallest nice one that fits: 0 to 100 by 20, 0.08 to 2.31 by 0.5, 0 to 6000 by 1000")
    func smallestStep() {
        #expect(NiceTicks(covering: 10, 98.5).values == [0, 20, 40, 60, 80, 100])
        #expect(NiceTicks(covering: 0.08, 2.31).values == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(NiceTicks(covering: 0, 6000).values == [0, 1000, 2000, 3000, 4000, 5000, 6000])
        #expect(NiceTicks(covering: -3.7, 2.9).values == [-4, -2, 0, 2, 4])
    }

    @Test("a tick at a value that data can hold exactly equals it: 0.3 is a tick of 0.3 to 0.7")
    func exactTicks() {
        let ticks = NiceTicks(covering: 0.3, 0.7)
        #expect(ticks.values.first == 0.3)
        #expect(ticks.values.last == 0.7)
        // Rounding noise in the data costs no extra tick: 0.1 + 0.2 ends at the tick 0.3.
        #expect(NiceTicks(covering: 0.1, 0.1 + 0.2).values.last == 0.3)
    }

    @Test("labels have as many decimals as the step, no minus on zero, and scientific notation far out")
    func labels() {
        let tenths = NiceTicks(covering: -0.35, 0.35)
        #expect(tenths.values.map(tenths.label) == ["-0.4", "-0.2", "0.0", "0.2", "0.4"])
        let whole = NiceTicks(covering: 0, 100)
        #expect(whole.label(40) == "40")
        let tiny = NiceTicks(covering: 1e-7, 3e-7)
        #expect(tiny.values.map(tiny.label).allSatisfy { $0.contains("e-") || $0 == "0" })
        #expect(tiny.values.map(tiny.label).allSatisfy { $0.count <= 8 })
    }

    @Test("an integer axis steps by whole numbers, however few the values")
    func integer() {
        let three = NiceTicks(covering: 1, 3, isInteger: true)
        #expect(three.step >= 1)
        #expect(three.values.allSatisfy { $0 == $0.rounded() })
        #expect(three.values.first! <= 1 && three.values.last! >= 3)
        let one = NiceTicks(covering: 1, 1, isInteger: true)
        #expect(one.values.allSatisfy { $0 == $0.rounded() } && one.values.count >= 2)
    }

    @Test("one value, no finite value, or bounds beyond ±1e300 still make an axis of finite ticks")
    func degenerate() {
        for (low, high) in [(5.0, 5.0), (0, 0), (-2, -2), (.nan, .nan), (.infinity, -.infinity), (3, .nan),
                            (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude)] {
            let ticks = NiceTicks(covering: low, high)
            #expect(ticks.values.count >= 2, "\(low)...\(high)")
            #expect(ticks.values.allSatisfy { $0.isFinite }, "\(low)...\(high): \(ticks.values)")
            #expect(ticks.range.lowerBound < ticks.range.upperBound)
            if low.isFinite && high.isFinite && abs(low) < 1e300 {
                #expect(ticks.values.first! <= low && ticks.values.last! >= high)
            }
        }
    }

    @Test("a fixed range is kept exactly, with ticks inside it only")
    func within() {
        let ticks = NiceTicks(within: 0...100)
        #expect(ticks.range == 0...100)
        #expect(ticks.values == [0, 20, 40, 60, 80, 100])
        let odd = NiceTicks(within: -0.5...2.25)
        #expect(odd.range == -0.5...2.25)
        #expect(odd.values.allSatisfy { odd.range.contains($0) } && odd.values.count >= 2 && odd.values.count <= 7)
        let empty = NiceTicks(within: 4...4)
        #expect(empty.range.lowerBound < empty.range.upperBound)
    }
}
