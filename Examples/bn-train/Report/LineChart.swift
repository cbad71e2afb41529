/// A line chart of one or more panels, written as a standalone SVG 1.1 file by ``svg()``.
///
/// The chart needs nothing beyond Foundation, and draws only what both browsers and `rsvg-convert`
/// render alike: lines, polygons, rectangles, circles and plain text.
struct LineChart: Sendable, Hashable {
    /// How panels are placed.
    enum Arrangement: Sendable, Hashable {
        /// In a row, left to right.
        case sideBySide
        /// In a column, top to bottom.
        case stacked
    }

    /// The chart's title, at its top.
    var title: String
    /// A line under the title (such as the run's settings), wrapped to the chart's width; nil for none.
    var subtitle: String?
    var panels: [ChartPanel]
    var arrangement: Arrangement
    /// Whether every panel's x axis spans the same range, the union of the panels' data.
    var sharesXRange: Bool
    /// Whether every panel's y axis spans the same range, so that panels compare at a glance.
    var sharesYRange: Bool
    var style: ChartStyle

    /// - Parameters:
    ///   - title: The chart's title.
    ///   - subtitle: A line under the title, or nil.
    ///   - panels: The panels, in reading order.
    ///   - arrangement: Side by side or stacked.
    ///   - sharesXRange: Whether all x axes span the same range.
    ///   - sharesYRange: Whether all y axes span the same range.
    ///   - style: Sizes and fonts.
    init(title: String, subtitle: String? = nil, panels: [ChartPanel], arrangement: Arrangement = .sideBySide,
         sharesXRange: Bool = false, sharesYRange: Bool = false, style: ChartStyle = ChartStyle()) {
        (self.title, self.subtitle, self.panels, self.arrangement) = (title, subtitle, panels, arrangement)
        (self.sharesXRange, self.sharesYRange, self.style) = (sharesXRange, sharesYRange, style)
    }
}
