import BNCore
import FoundationEssentials

/// Where ``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)`` saves what it finds.
public enum TuningDestination: Sendable, Hashable {
    /// The user's table, where every backend looks first: `$BN_TUNING_FILE`, else
    /// `$XDG_CACHE_HOME/BatchNorm/tuning.txt`, else `~/.cache/BatchNorm/tuning.txt` (nowhere when
    /// none of them is set).
    case userTable
    /// A table file of the caller's.
    case file(URL)
    /// Nowhere: the rows serve this backend only.
    case nowhere

    /// The file, if any.
    var url: URL? {
        switch self {
        case .userTable: TuningTable.userFileURL
        case let .file(url): url
        case .nowhere: nil
        }
    }
}

/// One class of shapes a search tuned.
public struct AutotunedClass: Sendable, Hashable, CustomStringConvertible {
    /// The class, as a tuning table writes it: `interleaved large`.
    public let shapeClass: String
    /// The settings found, as a table row writes them.
    public let settings: String
    /// Seconds the three passes took with the settings found: the sum of each pass's median wall time.
    public let seconds: Double
    /// Seconds they took with the settings the class had before the search (the heuristic's).
    public let startSeconds: Double
    /// Settings timed, the starting ones included.
    public let tried: Int
    /// Seconds the search of this class took, program builds included.
    public let searchSeconds: Double

    /// `interleaved large: vector=16 group=4 ... (3 passes 111.2 ms, heuristic 160.9 ms; 19 settings in 2.0 s)`.
    public var description: String {
        func ms(_ seconds: Double) -> String { String(Int((seconds * 1e4).rounded())).withDecimal(1) }
        return "\(shapeClass): \(settings) (3 passes \(ms(seconds)) ms, before \(ms(startSeconds)) ms; "
            + "\(tried) settings in \(String(Int((searchSeconds * 10).rounded())).withDecimal(1)) s)"
    }
}

extension String {
    /// "1234" with `digits` of its digits after a decimal point: "123.4" for 1.
    fileprivate func withDecimal(_ digits: Int) -> String {
        let padded = String(repeating: "0", count: max(digits + 1 - count, 0)) + self
        return padded.dropLast(digits) + "." + padded.suffix(digits)
    }
}

extension OpenCLBackend {
    /// Searches launch settings for the classes of `shapes` that no tuning table has a row for,
    /// installs what it finds in this backend, and saves it in the user's table (with the rows the
    /// backend had from a table, which a user entry for the device must carry), so that a later
    /// backend on this device and driver (in any process) takes the rows from there and never
    /// searches again.
    ///
    /// An engine runs this ahead of time for its own shapes, so that no pass waits on a search.
    /// Each class gets `budgetPerClass`: starting from the settings the class has (the heuristic),
    /// each knob in turn tries its candidates (as `bn-gpu-bench tune` does, in
    /// ``LaunchSettings/budgetKnobOrder``), each timed by the wall
    /// time of a training, an inference and a backward pass on the class's first shape, until the
    /// budget is spent; the best settings so far stand. A class that a table already has a row for,
    /// or that this backend searched before, is left as it is. Settings change results only within
    /// float rounding (the suite runs every candidate against the CPU reference), so passes made
    /// after a search may differ from the same passes before it in their last bits.
    ///
    /// The search allocates x, y, dy and dx of each class's first shape on the device. Other calls
    /// may run on the backend meanwhile; those of a class being searched run with its candidates.
    /// - Parameters:
    ///   - shapes: The shapes the engine will run; classes are searched in the order their first
    ///     shapes come.
    ///   - options: The mode (which decides the class); the search times batch norm's own passes.
    ///   - budgetPerClass: The time each class may take, program builds included; zero keeps the
    ///     starting settings but still times and saves them.
    ///   - destination: The table file to merge the rows into (the device's other rows there are
    ///     kept): the user's table unless given.
    ///   - progress: Receives one line per class searched.
    /// - Returns: One record per class searched, in order; empty when every class has a row.
    /// - Throws: `BatchNormError` for a shape the passes refuse, before anything is searched;
    ///   `invalidTuningTable` when the destination cannot be read or written (the rows are then
    ///   installed but not saved); a device error.
    @discardableResult
    public func autotune(for shapes: [TensorShape], options: BatchNormOptions = BatchNormOptions(),
                         budgetPerClass: Duration = .seconds(2), savingTo destination: TuningDestination = .userTable,
                         progress: ((String) -> Void)? = nil) throws -> [AutotunedClass] {
        let options = BatchNormOptions(epsilon: options.epsilon, mode: options.mode)
        var firstShapes: [(ShapeClass, TensorShape)] = []
        for shape in shapes {
            let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
            guard geometry.valuesPerFeature >= 2 else {
                throw BatchNormError.tooFewValuesPerFeature(valuesPerFeature: geometry.valuesPerFeature, shape: shape,
                                                             mode: options.mode)
            }
            let shapeClass = ShapeClass(geometry)
            let known = runner.withLock { $0.tuning.rows[shapeClass] != nil || $0.tuning.searching.contains(shapeClass) }
            if !known, !firstShapes.contains(where: { $0.0 == shapeClass }) { firstShapes.append((shapeClass, shape)) }
        }
        var found: [AutotunedClass] = []
        for (shapeClass, shape) in firstShapes {
            let record = try search(shapeClass, shape: shape, options: options, budget: budgetPerClass)
            progress?(record.description)
            found.append(record)
        }
        if let url = destination.url, !found.isEmpty { try saveRows(to: url) }
        return found
    }

