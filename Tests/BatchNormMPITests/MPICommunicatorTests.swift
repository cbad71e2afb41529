import BatchNorm
@testable import BatchNormMPI
import Testing

/// What MPICommunicator does in a process where MPI never started; the collectives themselves run
/// under mpirun in BNSyncTests.
@Suite("MPICommunicator without MPI running")
struct MPICommunicatorTests {
    @Test("an engine's handle before MPI is initialized is refused, and MPI is not started for it")
    func handleBeforeInitialization() {
        #expect {
            _ = try MPICommunicator(fortranHandle: 3)
        } throws: { error in
            guard case let BatchNormError.communicatorFailed(operation, detail) = error else { return false }
            return operation == "MPI_Comm_f2c" && detail.contains("handle 3 names no communicator")
        }
        // Still not initialized: a collective is still refused.
        #expect(throws: BatchNormError.self) { try MPIStatus.checkRunning("MPI_Allgather") }
    }

    @Test("finalize leaves MPI alone when no MPICommunicator started it")
    func finalizeWithoutInitialization() throws {
        #expect(try MPICommunicator.finalize() == false)
    }
}
