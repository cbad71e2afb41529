@testable import bn_train
import Testing

/// CSV text: quoting where RFC 4180 needs it, numbers that read back, `\n` line endings.
@Suite("CSVTable")
struct CSVTableTests {
    @Test("plain fields are written as is; commas, quotes, line breaks and edge spaces are quoted")
    func quoting() {
        #expect(CSVTable.field("batch_norm") == "batch_norm")
        #expect(CSVTable.field("") == "")
        #expect(CSVTable.field("a,b") == "\"a,b\"")
        #expect(CSVTable.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVTable.field("cr\rlf") == "\"cr\rlf\"")
        #expect(CSVTable.field("crlf\r\n") == "\"crlf\r\n\"")
        #expect(CSVTable.field(" padded") == "\" padded\"")
        #expect(CSVTable.field("inner space") == "inner space")
    }

    @Test("a table is the header and one line per row, each ending in a line feed")
    func text() {
        let table = CSVTable(header: ["step", "network", "note"],
                             rows: [["0", "plain", "a,b"], ["1", "batch_norm", ""]])
        #expect(table.text == "step,network,note\n0,plain,\"a,b\"\n1,batch_norm,\n")
        #expect(!table.text.contains("\r"))
        #expect(CSVTable(header: ["a"]).text == "a\n")
    }

    @Test("numbers are the shortest text that reads back; non-finite values are nan and inf")
    func numbers() {
        #expect(CSVTable.number(0.1) == "0.1")
        #expect(Double(CSVTable.number(2.302585092994046)) == 2.302585092994046)
        #expect(Double(CSVTable.number(1e-7)) == 1e-7)
        #expect(CSVTable.number(.nan) == "nan")
        #expect(CSVTable.number(.infinity) == "inf")
        #expect(CSVTable.number(-.infinity) == "-inf")
    }
}
