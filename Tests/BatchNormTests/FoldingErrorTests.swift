import BatchNorm
import Testing

/// Every way a fold can be wrong throws the error that names the argument and says what to do.
@Suite("Folding refuses what cannot fold")
struct FoldingErrorTests {
    /// The arguments of one fold: a dense layer 3 → 4, valid until a case changes one.
    struct Arguments {
        var gamma: [Float]? = [1, 2, 0.5, -1]
        var beta: [Float]? = [0, 1, 0, -1]
        var running = RunningStatistics(mean: [0.5, -1, 2, 0], variance: [1, 0.25, 4, 0])
        var options = BatchNormOptions()
        var weights = [Float](repeating: 0.5, count: 12)
        var bias: [Float]? = [0, 0, 1, 1]
        var outputChannels = 4

        func fold() throws -> FoldedLayer {
            try FoldedLayer.folding(gamma: gamma, beta: beta, running: running, options: options,
                                    intoWeights: weights, bias: bias, outputChannels: outputChannels)
        }
    }

    /// A change that makes the arguments wrong, the argument the error must name and a fragment its
    /// description must hold.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var argument: String
        var fragment: String
        var change: @Sendable (inout Arguments) -> Void

        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "no output channels", argument: "outputChannels", fragment: "is 0; a layer has at least 1 output channel") {
            $0.outputChannels = 0
        },
        Case(label: "negative output channels", argument: "outputChannels", fragment: "is -4") { $0.outputChannels = -4 },
        Case(label: "no weights", argument: "weights", fragment: "has 0 elements, which is not a positive multiple of 4") {
            $0.weights = []
        },
        Case(label: "weights not a multiple of the channels", argument: "weights", fragment: "transpose kernels stored output channels last") {
            $0.weights.removeLast()
        },
        Case(label: "bias of another length", argument: "bias", fragment: "bias has 3 elements but the layer has 4 output channels; give one value per output channel, or nil for a layer without bias") {
            $0.bias = [0, 0, 0]
        },
        Case(label: "γ of another length", argument: "gamma", fragment: "or nil for γ = 1") { $0.gamma = [1, 1, 1, 1, 1] },
        Case(label: "β of another length", argument: "beta", fragment: "or nil for β = 0") { $0.beta = [] },
        Case(label: "running mean of another length", argument: "running.mean", fragment: "running.mean has 2 elements") {
            $0.running.mean = [0, 0]
        },
        Case(label: "running variance of another length", argument: "running.variance", fragment: "running.variance has 5 elements") {
            $0.running.variance = [1, 1, 1, 1, 1]
        },
        Case(label: "a convolution's per-activation statistics", argument: "running.mean",
             fragment: "only a per-channel (.spatial) batch norm folds") {
            // A conv output of 2×2 positions per channel: per-activation statistics have 16 values.
            $0.options.mode = .perActivation
            $0.gamma = nil
            $0.beta = nil
            $0.running = RunningStatistics(channels: 16)
        },
        Case(label: "negative running variance", argument: "running.variance[2]", fragment: "running.variance[2] is -0.5; a variance is finite and at least 0") {
            $0.running.variance[2] = -0.5
        },
        Case(label: "NaN running variance", argument: "running.variance[0]", fragment: "is nan") { $0.running.variance[0] = .nan },
        Case(label: "infinite running variance", argument: "running.variance[3]", fragment: "is inf") {
            $0.running.variance[3] = .infinity
        },
    ]

    @Test("an argument that cannot fold throws invalidFolding naming it", arguments: cases)
    func invalidFolding(testCase: Case) throws {
        var arguments = Arguments()
        _ = try arguments.fold()
        testCase.change(&arguments)
        let error = #expect(throws: BatchNormError.self) { try arguments.fold() }
        guard case let .invalidFolding(argument, _) = error else {
            Issue.record("expected invalidFolding, got \(String(describing: error))")
            return
        }
        #expect(argument == testCase.argument)
        #expect(error?.description.hasPrefix("cannot fold batch norm into the preceding layer: \(argument) ") == true)
        #expect(error?.description.contains(testCase.fragment) == true, "\(error?.description ?? "") lacks \(testCase.fragment)")
    }

    @Test("options every pass refuses are refused here too", arguments: [
        ("epsilon", BatchNormOptions(epsilon: 0)), ("epsilon", BatchNormOptions(epsilon: -1e-5)),
        ("epsilon", BatchNormOptions(epsilon: .nan)), ("epsilon", BatchNormOptions(epsilon: .infinity)),
        ("momentum", BatchNormOptions(momentum: 1.5)),
    ])
    func invalidOptions(name: String, options: BatchNormOptions) throws {
        var arguments = Arguments()
        arguments.options = options
        let error = #expect(throws: BatchNormError.self) { try arguments.fold() }
        guard case let .invalidOption(thrownName, _, _) = error else {
            Issue.record("expected invalidOption, got \(String(describing: error))")
            return
        }
        #expect(thrownName == name)
    }

    @Test("the first problem is the one reported: channels, then weights, then options, then lengths, then values")
    func order() throws {
        var arguments = Arguments()
        arguments.running.variance = [-1, -1, -1, -1]
        arguments.bias = []
        arguments.options.epsilon = 0
        arguments.weights = [1]
        arguments.outputChannels = 0
        for expected in ["outputChannels", "weights", "epsilon", "bias", "running.variance[0]"] {
            do {
                _ = try arguments.fold()
                Issue.record("expected an error naming \(expected)")
            } catch let BatchNormError.invalidFolding(argument, _) {
                #expect(argument == expected)
            } catch let BatchNormError.invalidOption(name, _, _) {
                #expect(name == expected)
            }
            switch expected {
            case "outputChannels": arguments.outputChannels = 4
            case "weights": arguments.weights = [Float](repeating: 1, count: 8)
            case "epsilon": arguments.options.epsilon = 1e-5
            case "bias": arguments.bias = nil
            default: break
            }
        }
    }
}
