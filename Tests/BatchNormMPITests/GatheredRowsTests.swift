@testable import BatchNormMPI
import Testing

/// The checks and cuts every member applies to what MPI_Allgather gathered.
@Suite("Gathered rows")
struct GatheredRowsTests {
    @Test("equal counts agree, whatever the number of members", arguments: [[Int](), [17], [17, 17], [9, 9, 9, 9]])
    func agreement(counts: [Int]) {
        #expect(GatheredRows.firstDisagreement(counts: counts) == nil)
    }

    @Test("the first member that differs from member 0 is named, with both counts")
    func disagreement() {
        #expect(GatheredRows.firstDisagreement(counts: [9, 9, 7, 5])
                == GatheredRows.Disagreement(rank: 2, count: 7, firstCount: 9))
        #expect(GatheredRows.firstDisagreement(counts: [3, 9, 9])
                == GatheredRows.Disagreement(rank: 1, count: 9, firstCount: 3))
    }

    @Test("gathered values are cut into one row per member, in rank order")
    func split() {
        #expect(GatheredRows.split([1, 2, 3, 4, 5, 6], members: 3) == [[1, 2], [3, 4], [5, 6]])
        #expect(GatheredRows.split([1, 2, 3, 4, 5, 6], members: 1) == [[1, 2, 3, 4, 5, 6]])
        #expect(GatheredRows.split([], members: 2) == [[], []])
    }
}
