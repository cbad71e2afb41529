import BNCore

/// A ``StatisticsCommunicator`` for members of one process: tasks that each drive one OpenCL queue,
/// device or sub-device (data parallelism inside a process).
///
/// ``group(size:)`` makes the members; each member's calls meet the calls of the others with the
/// same sequence number, and a member that arrives first suspends (it holds no thread) until the
/// last arrives.
public struct InProcessCommunicator: StatisticsCommunicator {
    public let rank: Int
    public let size: Int
    private let meeting: Meeting

    /// The members of a new group.
    /// - Parameter size: The number of members, at least 1.
    /// - Returns: `size` communicators, element `r` of rank `r`.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` for a size below 1.
    public static func group(size: Int) throws -> [InProcessCommunicator] {
        guard size >= 1 else {
            throw BatchNormError.invalidOption(name: "size", value: "\(size)", reason: "a group has at least one member")
        }
        let meeting = Meeting(size: size)
        return (0..<size).map { InProcessCommunicator(rank: $0, size: size, meeting: meeting) }
    }

    public func allGather(_ part: PartialStatistics) async throws -> [PartialStatistics] {
        let parts = try await meeting.exchange(rank: rank, values: part.flattened).map(PartialStatistics.init(flattened:))
        if let other = parts.first(where: { $0.features != part.features }) {
            throw BatchNormError.statisticsMismatch(reason: "members gathered statistics of \(part.features) and \(other.features) features; every member must normalize the same features")
        }
        return parts
    }

    public func allReduceSum(_ values: [Double]) async throws -> [Double] {
        try await meeting.exchange(rank: rank, values: values).elementwiseSum()
    }
}

/// Where the members of one ``InProcessCommunicator`` group meet: the n-th call of every member
/// joins round n, which completes when all have contributed.
private actor Meeting {
    private let size: Int
    /// Calls made so far by each member.
    private var calls: [Int]
    private var rounds: [Int: Round] = [:]

    private struct Round {
        var contributions: [[Double]?]
        var waiting: [CheckedContinuation<[[Double]], Never>] = []
    }

    init(size: Int) {
        self.size = size
        self.calls = Array(repeating: 0, count: size)
    }

    /// Every member's values of this round, in rank order.
    func exchange(rank: Int, values: [Double]) async -> [[Double]] {
        let number = calls[rank]
        calls[rank] += 1
        var round = rounds[number] ?? Round(contributions: Array(repeating: nil, count: size))
        round.contributions[rank] = values
        let gathered = round.contributions.compactMap { $0 }
        if gathered.count == size {
            rounds[number] = nil
            for member in round.waiting { member.resume(returning: gathered) }
            return gathered
        }
        return await withCheckedContinuation { continuation in
            round.waiting.append(continuation)
            rounds[number] = round
        }
    }
}
