import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document read back with `XMLParser`: whether it is well-formed XML, and every element
/// with its attributes, its text and the ids of the elements around it.
final class SVGOutline: NSObject, XMLParserDelegate {
    /// One element of the document.
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The ids of the enclosing elements, outermost first.
        var ancestorIDs: [String]
        /// The element's own text, entities decoded.
        var text: String
    }

    /// The elements in document order.
    private(set) var elements: [Element] = []
    /// Whether the parser read the whole document without an error.
    private(set) var isWellFormed = false
    /// The parser's error, if any.
    private(set) var parseError: String?
    /// The indices of the elements open at the parser's position.
    private var open: [Int] = []

    /// Parses `text`.
    /// - Parameter text: An SVG document.
    init(_ text: String) {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        isWellFormed = parser.parse()
        if !isWellFormed { parseError = parser.parserError.map { "\($0)" } ?? "unknown error" }
    }

    /// The elements named `name`, anywhere or inside the element with id `id`.
    /// - Parameters:
    ///   - name: An element name: `polyline`.
    ///   - id: An enclosing element's id, or nil for the whole document.
    /// - Returns: The elements, in document order.
    func elements(_ name: String, inside id: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (id.map($0.ancestorIDs.contains) ?? true) }
    }

    /// The element with id `id`, if there is one.
    func element(id: String) -> Element? {
        elements.first { $0.attributes["id"] == id }
    }

    /// The text of every `text` element inside `id` (or anywhere), in document order.
    func texts(inside id: String? = nil) -> [String] {
        elements("text", inside: id).map(\.text)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let ancestors = open.compactMap { elements[$0].attributes["id"] }
        elements.append(Element(name: elementName, attributes: attributes, ancestorIDs: ancestors, text: ""))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }
}
