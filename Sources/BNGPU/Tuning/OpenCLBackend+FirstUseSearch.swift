import BNCore
import FoundationEssentials

extension OpenCLBackend {
    /// What each first-use search of this backend found (``Autotuning/onFirstUse(budgetPerClass:savingTo:)``),
    /// in the order they ran: how long each took and what it gained.
    public var firstUseSearches: [AutotunedClass] {
        runner.withLock { $0.tuning.firstUseSearches }
    }

    /// Before a pass on `geometry` runs: searches its class when first-use search is on, no table
    /// has a row for the class, no launch settings are forced, and no other pass is searching it
    /// or has failed to. The search runs outside the backend's lock, so other passes go on
    /// meanwhile (those of the class with its candidates). A failed search or save never fails the
    /// pass: the class keeps the heuristic (or the rows stay unsaved), and the log says why and what to do.
    func searchOnFirstUse(_ geometry: FeatureGeometry) {
        guard case let .onFirstUse(budget, destination) = autotuning else { return }
        guard let target = try? (geometry.groups > 1 ? geometry.group() : geometry) else { return }
        let shapeClass = ShapeClass(target)
        let claimed = runner.withLock { runner in
            let tuning = runner.tuning
            guard tuning.override == nil, tuning.rows[shapeClass] == nil, !tuning.searching.contains(shapeClass),
                  !tuning.failedSearches.contains(shapeClass) else { return false }
            runner.tuning.searching.insert(shapeClass)
            return true
        }
        guard claimed else { return }
        Self.log.notice("""
            searching launch settings for \(shapeClass) shapes (first use, \(target.shape) \(target.mode), \
            at most \(budget) on \(device.name)); BN_AUTOTUNE=0 turns this search off
            """)
        let record: AutotunedClass
        do {
            defer { runner.withLock { _ = $0.tuning.searching.remove(shapeClass) } }
            record = try search(shapeClass, shape: target.shape, options: BatchNormOptions(mode: target.mode), budget: budget)
        } catch {
            runner.withLock { _ = $0.tuning.failedSearches.insert(shapeClass) }
            Self.log.warning("""
                the search of launch settings for \(shapeClass) shapes failed (\(error)); they keep the \
                heuristic settings in this backend. Run OpenCLBackend.autotune(for:) with shapes that fit, \
                or set BN_AUTOTUNE=0
                """)
            return
        }
        runner.withLock { $0.tuning.firstUseSearches.append(record) }
        guard let url = destination.url else {
            let reason = destination == .nowhere ? "as asked" : "no BN_TUNING_FILE, XDG_CACHE_HOME or HOME says where the user's table is"
            Self.log.notice("found \(record); not saved: \(reason)")
            return
        }
        do {
            try saveRows(to: url)
            Self.log.notice("found \(record); saved to \(url.path)")
        } catch {
            Self.log.warning("""
                the launch settings found for \(shapeClass) shapes serve this backend only: \(error). \
                Set BN_TUNING_FILE to a writable file to keep them for later processes
                """)
        }
    }
}
