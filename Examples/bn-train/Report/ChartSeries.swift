/// One point of a series. A point that cannot be placed (a coordinate that is not finite, or not
/// positive on a logarithmic axis) is not drawn: the line breaks there and goes on at the next point.
struct ChartPoint: Sendable, Hashable {
    var x: Double
    var y: Double

    /// - Parameters:
    ///   - x: The horizontal coordinate, in data units.
    ///   - y: The vertical coordinate, in data units.
    init(_ x: Double, _ y: Double) {
        (self.x, self.y) = (x, y)
    }

    /// Whether both coordinates are finite, so that the point can be drawn.
    var isFinite: Bool { x.isFinite && y.isFinite }
}

/// How a line is stroked.
enum ChartStroke: Sendable, Hashable {
    case solid
    case dashed
    case dotted

    /// SVG's `stroke-dasharray` for a line of width `width`, nil for a solid line. Dashes scale with
    /// the width, so that a thick dashed line still reads as dashed.
    /// - Parameter width: The line's width in user units.
    /// - Returns: The dash pattern, or nil.
    func dashArray(width: Double) -> [Double]? {
        switch self {
        case .solid: nil
        // Dash three widths long plus a fixed part, so that a thin line's dashes stay visible.
        case .dashed: [4 + 3 * width, 2 + 2 * width]
        // A dot as long as the line is wide, with a gap twice that plus a fixed part.
        case .dotted: [width, 1.5 + 2 * width]
        }
    }
}

/// A line through a series of points, drawn in x order as given.
struct ChartSeries: Sendable, Hashable {
    /// The legend's text; nil keeps the series out of the legend (for a line that another entry
    /// already names, such as the 85th percentile beside the 15th).
    var name: String?
    var points: [ChartPoint]
    var colour: ChartColour
    var stroke: ChartStroke
    /// The line width in user units.
    var width: Double

    /// - Parameters:
    ///   - name: The legend's text, or nil to leave the series out of the legend.
    ///   - points: The points, joined in order; a point that cannot be placed breaks the line.
    ///   - colour: The line's colour.
    ///   - stroke: Solid, dashed or dotted.
    ///   - width: The line width; 2 units reads at full size and at half size.
    init(_ name: String?, points: [ChartPoint], colour: ChartColour, stroke: ChartStroke = .solid,
         width: Double = 2) {
        (self.name, self.points, self.colour, self.stroke, self.width) = (name, points, colour, stroke, width)
    }
}
