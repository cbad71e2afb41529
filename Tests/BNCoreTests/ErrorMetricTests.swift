import BNCore
import Testing

@Suite("The error metric of tests and bench")
struct ErrorMetricTests {
    @Test("the worst element is found and scaled by |expected| + RMS")
    func worstElement() {
        let worst = ErrorMetric.worst([1, 2.5, 3], [1.0, 2.0, 3.0])
        let rms = ((1.0 + 4 + 9) / 3).squareRoot()
        #expect(worst.index == 1)
        #expect(abs(worst.error - 0.5 / (2 + rms)) < 1e-12)
    }

    @Test("an explicit scale replaces the RMS")
    func explicitScale() {
        let worst = ErrorMetric.worst([0.001], [0.0], scale: [0.1])
        #expect(abs(worst.error - 0.01) < 1e-9)
    }

    @Test("NaN matches NaN and an infinity itself; any other mismatch is infinite")
    func nonFinite() {
        #expect(ErrorMetric.worst([.nan, .infinity], [Double.nan, .infinity]).error == 0)
        #expect(ErrorMetric.worst([.nan, 1], [1.0, 1.0]).error == .infinity)
        #expect(ErrorMetric.worst([1, 1], [Double.nan, 1]).error == .infinity)
        #expect(ErrorMetric.worst([-.infinity], [Double.infinity]).error == .infinity)
        #expect(ErrorMetric.worst([1], [1.0, 2.0]).error == .infinity)
    }

    @Test("identical arrays have no worst element")
    func identical() {
        let worst = ErrorMetric.worst([1, -2, 0], [1.0, -2.0, 0.0])
        #expect(worst.error == 0 && worst.index == nil)
    }
}
