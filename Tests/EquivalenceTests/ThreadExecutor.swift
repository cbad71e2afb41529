import Foundation
import Testing

/// Runs every job of the tasks that prefer it on one thread of its own, so that all the OpenCL
/// calls of a task come from one thread.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        Thread { [self] in run() }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Ends the thread once the jobs enqueued so far have run.
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func run() {
        while true {
            let job: UnownedJob? = condition.withLock {
                while jobs.isEmpty && !stopped { condition.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let job else { return }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

@Suite("ThreadExecutor keeps a task, its awaits and its child tasks on one thread")
struct ThreadExecutorTests {
    @Test("every job of a task that prefers the executor runs on the executor's one thread")
    func oneThread() async {
        let executor = ThreadExecutor()
        defer { executor.stop() }
        let threads = await withTaskExecutorPreference(executor) {
            var seen = [pthread_self()]
            for _ in 0..<20 {
                await Task.yield()
                seen.append(pthread_self())
            }
            seen += await withTaskGroup(of: pthread_t.self) { group in
                for _ in 0..<8 { group.addTask { await Task.yield(); return pthread_self() } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            return seen
        }
        #expect(Set(threads).count == 1, "the jobs ran on \(Set(threads).count) threads")
    }
}
