import BatchNorm
import BNTestSupport
import Foundation
import Testing

/// The manual's device-resident example (EngineIntegration.md), compiled here and run on every backend.
func step(_ backend: AnyBatchNormBackend, x: AnyBatchNormBuffer, dy: AnyBatchNormBuffer, shape: TensorShape,
          running: inout RunningStatisticsBuffers<AnyBatchNormBuffer>,
          y: AnyBatchNormBuffer, mean: AnyBatchNormBuffer, invStd: AnyBatchNormBuffer,
          dx: AnyBatchNormBuffer, dGamma: AnyBatchNormBuffer, dBeta: AnyBatchNormBuffer) throws {
    try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: &running,
                                options: BatchNormOptions(), y: y, mean: mean, invStd: invStd)
    try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd),
                         options: BatchNormOptions(), dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
}

/// A residual block's batch norm in half precision: relu(bn(x) + z), then its gradients.
func residualStep(_ backend: AnyBatchNormBackend, x: [Float], z: [Float], gradient: [Float], shape: TensorShape,
                  running: inout RunningStatisticsBuffers<AnyBatchNormBuffer>) throws -> (dx: [Float], dz: [Float]) {
    let options = BatchNormOptions(fusion: .addRelu)
    let x16 = try backend.upload(x, as: .float16), z16 = try backend.upload(z, as: .float16)
    let out = try backend.makeBuffer(count: x.count, elementType: .float16)
    let mean = try backend.makeBuffer(count: shape.c), invStd = try backend.makeBuffer(count: shape.c)
    try backend.forwardTraining(x: x16, z: z16, shape: shape, gamma: nil, beta: nil, running: &running,
                                options: options, y: out, mean: mean, invStd: invStd)
    let dx = try backend.makeBuffer(count: x.count, elementType: .float16)
    let dz = try backend.makeBuffer(count: x.count, elementType: .float16)
    try backend.backward(dy: try backend.upload(gradient, as: .float16), y: out, x: x16, shape: shape, gamma: nil,
                         statistics: .batch(mean: mean, invStd: invStd), options: options, dx: dx, dz: dz,
                         dGamma: try backend.makeBuffer(count: shape.c), dBeta: try backend.makeBuffer(count: shape.c))
    return (try backend.download(dx), try backend.download(dz))
}

