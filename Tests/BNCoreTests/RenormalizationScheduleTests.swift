import BNCore
import Testing

/// The paper's schedule of Batch Renormalization's limits (`Renormalization.ramp`): batch norm for
/// the warm-up, then rMax rising linearly to 3 and dMax to 5, held after.
@Suite("Batch Renormalization's ramp")
struct RenormalizationScheduleTests {
    @Test("batch norm through the warm-up, the paper's limits after their steps, linear between")
    func paperSteps() {
        #expect(Renormalization.ramp(step: 0) == .batchNorm)
        #expect(Renormalization.ramp(step: 5_000) == .batchNorm)
        #expect(Renormalization.ramp(step: 5_000).isBatchNorm)
        #expect(Renormalization.ramp(step: 25_000) == Renormalization(rMax: 1 + 2 * 20_000 / 35_000, dMax: 5))
        #expect(Renormalization.ramp(step: 40_000) == Renormalization(rMax: 3, dMax: 5))
        #expect(Renormalization.ramp(step: 1_000_000) == Renormalization(rMax: 3, dMax: 5))
        let middle = Renormalization.ramp(step: 15_000)
        #expect(abs(middle.rMax - (1 + 2 * Float(10_000) / 35_000)) < 1e-6)
        #expect(abs(middle.dMax - 2.5) < 1e-6)
    }

    @Test("a shorter run scales the steps; a ramp that ends at the warm-up jumps to the limits")
    func scaledSteps() {
        #expect(Renormalization.ramp(step: 50, warmUpSteps: 0, rMaxSteps: 100, dMaxSteps: 50)
            == Renormalization(rMax: 2, dMax: 5))
        #expect(Renormalization.ramp(step: 11, warmUpSteps: 10, rMaxSteps: 10, dMaxSteps: 5)
            == Renormalization(rMax: 3, dMax: 5))
        #expect(Renormalization.ramp(step: 10, warmUpSteps: 10, rMaxSteps: 10, dMaxSteps: 5) == .batchNorm)
    }

    @Test("options carry no renormalization unless asked")
    func optionsDefault() {
        #expect(BatchNormOptions().renormalization == nil)
        #expect(BatchNormOptions.keras().renormalization == nil)
        #expect(BatchNormOptions(renormalization: .batchNorm).renormalization == .batchNorm)
    }
}
