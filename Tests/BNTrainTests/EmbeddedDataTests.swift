@testable import bn_train
import Foundation
import Testing

@Suite("bn-train's embedded data")
struct EmbeddedDataTests {
    @Test("the digits file is embedded whole: the executable's bytes are the shipped gzip file's")
    func embedded() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Examples/bn-train/Data/digits.csv.gz").standardized
        #expect(PackageResources.digits_csv_gz == Array(try Data(contentsOf: file)))
    }
}