@Suite("The README and the manual stay true")
struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The fenced blocks of a language, with the indentation of a list item removed.
    static func blocks(_ language: String, in markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?, indent = 0
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if current == nil, trimmed == "```\(language)" {
                current = []
                indent = line.count - trimmed.count
            } else if current != nil, trimmed == "```" {
                blocks.append(current!.map { $0.dropFirst(min(indent, $0.prefix { $0 == " " }.count)) }.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The README, the manual's articles and the other READMEs: every Markdown file a reader is sent to.
    static func documents() throws -> [String: String] {
        let catalog = "Sources/BatchNorm/BatchNorm.docc"
        let articles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(catalog).path)
            .filter { $0.hasSuffix(".md") }.map { "\(catalog)/\($0)" }
        let paths = ["README.md", "Benchmarks/README.md", "Examples/bn-train/README.md", "Tests/README.md"] + articles
        return try Dictionary(uniqueKeysWithValues: paths.map { ($0, try text($0)) })
    }

    @Test("every Swift block of the README and the manual is code the build compiles")
    func swiftBlocksCompile() throws {
        let compiled = try Self.text("Examples/bn-quickstart/main.swift") + Self.text("Tests/BatchNormTests/ReadmeTests.swift")
            + Self.text("Examples/bn-sync/SynchronizedStep.swift") + Self.text("Tests/BNGPUTests/EngineStepTests.swift")
        let source = compiled.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        let documents = try Self.documents()
        #expect(Self.blocks("swift", in: documents["README.md"]!).first == (try Self.text("Examples/bn-quickstart/main.swift")))
        var count = 0
        for (path, markdown) in documents.sorted(by: { $0.key < $1.key }) {
            for block in Self.blocks("swift", in: markdown) {
                count += 1
                let body = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
                #expect(source.contains(body), "a Swift block of \(path) is not in the compiled sources:\n\(block)")
            }
        }
        // The quick start, the device-resident step, the layer, folding, the residual step, the
        // engine step, the MPI step, renormalization's two, virtual batches' and the fused
        // half-precision layer: a block lost in a move would otherwise go unnoticed.
        #expect(count == 11)
    }

    @Test("every relative link of the README and the manual names a file that exists")
    func relativeLinksResolve() throws {
        for (path, markdown) in try Self.documents() {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().relativePath
            var rest = markdown[...]
            while let open = rest.range(of: "](") {
                rest = rest[open.upperBound...]
                let target = rest.prefix { $0 != ")" && $0 != "#" }
                guard !target.isEmpty, !target.contains("://") else { continue }
                let file = Self.root.appendingPathComponent(folder).appendingPathComponent(String(target)).standardized.path
                #expect(FileManager.default.fileExists(atPath: file), "\(path) links to \(target), which does not exist")
            }
        }
    }

    @Test("the README opens with the set-up-and-run command and the test command, which CI runs")
    func commands() throws {
        let commands = Self.blocks("sh", in: try Self.text("README.md")).first?.split(separator: "\n") ?? []
        #expect(commands.count == 2)
        #expect(commands.first?.contains("apt-get install -y pocl-opencl-icd ocl-icd-opencl-dev opencl-headers clinfo") == true)
        #expect(commands.first?.hasSuffix("swift run -c release bn-gpu-bench") == true)
        let ci = try Self.text(".ci/run").split(separator: "\n")
        #expect(ci.last.map(String.init) == commands.last.map(String.init))
        #expect(ci.contains { $0.contains("apt-get install -y pocl-opencl-icd ocl-icd-opencl-dev opencl-headers clinfo") })
        // The README installs what CI installs, so that a fresh machine builds from the README alone.
        func packages(_ line: Substring?) -> [Substring] {
            guard let line, let start = line.range(of: "apt-get install -y ") else { return [] }
            return line[start.upperBound...].prefix { $0 != "&" }.split(separator: " ")
        }
        let installed = packages(ci.first { $0.contains("apt-get install -y") })
        #expect(installed.contains("zlib1g-dev") && installed.contains("libopenmpi-dev") && installed == packages(commands.first))
    }

    @Test("the layer example (Layer.md) runs: training output normalized, inference output from the running statistics",
          arguments: BackendKind.available)
    func layerExample(kind: BackendKind) throws {
        try layerExample(kind.make())
    }

    private func layerExample(_ backend: AnyBatchNormBackend) throws {
        let inputs = TestInputs(TestCase("MLP layer", TensorShape(n: 60, c: 100)), mode: .spatial)
        let (x, dy) = (inputs.x, inputs.dy)
        let layer = try BatchNormLayer(backend: backend, features: 100)  // γ = 1, β = 0, running (0, 1)
        let y = try layer.forward(x, shape: TensorShape(n: 60, c: 100))    // training: batch statistics
        let dx = try layer.backward(dy)                                     // dγ and dβ stay in the layer
        try layer.applyGradients(learningRate: 0.1)                         // one SGD step on γ and β
        layer.isTraining = false                                            // inference: running statistics
        let prediction = try layer.forward(x, shape: TensorShape(n: 60, c: 100))

        // Feature 0 of y has mean 0 and variance 1; dx has mean 0 per feature; inference differs.
        let column = stride(from: 0, to: y.count, by: 100).map { Double(y[$0]) }
        #expect(abs(column.reduce(0, +) / 60) < 1e-5)
        #expect(abs(column.map { $0 * $0 }.reduce(0, +) / 60 - 1) < 1e-3)
        #expect(abs(stride(from: 0, to: dx.count, by: 100).map { Double(dx[$0]) }.reduce(0, +)) < 1e-4)
        #expect(layer.gamma != [Float](repeating: 1, count: 100) && prediction != y)
    }

    @Test("the fused half-precision layer (Layer.md) runs: relu(bn(x)) stored in f16, dy masked where it is cut",
          arguments: BackendKind.available)
    func fusedLayerExample(kind: BackendKind) throws {
        let backend = try kind.make()
        let inputs = TestInputs(TestCase("conv block", TensorShape(n: 60, c: 16, h: 8, w: 8)), mode: .spatial)
        let (x, dy) = (inputs.x, inputs.dy)
        let block = try BatchNormLayer(backend: backend, features: 16,
                                       options: BatchNormOptions(fusion: .relu), storage: .float16)
        let activations = try block.forward(x, shape: TensorShape(n: 60, c: 16, h: 8, w: 8))  // relu(bn(x))
        let inputGradient = try block.backward(dy)                    // dy with respect to relu(bn(x))

        #expect(activations.allSatisfy { $0 >= 0 && Float(Float16($0)) == $0 })
        #expect(activations.filter { $0 == 0 }.count > activations.count / 4, "about half the outputs are cut")
        #expect(inputGradient.allSatisfy { Float(Float16($0)) == $0 } && inputGradient.contains { $0 != 0 })
    }

    @Test("the small-batch examples (SmallBatches.md) run: r and d come back, the layer follows the ramp, groups have their statistics",
          arguments: BackendKind.available)
    func renormalizationExamples(kind: BackendKind) throws {
        let backend = try kind.make()
        let shape = TensorShape(n: 8, c: 3, h: 2, w: 2)
        let inputs = TestInputs(TestCase("renorm", shape), mode: .spatial)
        let (x, dy, gamma, beta) = (inputs.x, inputs.dy, inputs.gamma, inputs.beta)
        var running = inputs.running
        running.batchesTracked = 1  // statistics of an earlier batch to correct toward
        var options = BatchNormOptions()
        options.renormalization = Renormalization(rMax: 3, dMax: 5)
        let forward = try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta,
                                                  running: &running, options: options)
        let gradients = try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma,
                                             statistics: forward.statistics, options: options)
        #expect(forward.corrections?.r.count == 3 && forward.corrections?.d.contains { $0 != 0 } == true)
        #expect(gradients.dGamma.count == 3)
        var grouped = BatchNormOptions()
        grouped.virtualBatchSize = 2
        let perGroup = try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta,
                                                   running: &running, options: grouped)
        #expect(perGroup.mean.count == 4 * 3 && perGroup.invStd.count == 4 * 3)

        let steps = 16
        let layer = try BatchNormLayer(backend: backend, features: 3)
        for step in 0..<steps {
            layer.options.renormalization = .ramp(step: step, warmUpSteps: steps / 8,
                                                  rMaxSteps: steps, dMaxSteps: steps * 5 / 8)
            _ = try layer.forward(x, shape: shape)
            _ = try layer.backward(dy)
            try layer.applyGradients(learningRate: 0.1)
        }
        // the first steps ran as batch norm (a correcting limit would have thrown on fresh statistics)
        let last = try #require(layer.options.renormalization)
        #expect(last.dMax == 5 && last.rMax > 2.8 && last.rMax < 3)
        #expect(layer.running.batchesTracked == steps && layer.gamma != [1, 1, 1])
    }

    @Test("the folding example (Folding.md): the folded dense layer gives what the layer and its batch norm gave")
    func foldingExample() throws {
        // A trained dense layer 3 → 2, weights [out][in] as PyTorch's Linear stores them, and its batch norm.
        let weights: [Float] = [0.5, -1, 2,
                                1, 0, -0.5]
        let bias: [Float] = [0.1, -0.2]
        let running = RunningStatistics(mean: [4, -3], variance: [2.5, 0.5])
        let folded = try FoldedLayer.folding(gamma: [1.5, 0.8], beta: [0, 1], running: running, options: BatchNormOptions(),
                                             intoWeights: weights, bias: bias, outputChannels: 2)
        // The layer with folded.weights and folded.bias gives what the layer and the batch norm gave.

        let layer = ReferenceLayer.dense(inputs: 3, outputs: 2)
        let x: [Float] = [1, 2, 3, -1, 0.5, 4, 7, -2, 0]
        let z = layer.apply(weights: weights, bias: bias, to: x, batch: 3).map(Float.init)
        let y = try CPUBackend().forwardInference(x: z, shape: TensorShape(n: 3, c: 2), gamma: [1.5, 0.8], beta: [0, 1],
                                                  running: running, options: BatchNormOptions())
        let foldedY = layer.apply(weights: folded.weights, bias: folded.bias, to: x, batch: 3).map(Float.init)
        // Both paths round a few O(1) terms to float (6e-8 each), judged at the RMS of y; FoldingTests
        // has the sweep and the derivation.
        expectClose(foldedY, y, tolerance: 1e-6, "the manual's folded dense layer (Folding.md)")
    }

    @Test("the device-resident step equals the array calls", arguments: BackendKind.available)
    func deviceResidentStep(kind: BackendKind) throws {
        try runStep(kind.make())
    }

    private func runStep(_ backend: AnyBatchNormBackend) throws {
        let testCase = TestCase("odd sizes", TensorShape(n: 5, c: 3, h: 13, w: 11))
        let inputs = TestInputs(testCase, mode: .spatial)
        let shape = testCase.shape
        var running = try backend.upload(inputs.running)
        let (y, mean, invStd) = (try backend.makeBuffer(count: inputs.x.count), try backend.makeBuffer(count: 3),
                                 try backend.makeBuffer(count: 3))
        let (dx, dGamma, dBeta) = (try backend.makeBuffer(count: inputs.x.count), try backend.makeBuffer(count: 3),
                                   try backend.makeBuffer(count: 3))
        try step(backend, x: try backend.upload(inputs.x), dy: try backend.upload(inputs.dy), shape: shape, running: &running,
                 y: y, mean: mean, invStd: invStd, dx: dx, dGamma: dGamma, dBeta: dBeta)

        var arrayRunning = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil, running: &arrayRunning,
                                                  options: BatchNormOptions())
        let backward = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: nil, statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: BatchNormOptions())
        #expect(try backend.download(y) == forward.y)
        #expect(try backend.download(running) == arrayRunning)
        #expect(try backend.download(dx) == backward.dx)
        #expect(try [backend.download(dGamma), backend.download(dBeta)] == [backward.dGamma, backward.dBeta])
    }

    @Test("the half-precision residual step runs on every backend: dz is the gradient where the output is positive")
    func residualStepRuns() throws {
        let shape = TensorShape(n: 4, c: 3, h: 5, w: 5)
        var random = SeededGenerator(seed: 7)
        let x = random.normals(300), z = random.normals(300), gradient = random.normals(300)
        var results: [[Float]] = []
        for kind in BackendKind.available {
            let backend = try kind.make()
            results.append(try runResidualStep(backend, x: x, z: z, gradient: gradient, shape: shape))
        }
        if results.count == 2 {
            expectClose(results[1], results[0], tolerance: 2 * ElementType.float16.unitRoundoff + Tolerance.openCL,
                        "dx of the manual's residual step (StorageAndFusion.md), OpenCL against the CPU reference")
        }
    }

    private func runResidualStep(_ backend: AnyBatchNormBackend, x: [Float], z: [Float], gradient: [Float],
                                 shape: TensorShape) throws -> [Float] {
        var running = try backend.upload(RunningStatistics(channels: shape.c))
        let (dx, dz) = try residualStep(backend, x: x, z: z, gradient: gradient, shape: shape, running: &running)
        let rounded = gradient.map(ElementType.float16.rounded)
        #expect(zip(dz, rounded).allSatisfy { $0 == 0 || $0 == $1 } && dz.contains(0) && dz.contains { $0 != 0 })
        #expect(running.batchesTracked == 1 && dx.allSatisfy(\.isFinite))
        return dx
    }
}
