/// A colour of the chart palette, as an sRGB hex string for SVG's `fill` and `stroke`.
///
/// The palette is Okabe and Ito's (2008, "Color Universal Design"), chosen so that the common
/// forms of colour blindness still tell every pair apart. Its yellow is left out: on white it is
/// too faint for a thin line.
struct ChartColour: Sendable, Hashable {
    /// `#rrggbb`.
    var hex: String

    /// Blue: the first series.
    static let blue = ChartColour(hex: "#0072B2")
    /// Vermillion: the second series; against blue it reads in every form of colour blindness.
    static let vermillion = ChartColour(hex: "#D55E00")
    /// Bluish green.
    static let green = ChartColour(hex: "#009E73")
    /// Reddish purple.
    static let purple = ChartColour(hex: "#CC79A7")
    /// Orange.
    static let orange = ChartColour(hex: "#E69F00")
    /// Sky blue.
    static let skyBlue = ChartColour(hex: "#56B4E9")
    /// Black, for reference lines and what belongs to no one series.
    static let black = ChartColour(hex: "#000000")
    /// Grey, for reference lines that should not compete with the data.
    static let grey = ChartColour(hex: "#666666")

    /// The palette in the order series take it.
    static let palette: [ChartColour] = [.blue, .vermillion, .green, .purple, .orange, .skyBlue, .black]

    /// The palette's colour for the series at `index`, cycling when there are more series than colours.
    /// - Parameter index: The series' position, from 0.
    /// - Returns: Its colour.
    static func series(_ index: Int) -> ChartColour {
        palette[((index % palette.count) + palette.count) % palette.count]
    }
}
