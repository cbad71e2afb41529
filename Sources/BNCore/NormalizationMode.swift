/// Which values share one mean and one variance.
public enum NormalizationMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// One feature per channel, reduced over N and every spatial position (`BatchNorm2d`, cuDNN's
    /// `SPATIAL`). Per-feature arrays have C elements.
    case spatial
    /// Every C×spatial element is its own feature, reduced over N alone (cuDNN's `PER_ACTIVATION`).
    /// Per-feature arrays have C×spatial elements, in the order of one sample of x in its layout.
    case perActivation

    public var description: String { rawValue }
}
