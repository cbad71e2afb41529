/// Launch settings measured per device: for each device and driver version, one ``LaunchSettings``
/// per ``ShapeClass``.
///
/// A table is keyed by the exact device name and driver version, because a new driver can move the
/// best settings as much as a new device does. The text form (``text``, ``init(text:source:)``) is
/// what `bn-gpu-bench tune` writes and what ships in the library.
package struct TuningTable: Hashable, Sendable {
    /// The settings measured on one device with one driver version.
    package struct Entry: Hashable, Sendable {
        /// The device's `CL_DEVICE_NAME`, as the device reports it.
        package var deviceName: String
        /// The device's `CL_DRIVER_VERSION`, as the device reports it.
        package var driverVersion: String
        /// The settings for each class of shapes measured; a class without a row falls back to the
        /// launch heuristics.
        package var rows: [ShapeClass: LaunchSettings]

        /// An entry with every value given.
        /// - Parameters:
        ///   - deviceName: The device's `CL_DEVICE_NAME`.
        ///   - driverVersion: The device's `CL_DRIVER_VERSION`.
        ///   - rows: The settings for each class of shapes measured; empty by default.
        package init(deviceName: String, driverVersion: String, rows: [ShapeClass: LaunchSettings] = [:]) {
            self.deviceName = deviceName
            self.driverVersion = driverVersion
            self.rows = rows
        }

        /// Whether this entry is for the device and driver version given (exact, case-sensitive).
        /// - Parameters:
        ///   - deviceName: A device's `CL_DEVICE_NAME`.
        ///   - driverVersion: A device's `CL_DRIVER_VERSION`.
        /// - Returns: `true` when both are equal to this entry's.
        package func matches(deviceName: String, driverVersion: String) -> Bool {
            self.deviceName == deviceName && self.driverVersion == driverVersion
        }
    }

    /// The entries, at most one per device name and driver version; lookups take the first match.
    package var entries: [Entry]

    /// A table of the entries given.
    /// - Parameter entries: The entries; none by default.
    package init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// The entry for a device and driver version.
    /// - Parameters:
    ///   - deviceName: The device's `CL_DEVICE_NAME`, matched exactly.
    ///   - driverVersion: The device's `CL_DRIVER_VERSION`, matched exactly.
    /// - Returns: The first entry for both, or nil when the table has none.
    package func entry(deviceName: String, driverVersion: String) -> Entry? {
        entries.first { $0.matches(deviceName: deviceName, driverVersion: driverVersion) }
    }

    /// The settings for one class of shapes on a device and driver version.
    /// - Parameters:
    ///   - deviceName: The device's `CL_DEVICE_NAME`, matched exactly.
    ///   - driverVersion: The device's `CL_DRIVER_VERSION`, matched exactly: settings measured with
    ///     another driver version are not used.
    ///   - shapeClass: The class of the call's shape.
    /// - Returns: The settings, or nil when the table has no entry for the device and driver version
    ///   or the entry has no row for the class.
    package func settings(deviceName: String, driverVersion: String, shapeClass: ShapeClass) -> LaunchSettings? {
        entry(deviceName: deviceName, driverVersion: driverVersion)?.rows[shapeClass]
    }

    /// This table's entries, then the other's for devices and driver versions this table lacks.
    ///
    /// An entry replaces the other's whole entry for the same device name and driver version, not
    /// row by row: rows measured together stay together.
    /// - Parameter other: The table whose entries give way, for example the shipped one under the
    ///   user's.
    /// - Returns: The merged table.
    package func merging(_ other: TuningTable) -> TuningTable {
        let added = other.entries.filter { entry(deviceName: $0.deviceName, driverVersion: $0.driverVersion) == nil }
        return TuningTable(entries: entries + added)
    }
}
