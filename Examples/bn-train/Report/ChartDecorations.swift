/// A shaded area between a lower and an upper line, such as a 15th–85th percentile band.
struct ChartBand: Sendable, Hashable {
    /// One x with the band's lower and upper edge there.
    struct Span: Sendable, Hashable {
        var x: Double
        var lower: Double
        var upper: Double

        /// Whether all three values are finite, so that the span can be drawn.
        var isFinite: Bool { x.isFinite && lower.isFinite && upper.isFinite }
    }

    /// The legend's text; nil keeps the band out of the legend.
    var name: String?
    /// The spans in x order; one whose edges cannot both be placed breaks the band in two.
    var spans: [Span]
    var colour: ChartColour
    /// The fill's opacity: light enough that lines drawn over it keep their contrast.
    var opacity: Double

    /// - Parameters:
    ///   - name: The legend's text, or nil.
    ///   - spans: The band's edges, in x order.
    ///   - colour: The fill colour.
    ///   - opacity: The fill's opacity; 0.18 leaves a line of the same colour over it easy to see.
    init(_ name: String?, spans: [Span], colour: ChartColour, opacity: Double = 0.18) {
        (self.name, self.spans, self.colour, self.opacity) = (name, spans, colour, opacity)
    }
}

/// A horizontal line across a panel at a fixed y, such as a target accuracy.
struct ReferenceLine: Sendable, Hashable {
    /// The legend's text; nil keeps the line out of the legend.
    var name: String?
    var y: Double
    var colour: ChartColour
    var stroke: ChartStroke
    /// The line width; thinner than a series by default, so that it does not read as data.
    var width: Double

    /// - Parameters:
    ///   - name: The legend's text, or nil.
    ///   - y: Where the line is, in data units; a value that is not finite draws nothing.
    ///   - colour: The line's colour.
    ///   - stroke: Dashed by default, so that it does not read as a series.
    ///   - width: The line width.
    init(_ name: String?, y: Double, colour: ChartColour = .grey, stroke: ChartStroke = .dashed,
         width: Double = 1.5) {
        (self.name, self.y, self.colour, self.stroke, self.width) = (name, y, colour, stroke, width)
    }
}

/// A dot that marks one point, such as the epoch at which a curve reaches its target.
struct ChartMarker: Sendable, Hashable {
    var point: ChartPoint
    var colour: ChartColour

    /// - Parameters:
    ///   - point: Where the dot goes; a point that is not finite draws nothing.
    ///   - colour: The dot's colour, usually its series'.
    init(_ point: ChartPoint, colour: ChartColour) {
        (self.point, self.colour) = (point, colour)
    }
}
