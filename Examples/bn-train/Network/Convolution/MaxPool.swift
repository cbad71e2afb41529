/// 2×2 max pooling with stride 2, in either layout: each output is the largest of its window, and
/// the backward pass gives each window's gradient to the input that was largest (the first of
/// equal ones, row by row).
enum MaxPool {
    /// The pooled map and, per output, the position in `x.values` of the input it took.
    /// - Parameter x: A map of even height and width.
    static func forward(_ x: FeatureMap) -> (output: FeatureMap, sources: [Int]) {
        precondition(x.h % 2 == 0 && x.w % 2 == 0, "2×2 pooling needs an even height and width, not \(x.h)×\(x.w)")
        var output = FeatureMap(n: x.n, c: x.c, h: x.h / 2, w: x.w / 2, layout: x.layout)
        var sources = [Int](repeating: 0, count: output.values.count)
        for image in 0..<x.n {
            for channel in 0..<x.c {
                for row in 0..<output.h {
                    for column in 0..<output.w {
                        var best = x.index(image, channel, 2 * row, 2 * column)
                        for (dr, dc) in [(0, 1), (1, 0), (1, 1)] {
                            let candidate = x.index(image, channel, 2 * row + dr, 2 * column + dc)
                            if x.values[candidate] > x.values[best] { best = candidate }
                        }
                        let target = output.index(image, channel, row, column)
                        output.values[target] = x.values[best]
                        sources[target] = best
                    }
                }
            }
        }
        return (output, sources)
    }

    /// dL/dx: each output's gradient at the input it took, zero elsewhere.
    /// - Parameters:
    ///   - outputGradient: dL/d(output).
    ///   - sources: What ``forward(_:)`` returned with that output.
    ///   - input: The forward pass's input, for its shape.
    static func backward(_ outputGradient: FeatureMap, sources: [Int], input: FeatureMap) -> FeatureMap {
        var result = FeatureMap(n: input.n, c: input.c, h: input.h, w: input.w, layout: input.layout)
        for (index, source) in sources.enumerated() { result.values[source] += outputGradient.values[index] }
        return result
    }
}
