@testable import bn_train
import Testing

@Suite("bn-train's embedded data")
struct EmbeddedDataTests {
    @Test("the digits file is embedded whole, as the gzip stream it is distributed as")
    func embedded() {
        let bytes = PackageResources.digits_csv_gz
        // The gzip magic number and the deflate method, then the 57,523 bytes of the shipped file.
        #expect(Array(bytes.prefix(3)) == [0x1F, 0x8B, 0x08])
        #expect(bytes.count == 57_523)
    }
}
