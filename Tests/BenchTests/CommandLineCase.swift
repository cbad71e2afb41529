import Testing

/// A command line the bench must refuse, and text its message must contain: a labelled case of a
/// parameterized test.
struct CommandLineCase: Sendable, CustomTestStringConvertible {
    var label: String
    var arguments: [String]
    var fragments: [String]
    var testDescription: String { label }

    init(_ label: String, _ arguments: [String], _ fragments: String...) {
        (self.label, self.arguments, self.fragments) = (label, arguments, fragments)
    }
}
