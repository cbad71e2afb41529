import BNCore
import FoundationEssentials

/// Where a backend's launch settings come from.
public enum TuningOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The user's tuning table (`bn-gpu-bench tune` writes it) has a block for the device.
    case userTable(path: String)
    /// The table built into the library has a block for the device.
    case shippedTable
    /// No table names the device and driver: the launch settings come from a rule by device type.
    case heuristic
    /// ``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)`` or a first use
    /// (``Autotuning``) searched them in this backend (and saved them to `path`, when they were saved).
    case searched(path: String?)

    /// A word or two for a table cell: `user table`, `built-in table`, `heuristic`.
    public var label: String {
        switch self {
        case .userTable: "user table"
        case .shippedTable: "built-in table"
        case .heuristic: "heuristic"
        case .searched: "searched"
        }
    }

    public var description: String {
        switch self {
        case let .userTable(path): "tuning table \(path)"
        case .shippedTable: "built-in tuning table"
        case .heuristic: "no tuning table for this device and driver; heuristic settings"
        case let .searched(path): "searched in this process" + (path.map { ", saved to \($0)" } ?? "")
        }
    }
}

extension DeviceTuning {
    /// The tuning of a device: the user's table first (``TuningTable/userFileURL``), then the shipped
    /// one, matched by device name and driver version; classes without a row, and devices without a
    /// block, take ``LaunchSettings/heuristic(for:traversal:)``.
    /// - Throws: `BatchNormError.invalidTuningTable` when the user's table cannot be read.
    static func load(for device: OpenCLDeviceInfo, environment: [String: String]) throws -> (DeviceTuning, TuningOrigin) {
        if let entry = try TuningTable.loadUser(environment: environment).entry(deviceName: device.name,
                                                                               driverVersion: device.driverVersion) {
            let path = TuningTable.userFileURL(environment: environment)?.path ?? "?"
            return (DeviceTuning(rows: entry.rows, device: device), .userTable(path: path))
        }
        if let entry = TuningTable.shipped.entry(deviceName: device.name, driverVersion: device.driverVersion) {
            return (DeviceTuning(rows: entry.rows, device: device), .shippedTable)
        }
        return (DeviceTuning(rows: [:], device: device), .heuristic)
    }
}

extension OpenCLBackend {
    /// The launch settings this backend uses for a call.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call (the mode matters).
    /// - Returns: The settings of the shape's class (or the override, while one is set).
    /// - Throws: `BatchNormError` for a bad shape.
    package func launchSettings(for shape: TensorShape, options: BatchNormOptions) throws -> LaunchSettings {
        let shapeClass = ShapeClass(try FeatureGeometry(shape: shape, mode: options.mode))
        return runner.withLock { $0.tuning.settings(for: shapeClass) }
    }

    /// Where the launch settings of a call come from: ``tuningOrigin`` when that table has a row
    /// for the call's class of shapes, else ``TuningOrigin/heuristic``, which a class without a row
    /// takes even on a device the table names.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call (the mode matters).
    /// - Returns: The origin of the settings the call's kernels launch with.
    /// - Throws: `BatchNormError` for a bad shape.
    public func tuningOrigin(for shape: TensorShape, options: BatchNormOptions = BatchNormOptions()) throws -> TuningOrigin {
        let shapeClass = ShapeClass(try FeatureGeometry(shape: shape, mode: options.mode))
        return runner.withLock { runner in
            if runner.tuning.searched.contains(shapeClass) { return .searched(path: runner.tuning.searchSavedTo) }
            return runner.tuning.rows[shapeClass] != nil ? tuningOrigin : .heuristic
        }
    }

    /// Makes every call use `settings`, whatever its class, until called again with nil: how
    /// `bn-gpu-bench tune` tries candidates and `bn-gpu-bench --settings` tries one by hand.
    /// Results do not depend on the settings beyond float rounding; only speed does.
    /// - Parameter settings: The settings, or nil to return to the tuning table's.
    /// - Throws: `BatchNormError.invalidOption` for a value outside its range.
    package func overrideLaunchSettings(_ settings: LaunchSettings?) throws {
        if let problem = settings?.textProblem {
            throw BatchNormError.invalidOption(name: "launch settings", value: settings?.description ?? "", reason: problem)
        }
        runner.withLock { $0.tuning.override = settings }
    }
}

extension ShapeClass {
    /// The class of a call.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - mode: The normalization mode.
    /// - Throws: `BatchNormError` for a bad shape.
    public init(shape: TensorShape, mode: NormalizationMode) throws {
        self.init(try FeatureGeometry(shape: shape, mode: mode))
    }
}
