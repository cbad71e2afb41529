// The umbrella module: `import BatchNorm` gives the protocol and value types, the layer and
// folding, synchronized batch norm, both backends and backend selection.
@_exported import BNCore
@_exported import BNLayer
@_exported import BNSynchronized
@_exported import BNCPU
@_exported import BNGPU
