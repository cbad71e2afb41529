/// One kernel's arguments as one value: which kernel, and every argument in the kernel's parameter
/// order under the kernel's own name for it.
///
/// Each kernel has one function that makes its call, beside the routine that enqueues it
/// (`KernelCall.normalizePlanar(…)` in `Passes/ForwardPass.swift`): its labels are the kernel's
/// parameters in order, in camel case, typed as the routine passes them (a buffer stands for its
/// pointer and the `_offset` after it; an optional one may be NULL), and its body names each as the
/// `.cl` file does. The names follow one rule: the Swift label is the kernel's name in camel case,
/// less the `_arg` that marks a `ulong` the kernel narrows into an `index_t` of the same name.
/// `KernelSignatureTests` builds every program with `-cl-kernel-arg-info` and holds each call's
/// names and kinds to the compiler's, so that a changed signature fails there and not on a device.
///
/// A call that passes fused operands or a variance to normalize from says so in `operands`, which
/// picks the build that reads them (``OperandCase``); its function sets it from the same values it
/// passes, so that the two cannot disagree.
struct KernelCall {
    let kernel: KernelName
    let operands: OperandCase
    let arguments: KeyValuePairs<String, KernelArgument>

    init(_ kernel: KernelName, operands: OperandCase = OperandCase(), _ arguments: KeyValuePairs<String, KernelArgument>) {
        self.kernel = kernel
        self.operands = operands
        self.arguments = arguments
    }

    /// The parameters the call fills, in order.
    var parameters: [KernelParameter] {
        arguments.flatMap { $0.value.parameters(named: $0.key) }
    }
}
