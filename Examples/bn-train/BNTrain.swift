import ArgumentParser
import BatchNorm

/// `bn-train`: trains one network with batch norm and one without, from the same initial weights,
/// and reports how many epochs each needs to reach a target accuracy.
@main
struct BNTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bn-train",
        abstract: "Train an MLP with and without batch norm and compare how fast each learns.")

    func run() throws {
        print("not yet")
    }
}
