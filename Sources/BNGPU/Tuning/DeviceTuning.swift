/// The launch settings of one device for every class of shapes: from a tuning table's rows where
/// it has them, else from ``LaunchSettings/heuristic(for:traversal:)``.
struct DeviceTuning: Sendable {
    /// Rows of a tuning table for this device.
    var rows: [ShapeClass: LaunchSettings]
    /// The device, whose heuristic (``LaunchSettings/heuristic(for:traversal:)``) classes without a row take.
    var device: OpenCLDeviceInfo
    /// Settings for every class while set (``OpenCLBackend/overrideLaunchSettings(_:)``), as the tuner needs.
    var override: LaunchSettings?
    /// The classes whose rows ``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)``
    /// found in this process.
    var searched: Set<ShapeClass> = []
    /// The table the last search saved its rows to, if it saved them.
    var searchSavedTo: String?
    /// The classes a first-use search is searching now: no other pass starts a search of them.
    var searching: Set<ShapeClass> = []
    /// The classes whose first-use search failed: they keep the heuristic and are not searched again.
    var failedSearches: Set<ShapeClass> = []
    /// What each first-use search found, in the order they ran.
    var firstUseSearches: [AutotunedClass] = []

    /// The settings of a class of shapes.
    func settings(for shapeClass: ShapeClass) -> LaunchSettings {
        override ?? rows[shapeClass] ?? LaunchSettings.heuristic(for: device, traversal: shapeClass.traversal)
    }
}
