import BNCore

/// Whether a backend searches launch settings on first use: the first pass of a class of shapes
/// that no tuning table has a row for searches that class (``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)``
/// for the pass's shape) before it runs, and saves what it finds, so that no later pass, backend or
/// process on the device and driver searches it again.
public enum Autotuning: Sendable, Hashable {
    /// No search: classes without a row take the heuristic until
    /// ``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)`` is called.
    case off
    /// Search each class without a row on its first pass, within `budgetPerClass`, and merge the
    /// rows into the table at `destination`.
    case onFirstUse(budgetPerClass: Duration, savingTo: TuningDestination)

    /// The default: two seconds per class, saved in the user's table.
    public static let firstUse = Autotuning.onFirstUse(budgetPerClass: .seconds(2), savingTo: .userTable)

    /// The environment variable that turns the search off for a process: `BN_AUTOTUNE=0`.
    public static let environmentVariable = "BN_AUTOTUNE"

    /// What `BN_AUTOTUNE` asks for: `0` (or `off`, `false`, `no`) turns the search off; `1` (or `on`,
    /// `true`, `yes`), empty or unset gives ``firstUse``.
    /// - Parameter environment: The process's environment.
    /// - Throws: `BatchNormError.invalidOption` for any other value.
    public static func fromEnvironment(_ environment: [String: String]) throws -> Autotuning {
        guard let value = environment[environmentVariable], !value.allSatisfy(\.isWhitespace) else { return firstUse }
        switch value.filter({ !$0.isWhitespace }).lowercased() {
        case "0", "off", "false", "no": return .off
        case "1", "on", "true", "yes": return firstUse
        default:
            throw BatchNormError.invalidOption(
                name: environmentVariable, value: value,
                reason: "give 0 to turn the first-use search of launch settings off, or 1 (or leave it unset) to keep it on")
        }
    }
}
