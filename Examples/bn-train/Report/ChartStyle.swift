/// Sizes and fonts of a chart, in SVG user units (pixels when shown at 100 %).
///
/// The defaults draw two 400 × 260 plots side by side in under 1000 units, which fits a laptop
/// screen or a page at full size, with text from 12 to 17 units: readable when the chart is shown
/// at half its size.
struct ChartStyle: Sendable, Hashable {
    /// The width of one panel's plot area.
    var plotWidth: Double = 400
    /// The height of one panel's plot area; about two thirds of the width, the usual aspect for
    /// curves over time.
    var plotHeight: Double = 260
    /// Empty space around the whole chart.
    var margin: Double = 16
    /// Empty space between neighbouring panels, beyond their own labels.
    var panelGap: Double = 36

    /// Fonts: a list that names the common sans-serif fonts of Linux, macOS and Windows, so that
    /// browsers and `rsvg-convert` pick glyphs of similar widths.
    var fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    var titleSize: Double = 17
    var subtitleSize: Double = 13
    var panelTitleSize: Double = 15
    var axisLabelSize: Double = 13
    var tickLabelSize: Double = 12
    var legendSize: Double = 12
    /// The distance between lines of text, as a multiple of the font size: room for descenders.
    var lineSpacing: Double = 1.35

    /// The fraction of a fitted y axis's tick range (in log space on a logarithmic axis) left
    /// empty beyond its first and last tick, so
    /// that a line at an extreme (an accuracy of 100 %, a loss at its last tick) stays clear of the
    /// frame. A fixed range is shown exactly.
    var yPadding: Double = 0.04

    /// The length of a tick mark outside the plot.
    var tickLength: Double = 5
    /// The gap between a tick mark and its label, and between labels and what is next to them.
    var labelGap: Double = 4
    /// At most this many ticks on an axis: enough to read values off, few enough that labels of
    /// six characters keep apart on a 400-unit axis.
    var maxTickCount = 7

    /// The length of the line sample in a legend entry: long enough to show two dashes.
    var legendSampleLength: Double = 28
    /// The space between one legend entry's text and the next entry's sample.
    var legendEntryGap: Double = 18

    /// The grid lines' colour: light, so that they guide the eye without reading as data.
    var gridColour = "#e3e3e3"
    /// The plot frame's and the axes' colour.
    var axisColour = "#444444"
    /// The text colour.
    var textColour = "#222222"
    /// The radius of a marker's dot.
    var markerRadius: Double = 4.5

    /// The height of one line of text of size `size`.
    /// - Parameter size: A font size.
    /// - Returns: The line's height.
    func lineHeight(_ size: Double) -> Double {
        size * lineSpacing
    }
}
