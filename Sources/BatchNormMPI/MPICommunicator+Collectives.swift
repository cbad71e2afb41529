import BNCore
import BNSynchronized
import BNMPIShim

/// The two collectives, both MPI_Allgather: first of the lengths, so that members that disagree
/// throw instead of misreading each other's values, then of the values, combined in rank order.
extension MPICommunicator {
    /// Every member's statistics, in rank order.
    /// - Parameter part: This member's statistics.
    /// - Returns: `size` parts; element `rank` is `part`.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` when members have other numbers of
    ///   features (every member throws alike), ``BatchNormError/communicatorFailed(operation:detail:)``
    ///   when MPI fails.
    public func allGather(_ part: PartialStatistics) async throws -> [PartialStatistics] {
        let rows = try gatherRows(part.flattened) { disagreement in
            // A flattened part holds 1 + 2·features values.
            "rank \(disagreement.rank) gathers statistics of \((disagreement.count - 1) / 2) features but rank 0 of \((disagreement.firstCount - 1) / 2); every member must normalize the same features"
        }
        return try rows.map(PartialStatistics.init(flattened:))
    }

    /// The element-wise sum of every member's values, added in rank order on every member.
    /// - Parameter values: This member's values.
    /// - Returns: The sums, the same bits on every member.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` when members pass different
    ///   lengths (every member throws alike), ``BatchNormError/communicatorFailed(operation:detail:)``
    ///   when MPI fails.
    public func allReduceSum(_ values: [Double]) async throws -> [Double] {
        try gatherRows(values) { disagreement in
            "rank \(disagreement.rank) adds \(disagreement.count) values but rank 0 adds \(disagreement.firstCount); every member must pass as many"
        }.elementwiseSum()
    }

    /// Every member's values, one row per member in rank order, after checking that all passed as many.
    private func gatherRows(_ values: [Double], mismatch: (GatheredRows.Disagreement) -> String) throws -> [[Double]] {
        let counts = try allGather(doubles: [Double(values.count)]).map { Int($0) }
        if let disagreement = GatheredRows.firstDisagreement(counts: counts) {
            throw BatchNormError.statisticsMismatch(reason: mismatch(disagreement))
        }
        guard !values.isEmpty else { return Array(repeating: [], count: size) }
        return GatheredRows.split(try allGather(doubles: values), members: size)
    }

    /// MPI_Allgather of as many doubles from every member.
    private func allGather(doubles values: [Double]) throws -> [Double] {
        try MPIStatus.checkRunning("MPI_Allgather")
        guard let count = CInt(exactly: values.count), CInt(exactly: values.count * size) != nil else {
            throw BatchNormError.communicatorFailed(operation: "MPI_Allgather", detail: "\(values.count) values from each of \(size) members exceed the counts MPI takes (a C int); normalize fewer features per call")
        }
        var gathered = [Double](repeating: 0, count: values.count * size)
        let status = values.withUnsafeBufferPointer { send in
            gathered.withUnsafeMutableBufferPointer { receive in
                bn_mpi_allgather_doubles(handle.fortranHandle, send.baseAddress, count, receive.baseAddress)
            }
        }
        try MPIStatus.check(status, "MPI_Allgather")
        return gathered
    }
}
