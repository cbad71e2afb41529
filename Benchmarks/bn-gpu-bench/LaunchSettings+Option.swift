import ArgumentParser
import BatchNorm

extension LaunchSettings {
    /// Parses `--settings`, whose error ArgumentParser prefixes with the option and the value: the
    /// message is the library's reason alone, so the value is not quoted three times.
    /// - Parameter text: The option's value, such as `vector=16 group=1 chunk=16384 columns=1 items=16384 resident=0`.
    /// - Returns: The settings.
    /// - Throws: `ValidationError` naming the field at fault.
    static func parseOption(_ text: String) throws -> LaunchSettings {
        do {
            return try LaunchSettings(parsing: text)
        } catch let BatchNormError.invalidOption(_, _, reason) {
            throw ValidationError(reason)
        }
    }
}
