import BNCore

/// The collectives synchronized batch norm needs from a group of devices, each of which holds part
/// of a batch: one ``SynchronizedBatchNorm`` per device calls them in the same order on every member.
///
/// Conform to plug in any collective library: ``InProcessCommunicator`` joins tasks of one process
/// (several queues or devices), the `BatchNormMPI` product's `MPICommunicator` joins processes over
/// MPI, and an engine may wrap its own (NCCL-like, Gloo-like) transport.
///
/// Every member must get the same bits from each call, so that every device normalizes and updates
/// its running statistics identically: return parts in rank order and add in rank order.
public protocol StatisticsCommunicator: Sendable {
    /// This member's position in the group, from 0 to `size − 1`.
    var rank: Int { get }
    /// The number of members.
    var size: Int { get }

    /// Every member's part, in rank order; each member passes its own and gets all.
    /// - Parameter part: This member's statistics.
    /// - Returns: `size` parts; element `rank` is `part`.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` when the transport fails,
    ///   or ``BatchNormError/statisticsMismatch(reason:)`` when members disagree on the features.
    func allGather(_ part: PartialStatistics) async throws -> [PartialStatistics]

    /// The element-wise sum of every member's values, added in rank order.
    /// - Parameter values: This member's values; every member passes as many.
    /// - Returns: The sums, the same bits on every member.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` when the transport fails,
    ///   or ``BatchNormError/statisticsMismatch(reason:)`` when members pass different lengths.
    func allReduceSum(_ values: [Double]) async throws -> [Double]
}

extension PartialStatistics {
    /// The count, the means and the M2 values in one array, `1 + 2·features` long, as a transport
    /// that moves doubles sends a part.
    public var flattened: [Double] {
        [Double(count)] + mean + m2
    }

    /// A part read back from ``flattened``.
    /// - Parameter flattened: `1 + 2·features` values.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` for an even length or a count that
    ///   is not a whole number of at least 0.
    public init(flattened: [Double]) throws {
        guard flattened.count % 2 == 1 else {
            throw BatchNormError.statisticsMismatch(reason: "\(flattened.count) values do not hold a count and two values per feature")
        }
        guard let count = Int(exactly: flattened[0]), count >= 0 else {
            throw BatchNormError.statisticsMismatch(reason: "the count \(flattened[0]) is not a whole number of values")
        }
        let features = (flattened.count - 1) / 2
        self.init(count: count, mean: Array(flattened[1...features]), m2: Array(flattened[(features + 1)...]))
    }
}

extension Array where Element == [Double] {
    /// The element-wise sum of equally long arrays, added in their order.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` when the lengths differ.
    package func elementwiseSum() throws -> [Double] {
        guard let head = first else { return [] }
        if let other = first(where: { $0.count != head.count }) {
            throw BatchNormError.statisticsMismatch(reason: "members reduce \(head.count) and \(other.count) values; every member must pass as many")
        }
        var total = head
        for values in dropFirst() {
            for index in total.indices { total[index] += values[index] }
        }
        return total
    }
}
