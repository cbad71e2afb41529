import Synchronization

/// A count of the live OpenCL wrappers of one context, by kind: how tests see that a backend
/// releases everything it made, and that a training loop makes nothing it keeps.
///
/// Each ``Context`` owns one ledger, and every wrapper made in the context (the context itself, its
/// command queue, programs, kernels, buffers and events) holds it, counts itself in when its handle
/// exists and out in `deinit`. Since the ledger belongs to one context, tests running in parallel
/// in one process count their own backends only. Counting is one relaxed atomic add per wrapper
/// made or released: nothing next to the OpenCL call that creates the object.
final class ResourceLedger: Sendable {
    /// The kinds of wrapper a ledger counts: ``Context``, ``CommandQueue``, ``Program``, ``Kernel``,
    /// ``OpenCLBuffer`` and ``OpenCLEvent``.
    enum Kind {
        case context, queue, program, kernel, buffer, event
    }

    /// The live wrappers of each kind at one moment; a new value counts none.
    struct Counts: Hashable, CustomStringConvertible {
        var contexts = 0, queues = 0, programs = 0, kernels = 0, buffers = 0, events = 0

        /// Every live wrapper.
        var total: Int { contexts + queues + programs + kernels + buffers + events }

        /// Reads as `1 context, 1 queue, 5 programs, 14 kernels, 4 buffers, 0 events`.
        var description: String {
            "\(contexts) context\(contexts == 1 ? "" : "s"), \(queues) queue\(queues == 1 ? "" : "s"), "
                + "\(programs) programs, \(kernels) kernels, \(buffers) buffers, \(events) events"
        }
    }

    private let contexts = Atomic<Int>(0)
    private let queues = Atomic<Int>(0)
    private let programs = Atomic<Int>(0)
    private let kernels = Atomic<Int>(0)
    private let buffers = Atomic<Int>(0)
    private let events = Atomic<Int>(0)

    /// Counts a wrapper in: its `init` calls this once its handle exists.
    /// - Parameter kind: What the wrapper owns.
    func opened(_ kind: Kind) {
        add(1, to: kind)
    }

    /// Counts a wrapper out: its `deinit` calls this.
    /// - Parameter kind: What the wrapper owned.
    func closed(_ kind: Kind) {
        add(-1, to: kind)
    }

    /// The live wrappers now. Relaxed reads: exact once the tasks that made and released wrappers
    /// have finished, as a test arranges before it reads.
    var counts: Counts {
        Counts(contexts: contexts.load(ordering: .relaxed), queues: queues.load(ordering: .relaxed),
               programs: programs.load(ordering: .relaxed), kernels: kernels.load(ordering: .relaxed),
               buffers: buffers.load(ordering: .relaxed), events: events.load(ordering: .relaxed))
    }

    private func add(_ delta: Int, to kind: Kind) {
        switch kind {
        case .context: contexts.wrappingAdd(delta, ordering: .relaxed)
        case .queue: queues.wrappingAdd(delta, ordering: .relaxed)
        case .program: programs.wrappingAdd(delta, ordering: .relaxed)
        case .kernel: kernels.wrappingAdd(delta, ordering: .relaxed)
        case .buffer: buffers.wrappingAdd(delta, ordering: .relaxed)
        case .event: events.wrappingAdd(delta, ordering: .relaxed)
        }
    }
}
