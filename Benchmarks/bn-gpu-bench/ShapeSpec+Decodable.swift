import ArgumentParser

extension ShapeSpec: Decodable {
    /// A shape as the reports write it (`32x256x56x56`), parsed as `--shapes` parses one, so that
    /// `compare` matches rows by shape whatever separator a peer wrote.
    /// - Parameter decoder: A decoder at a string.
    /// - Throws: `DecodingError.dataCorrupted` with ``parse(_:)``'s reason for a malformed shape.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try ShapeSpec.parse(text[...])
        } catch let error as ValidationError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }
}
