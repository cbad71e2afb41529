import BNCore
@testable import BNGPU
import BNKernels
import BNTestSupport
import Foundation
import Testing

@Suite("Kernel programs", .enabled(if: TestBackends.hasOpenCLDevice))
struct ProgramBuildTests {
    @Test("a source that fails to build throws with the compiler's log")
    func buildFailure() throws {
        let context = try TestBackends.openCL().context
        #expect {
            try Program(context: context, source: "kernel void broken(global float* x) { x[0] = undeclared; }",
                        options: "", name: "broken")
        } throws: { error in
            guard case let BatchNormError.kernelBuildFailed(program, device, log) = error else { return false }
            return program == "broken" && device == context.device.info.name && log.contains("undeclared")
        }
    }

    @Test("every kernel builds in every variant and operand case, for every tensor storage",
          arguments: KernelVariant.IndexWidth.allCases, KernelVariant.vectorWidths)
    func everyKernel(width: KernelVariant.IndexWidth, vectorWidth: Int) throws {
        var library = KernelLibrary(context: try TestBackends.openCL().context)
        for storage in ElementType.allCases {
            for name in KernelName.allCases {
                let variant = KernelVariant(indexWidth: width, vectorWidth: vectorWidth, span: 16 / vectorWidth, storage: storage)
                let kernels = try library.everyCase(of: name, variant: variant)
                #expect(kernels.count == [.forward: 4, .backward: 2][name.family, default: 1], "\(name)")
                #expect(kernels.allSatisfy { $0.name == name.rawValue })
            }
        }
    }

    @Test("each kernel lives in the family file it names, and the embedded text is the file's")
    func embeddedSources() throws {
        let kernels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../kernels")
        for family in KernelSource.allCases {
            let onDisk = try String(contentsOf: kernels.appendingPathComponent("\(family.rawValue).cl"), encoding: .utf8)
            #expect(family.text == onDisk, "\(family.rawValue).cl differs from the embedded copy")
            #expect(family.text.hasPrefix("// \(family.rawValue).cl:"), "\(family.rawValue).cl lacks its header")
        }
        for name in KernelName.allCases {
            #expect(name.family.text.contains("kernel void \(name.rawValue)("), "\(name.rawValue) is not in \(name.family.rawValue).cl")
        }
    }

    @Test("each helper file is embedded as it is on disk and holds no kernel, and every .cl file is a family or a helper")
    func embeddedHelpers() throws {
        let kernels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../kernels")
        for helper in KernelHelper.allCases {
            let onDisk = try String(contentsOf: kernels.appendingPathComponent("\(helper.rawValue).cl"), encoding: .utf8)
            #expect(helper.text == onDisk, "\(helper.rawValue).cl differs from the embedded copy")
            #expect(helper.text.hasPrefix("// \(helper.rawValue).cl:"), "\(helper.rawValue).cl lacks its header")
            #expect(!helper.text.contains("kernel void"), "\(helper.rawValue).cl holds a kernel")
            #expect(KernelSource.allCases.contains { $0.helpers.contains(helper) }, "no family builds \(helper.rawValue).cl")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: kernels.path).filter { $0.hasSuffix(".cl") }
        let known = KernelSource.allCases.map(\.rawValue) + KernelHelper.allCases.map(\.rawValue)
        #expect(Set(files) == Set(known.map { "\($0).cl" }))
    }
}
