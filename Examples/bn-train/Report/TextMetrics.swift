/// Estimates of how much room text takes, for laying out a chart without a font engine.
///
/// An SVG file cannot measure its own text, and browsers and `rsvg-convert` may pick different
/// fonts, so widths are estimated on the wide side: labels then keep apart in any of the fonts
/// that ``ChartStyle/fontFamily`` names.
enum TextMetrics {
    /// The average advance of a character, as a fraction of the font size. DejaVu Sans, the widest
    /// of the fonts named, averages about 0.55 em over English text and 0.64 em over digits; 0.62
    /// errs on the wide side for text and nearly matches numbers.
    static let averageAdvance = 0.62

    /// The estimated width of `text` set at `size`.
    /// - Parameters:
    ///   - text: The text, on one line.
    ///   - size: The font size.
    /// - Returns: The width in user units.
    static func width(of text: String, size: Double) -> Double {
        Double(text.count) * size * averageAdvance
    }

    /// `text` broken at spaces into lines no wider than `width`, as far as words allow: a word wider
    /// than `width` gets a line of its own.
    /// - Parameters:
    ///   - text: The text.
    ///   - width: The widest a line may be.
    ///   - size: The font size.
    /// - Returns: The lines, at least one.
    static func wrapped(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if line.isEmpty || Self.width(of: candidate, size: size) <= width {
                line = candidate
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }
}