    /// Searches the settings of one class on `shape` within `budget`, and installs the best found
    /// (the class's row is a candidate meanwhile, and none again if the search throws).
    func search(_ shapeClass: ShapeClass, shape: TensorShape, options: BatchNormOptions,
                budget: Duration) throws -> AutotunedClass {
        let start = ContinuousClock.now
        let settingsBefore = runner.withLock { $0.tuning.settings(for: shapeClass) }
        let descent: LaunchSettings.Descent
        do {
            let workload = try AutotuneWorkload(shape: shape, options: options, on: self)
            descent = try LaunchSettings.descend(from: settingsBefore, device: device, knobs: LaunchSettings.budgetKnobOrder,
                                                 deadline: start + budget) { candidate in
                runner.withLock { $0.tuning.rows[shapeClass] = candidate }
                return try workload.cost()
            }
        } catch {
            runner.withLock { $0.tuning.rows[shapeClass] = nil }
            throw error
        }
        runner.withLock { runner in
            runner.tuning.rows[shapeClass] = descent.best
            runner.tuning.searched.insert(shapeClass)
        }
        return AutotunedClass(shapeClass: shapeClass.description, settings: descent.best.description,
                              seconds: descent.cost, startSeconds: descent.startCost, tried: descent.tried,
                              searchSeconds: (ContinuousClock.now - start) / .seconds(1))
    }

    /// Saves every row the backend runs with but those of classes being searched, the table's it
    /// started from included (a user entry for the device replaces the built-in one whole, so it
    /// must carry the built-in rows too), and remembers where.
    func saveRows(to url: URL) throws {
        let rows = runner.withLock { runner in runner.tuning.rows.filter { !runner.tuning.searching.contains($0.key) } }
        try save(rows, to: url)
        runner.withLock { $0.tuning.searchSavedTo = url.path }
    }

    /// Merges `rows` into this device's entry of the table at `url`, keeping its other rows and
    /// the other devices' entries.
    private func save(_ rows: [ShapeClass: LaunchSettings], to url: URL) throws {
        let existing = try TuningTable.load(from: url)?.entry(deviceName: device.name, driverVersion: device.driverVersion)
        var entry = existing ?? TuningTable.Entry(deviceName: device.name, driverVersion: device.driverVersion)
        entry.rows.merge(rows) { _, new in new }
        try TuningTable.save(TuningTable(entries: [entry]), to: url)
    }
}

/// The buffers of one shape's three passes, and their cost: the search's measure of a candidate.
private struct AutotuneWorkload {
    let backend: OpenCLBackend
    let shape: TensorShape
    let options: BatchNormOptions
    let x, y, dx, gamma, beta, mean, invStd, dGamma, dBeta: OpenCLBuffer
    var running: RunningStatisticsBuffers<OpenCLBuffer>

    init(shape: TensorShape, options: BatchNormOptions, on backend: OpenCLBackend) throws {
        let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        let count = geometry.elementCount, features = geometry.features
        (self.backend, self.shape, self.options) = (backend, shape, options)
        // values of every sign and a few magnitudes, the same every run
        x = try backend.upload((0..<count).map { Float(($0 &* 7919) % 2003) / 1001 - 1 })
        y = try backend.makeBuffer(count: count)
        dx = try backend.makeBuffer(count: count)
        gamma = try backend.upload([Float](repeating: 1, count: features))
        beta = try backend.upload([Float](repeating: 0, count: features))
        mean = try backend.makeBuffer(count: features)
        invStd = try backend.makeBuffer(count: features)
        dGamma = try backend.makeBuffer(count: features)
        dBeta = try backend.makeBuffer(count: features)
        running = try backend.upload(RunningStatistics(channels: features))
    }

    /// One untimed round (it builds a candidate's programs), then the summed medians of three timed
    /// runs of each pass: training, inference, backward (x standing in for dy).
    func cost() throws -> Double {
        var running = running
        let passes: [() throws -> Void] = [
            { try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running,
                                          options: options, y: y, mean: mean, invStd: invStd, corrections: nil) },
            { try backend.forwardInference(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: running,
                                           options: options, y: y) },
            { try backend.backward(dy: x, y: nil, x: x, shape: shape, gamma: gamma,
                                   statistics: .batch(mean: mean, invStd: invStd), options: options,
                                   dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta) },
        ]
        var total = 0.0
        for pass in passes {
            try pass()
            try backend.synchronize()
            var times: [Double] = []
            for _ in 0..<3 {
                let start = ContinuousClock.now
                try pass()
                try backend.synchronize()
                times.append((ContinuousClock.now - start) / .seconds(1))
            }
            total += times.sorted()[1]
        }
        return total
    }
}
