import Foundation

/// Builds the text of an SVG document element by element, escaping every attribute value and
/// text node, and formatting numbers compactly.
struct SVGBuilder {
    /// One attribute: its name and its value, unescaped.
    typealias Attribute = (name: String, value: String)

    /// The document so far.
    private(set) var text = ""
    /// The names of the elements opened and not yet closed, innermost last.
    private var open: [String] = []

    /// Opens an element that will hold others.
    /// - Parameters:
    ///   - name: The element's name: `g`, `svg`.
    ///   - attributes: Its attributes, in order.
    mutating func open(_ name: String, _ attributes: [Attribute] = []) {
        line("<\(name)\(Self.attributeText(attributes))>")
        open.append(name)
    }

    /// Closes the innermost open element.
    mutating func close() {
        let name = open.removeLast()
        line("</\(name)>")
    }

    /// Writes an element with no children, or with `content` as its text.
    /// - Parameters:
    ///   - name: The element's name.
    ///   - attributes: Its attributes, in order.
    ///   - content: Its text, escaped here; nil for an empty element.
    mutating func element(_ name: String, _ attributes: [Attribute] = [], content: String? = nil) {
        if let content {
            line("<\(name)\(Self.attributeText(attributes))>\(Self.escaped(content))</\(name)>")
        } else {
            line("<\(name)\(Self.attributeText(attributes))/>")
        }
    }

    /// Writes a line as is: for the XML declaration.
    /// - Parameter raw: Markup that is already well formed.
    mutating func raw(_ raw: String) {
        line(raw)
    }

    private mutating func line(_ markup: String) {
        text += String(repeating: "  ", count: open.count) + markup + "\n"
    }

    private static func attributeText(_ attributes: [Attribute]) -> String {
        attributes.map { " \($0.name)=\"\(escaped($0.value))\"" }.joined()
    }

    /// `text` with the five characters that XML reserves written as entities, and the control
    /// characters that XML 1.0 does not allow at all (everything below U+0020 but tab, line feed
    /// and carriage return) replaced by U+FFFD, so that any string makes a well-formed document.
    /// - Parameter text: Any text.
    /// - Returns: Text for an attribute value or a text node.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result.unicodeScalars.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `value` with at most two decimals and no trailing zeros: "12", "3.5", "0.25". Two decimals
    /// are a hundredth of a pixel at full size, far below what a screen or printer shows. A value
    /// that is not finite gives "0", which callers avoid by skipping such points.
    /// - Parameter value: A coordinate or length in user units.
    /// - Returns: The number as SVG writes it.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Points as SVG's `points` attribute writes them: "x1,y1 x2,y2".
    /// - Parameter points: Coordinates in user units, all finite.
    /// - Returns: The attribute's value.
    static func points(_ points: [(x: Double, y: Double)]) -> String {
        points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
    }
}
