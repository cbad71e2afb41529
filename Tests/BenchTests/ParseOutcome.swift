import ArgumentParser
@testable import bn_gpu_bench
import Testing

/// What `bn-gpu-bench` makes of a command line without running it: the command, or the message and
/// exit status ArgumentParser would print for the error.
enum ParseOutcome {
    /// The parsed command, after its `validate()`.
    case command(any ParsableCommand)
    /// The error's message (`BNGPUBench.message(for:)`, the line after "Error: ") and exit status.
    case refused(message: String, exitCode: Int32)

    /// Parses `arguments` as the executable would (`BNGPUBench.main` parses as root, then validates).
    /// - Parameter arguments: The arguments after the executable's name.
    init(_ arguments: [String]) {
        do {
            self = .command(try BNGPUBench.parseAsRoot(arguments))
        } catch {
            self = .refused(message: BNGPUBench.message(for: error), exitCode: BNGPUBench.exitCode(for: error).rawValue)
        }
    }
}

/// Expects `arguments` to be refused before anything runs, with a usage error (status 64) whose
/// message contains every fragment: the option, the value at fault and what to do instead.
/// - Parameters:
///   - arguments: The arguments after the executable's name.
///   - fragments: Text the message must contain.
///   - sourceLocation: Where a failure is reported.
func expectRefusal(_ arguments: [String], mentions fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard case let .refused(message, exitCode) = ParseOutcome(arguments) else {
        Issue.record("\(arguments) parsed, but should have been refused", sourceLocation: sourceLocation)
        return
    }
    #expect(exitCode == ExitCode.validationFailure.rawValue, "\(arguments): \(message)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(message.contains(fragment), "\(arguments): \"\(message)\" does not mention \"\(fragment)\"",
                sourceLocation: sourceLocation)
    }
}

/// Parses arguments that must be accepted.
/// - Parameters:
///   - type: The subcommand expected.
///   - arguments: The arguments after the executable's name.
///   - sourceLocation: Where a failure is reported.
/// - Returns: The parsed subcommand.
/// - Throws: When the arguments are refused or parse as another subcommand.
func parsed<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String],
                                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Command {
    switch ParseOutcome(arguments) {
    case let .command(command):
        return try #require(command as? Command, "\(arguments) parsed as \(command)", sourceLocation: sourceLocation)
    case let .refused(message, _):
        throw Refused(arguments: arguments, message: message)
    }
}

/// Arguments that should have parsed were refused.
struct Refused: Error, CustomStringConvertible {
    var arguments: [String]
    var message: String
    var description: String { "\(arguments) refused: \(message)" }
}
