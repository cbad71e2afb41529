/// What every member of a group does with the values all of them gathered: check that they passed
/// equally many (MPI_Allgather needs it and silently misreads otherwise), and cut the gathered
/// values into one row per member, in rank order.
enum GatheredRows {
    /// The first member whose count differs from member 0's.
    struct Disagreement: Equatable {
        /// That member's rank.
        var rank: Int
        /// The values it passed.
        var count: Int
        /// The values member 0 passed.
        var firstCount: Int
    }

    /// The first member that passed another number of values than member 0; nil when all agree.
    /// Every member gathers the same counts, so every member finds the same disagreement and throws alike.
    /// - Parameter counts: Each member's count, in rank order.
    /// - Returns: The disagreement, or nil.
    static func firstDisagreement(counts: [Int]) -> Disagreement? {
        guard let first = counts.first, let rank = counts.firstIndex(where: { $0 != first }) else { return nil }
        return Disagreement(rank: rank, count: counts[rank], firstCount: first)
    }

    /// Gathered values cut into `members` rows of equal length.
    /// - Parameters:
    ///   - values: `members · length` values, member 0's first.
    ///   - members: The number of members, at least 1.
    /// - Returns: One row per member, in rank order.
    static func split(_ values: [Double], members: Int) -> [[Double]] {
        let length = members > 0 ? values.count / members : 0
        return (0..<members).map { Array(values[($0 * length)..<(($0 + 1) * length)]) }
    }
}
