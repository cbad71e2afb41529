@testable import bn_gpu_bench
import Testing

@Suite("--iterations and tune --runs")
struct CountArgumentTests {
    static let refusals: [CommandLineCase] = [
        .init("zero", ["--iterations", "0"], "0 is less than 1", "from 1 to 10000"),
        .init("negative, as its own argument", ["--iterations", "-5"], "-5 is less than 1"),
        .init("negative, joined", ["--iterations=-5"], "-5 is less than 1"),
        .init("empty", ["--iterations", ""], "not a whole number"),
        .init("not a number", ["--iterations", "abc"], "not a whole number"),
        .init("a fraction", ["--iterations", "1.5"], "not a whole number"),
        .init("hexadecimal", ["--iterations", "0x10"], "not a whole number"),
        .init("Arabic-Indic digit", ["--iterations", "٣"], "not a whole number"),
        .init("leading space", ["--iterations", " 3"], "not a whole number"),
        .init("beyond Int", ["--iterations", "99999999999999999999"], "out of range", "from 1 to 10000"),
        .init("below Int", ["--iterations", "-99999999999999999999"], "out of range"),
        // Int.max used to be accepted and then spun in the timing loop for ever.
        .init("Int.max", ["--iterations", "9223372036854775807"], "is more than 10000"),
        .init("just above the bound", ["--iterations", "10001"], "10001 is more than 10000"),
        .init("tune, zero", ["tune", "--runs", "0"], "--runs", "0 is less than 1"),
        .init("tune, negative", ["tune", "--runs", "-1"], "-1 is less than 1"),
        .init("tune, huge", ["tune", "--runs", "4611686018427387904"], "is more than 10000"),
        .init("tune, not a number", ["tune", "--runs", "x"], "not a whole number"),
    ]

    @Test("a count outside 1…10000 or not a number is refused", arguments: refusals)
    func refused(_ refusal: CommandLineCase) {
        expectRefusal(refusal.arguments, mentions: refusal.fragments)
    }

    @Test("counts within the range parse, a sign included; defaults are 20 and 5")
    func accepted() throws {
        #expect(try parsed(BNGPUBench.Run.self, ["--iterations", "+3"]).iterations == 3)
        #expect(try parsed(BNGPUBench.Run.self, ["--iterations", "10000"]).iterations == 10_000)
        #expect(try parsed(BNGPUBench.Run.self, []).iterations == 20)
        #expect(try parsed(BNGPUBench.Tune.self, ["tune", "--runs", "1"]).runs == 1)
        #expect(try parsed(BNGPUBench.Tune.self, ["tune"]).runs == 5)
    }
}
