// The umbrella module: `import BatchNorm` gives the protocol and value types, both backends and
// backend selection.
@_exported import BNCore
@_exported import BNCPU
@_exported import BNGPU
