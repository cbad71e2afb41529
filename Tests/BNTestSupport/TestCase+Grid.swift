import BNCore

extension TestCase {
    /// The shapes every pass is compared on, in both modes: 1×1 spatial, primes, C = 1, m = 2, sizes
    /// that are no multiple of any work-group size, a channel of 1M values, C ≥ 2048, more channels
    /// and planes than a second range dimension may hold, 3-D in both
    /// channel orders, and a mean 1000 times the spread.
    public static let grid: [TestCase] = [
        TestCase("1×1 spatial", TensorShape(n: 16, c: 8, h: 1, w: 1)),
        TestCase("1×1 spatial", TensorShape(n: 16, c: 8, h: 1, w: 1, layout: .nhwc)),
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)),
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37, layout: .nhwc)),
        TestCase("C = 1", TensorShape(n: 64, c: 1, h: 8, w: 8)),
        TestCase("C = 1", TensorShape(n: 64, c: 1, h: 8, w: 8, layout: .nhwc)),
        TestCase("BN1d C = 1", TensorShape(n: 1000, c: 1)),
        TestCase("m = 2", TensorShape(n: 2, c: 7)),
        TestCase("m = 2", TensorShape(n: 1, c: 3, h: 1, w: 2)),
        TestCase("m = 2", TensorShape(n: 1, c: 3, h: 1, w: 2, layout: .nhwc)),
        TestCase("odd sizes", TensorShape(n: 5, c: 3, h: 13, w: 11)),
        TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)),
        TestCase("one channel of 1M values", TensorShape(n: 16, c: 1, h: 256, w: 256)),
        TestCase("one channel of 1M values", TensorShape(n: 16, c: 1, h: 256, w: 256, layout: .nhwc)),
        TestCase("C = 2048", TensorShape(n: 4, c: 2048, h: 3, w: 3)),
        TestCase("C = 2048", TensorShape(n: 4, c: 2048, h: 3, w: 3, layout: .nhwc)),
        TestCase("BN1d C = 2050", TensorShape(n: 33, c: 2050)),
        TestCase("over 65535 channels and planes", TensorShape(n: 2, c: 70000, h: 1, w: 2)),
        TestCase("over 65535 samples and planes", TensorShape(n: 70000, c: 2, h: 1, w: 2)),
        TestCase("3-D", TensorShape(n: 2, c: 3, spatial: [4, 5, 6])),
        TestCase("3-D", TensorShape(n: 2, c: 3, spatial: [4, 5, 6], layout: .nhwc)),
        TestCase("mean 1000, sd 1", TensorShape(n: 8, c: 4, h: 16, w: 16), profile: .offset(mean: 1000, spread: 1)),
        TestCase("mean 1000, sd 1", TensorShape(n: 8, c: 4, h: 16, w: 16, layout: .nhwc), profile: .offset(mean: 1000, spread: 1)),
        TestCase("BN1d mean 1000, sd 1", TensorShape(n: 4096, c: 3), profile: .offset(mean: 1000, spread: 1)),
    ]
}
