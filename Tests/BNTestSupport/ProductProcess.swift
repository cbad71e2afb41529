import Foundation
import Testing

/// One of the package's built executables, such as `bn-gpu-bench`, run as a user runs it: a separate
/// process with its own arguments and environment, so that what it prints, its exit status and
/// whether it crashes are what a user sees.
public struct ProductProcess: Sendable {
    /// The executable's name.
    public let name: String

    public init(name: String) {
        self.name = name
    }

    /// What one run did.
    public struct Outcome: CustomStringConvertible, Sendable {
        /// The exit status; a signal's number plus 128 when one ended it.
        public var status: Int32
        public var standardOutput: String
        public var standardError: String

        /// Whether it ended the way a crash does: a signal, or the Swift runtime's backtrace.
        public var crashed: Bool {
            status > 128 || ["Backtrac", "Fatal error", "Swift runtime failure"].contains { standardError.contains($0) }
        }

        public var description: String { "status \(status)\nstderr:\n\(standardError)" }
    }

    /// The executable, in the build's products folder next to the test bundle: `swift build` and
    /// `swift test` build every product there. Nil when it is not there.
    public var executable: URL? {
        let starts = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            + Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
        for start in starts {
            var folder = start.resolvingSymlinksInPath()
            // The bundle itself, or on macOS up from …/X.xctest/Contents/MacOS.
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// Why the subprocess tests are skipped, when they are.
    public var missingReason: Comment { "\(name) is not built next to the test bundle; `swift build --build-tests` builds it" }

    /// Runs the bench to its end, or stops it after `timeLimit`, which counts as a failure: every
    /// case here should end in seconds.
    /// - Parameters:
    ///   - arguments: The arguments after the executable's name.
    ///   - launcher: A program that starts the executable, and its arguments before the executable's
    ///     path, such as `["/usr/bin/mpirun", "-np", "2"]`; empty to run the executable itself.
    ///   - environment: Variables to set, or with a nil value to remove, on top of this process's.
    ///   - timeLimit: Seconds after which the bench is stopped.
    ///   - sourceLocation: Where a timeout is reported.
    /// - Returns: Its status and output.
    /// - Throws: When the executable is missing or cannot be started.
    public func run(_ arguments: [String], launcher: [String] = [], environment: [String: String?] = [:],
                    timeLimit: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let executable = try #require(executable, missingReason, sourceLocation: sourceLocation)
        let folder = try TemporaryFolder()
        // Files rather than pipes: a pipe that nobody reads fills and blocks a chatty process.
        let outputURL = folder.url.appendingPathComponent("stdout"), errorURL = folder.url.appendingPathComponent("stderr")
        for url in [outputURL, errorURL] {
            try Data().write(to: url)
        }
        let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
        defer { try? output.close(); try? error.close() }

        let process = Process()
        process.executableURL = launcher.first.map(URL.init(fileURLWithPath:)) ?? executable
        process.arguments = launcher.isEmpty ? arguments : launcher.dropFirst() + [executable.path] + arguments
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment {
            variables[name] = value
        }
        process.environment = variables
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let deadline = Date().addingTimeInterval(timeLimit)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\((launcher + [name]).joined(separator: " ")) \(arguments) ran for more than \(timeLimit) s", sourceLocation: sourceLocation)
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Outcome(status: status,
                       standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
                       standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }
}
