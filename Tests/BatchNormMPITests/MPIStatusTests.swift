import BatchNorm
@testable import BatchNormMPI
import Testing

/// MPI's error codes as thrown errors. The test process never initializes MPI: these run where a
/// call into MPI would abort the process, which is what the shim's state checks guard against.
@Suite("MPI errors")
struct MPIStatusTests {
    @Test("MPI_SUCCESS passes")
    func success() throws {
        try MPIStatus.check(0, "MPI_Allgather") { _ in "no error" }
    }

    @Test("an error code becomes communicatorFailed with the call, MPI's text and the code", arguments: [
        (CInt(15), "MPI_Allgather", "MPI_ERR_TRUNCATE: message truncated"),
        (CInt(5), "MPI_Comm_dup", "MPI_ERR_COMM: invalid communicator"),
    ])
    func failure(code: CInt, operation: String, text: String) {
        #expect(throws: BatchNormError.communicatorFailed(operation: operation, detail: "\(text) (MPI error code \(code))")) {
            try MPIStatus.check(code, operation) { $0 == code ? text : "another code" }
        }
    }

    @Test("the error says which call failed and what to check")
    func description() {
        let error = BatchNormError.communicatorFailed(operation: "MPI_Allgather", detail: "MPI_ERR_TRUNCATE: message truncated (MPI error code 15)")
        #expect(error.description.contains("MPI_Allgather"))
        #expect(error.description.contains("message truncated (MPI error code 15)"))
        #expect(error.description.contains("every member of the group must make the same calls"))
    }

    @Test("before MPI_Init, an error code gets a text that says why MPI gives none, without asking MPI")
    func textBeforeInitialization() {
        #expect(MPIStatus.describe(5) == "MPI is not running (not initialized, or finalized), so it gives no text for this code")
        #expect(throws: BatchNormError.communicatorFailed(operation: "MPI_Comm_f2c", detail: "MPI is not running (not initialized, or finalized), so it gives no text for this code (MPI error code 5)")) {
            try MPIStatus.check(5, "MPI_Comm_f2c")
        }
    }

    @Test("a collective before MPI_Init throws instead of letting MPI abort the process")
    func collectiveBeforeInitialization() {
        #expect {
            try MPIStatus.checkRunning("MPI_Allgather")
        } throws: { error in
            guard case let BatchNormError.communicatorFailed(operation, detail) = error else { return false }
            return operation == "MPI_Allgather" && detail.hasPrefix("MPI is not initialized; make an MPICommunicator")
        }
    }
}
