import BNCore

extension CPUBackend {
    public func backward(
        dy: HostBuffer, y: HostBuffer?, x: HostBuffer, shape: TensorShape, gamma: HostBuffer?,
        statistics: BackwardStatistics<HostBuffer>, options: BatchNormOptions,
        dx: HostBuffer, dz: HostBuffer?, dGamma: HostBuffer, dBeta: HostBuffer
    ) throws {
        let geometry = try Operands.backward(dy: dy, x: x, gamma: gamma, statistics: statistics,
                                             dx: dx, dGamma: dGamma, dBeta: dBeta)
            .addingBackwardFusion(y: y, dz: dz, checksOutputs: true).checked(shape: shape, options: options)
        let (mean, invStd) = switch statistics {
        case .batch(let mean, let invStd), .renormalized(let mean, let invStd, _, _):
            (mean.values.map(Double.init), invStd.values.map(Double.init))
        case .running(let mean, let variance):
            (mean.values.map(Double.init), inverseStd(of: variance.values, epsilon: options.epsilon))
        }
        gradients(dy: dy, y: y, x: x, geometry: geometry, gamma: gamma, mean: mean, invStd: invStd,
                  usesBatchStatistics: statistics.isBatch,
                  corrections: statistics.corrections.map { Renormalized(r: $0.r.values, d: $0.d.values) },
                  dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
    }

    /// dβ = Σ dy and dγ = Σ dy·x̂ with x̂ = (x − mean)·invStd; then dx by the closed form.
    /// With batch statistics, dx = γ·invStd/m·(m·dy − dβ − x̂·dγ), since the mean and variance depend
    /// on x; with frozen statistics they are constants and dx = dy·γ·invStd. Renormalized statistics
    /// take γ·r for γ in dx and give dγ = r·Σ dy·x̂ + d·Σ dy, r and d being constants. A fused pass's
    /// y masks dy first, and dz receives the masked dy.
    ///
    /// With batch statistics, `mean` is the float rounding of x's batch mean; what the rounding lost,
    /// Σ(x − mean)/m, is recovered from x, so that x̂ is centered on the batch mean itself (see
    /// ``BNCore/BatchNormBackend/backward(dy:y:x:shape:gamma:statistics:options:dx:dz:dGamma:dBeta:)``).
    private func gradients(
        dy: HostBuffer, y: HostBuffer?, x: HostBuffer, geometry: FeatureGeometry, gamma: HostBuffer?,
        mean givenMean: [Double], invStd: [Double], usesBatchStatistics: Bool, corrections: Renormalized?,
        dx: HostBuffer, dz: HostBuffer?, dGamma: HostBuffer, dBeta: HostBuffer
    ) {
        // a fused pass's dy, masked by its output: dy where the output is not <= 0, else 0 (PyTorch's
        // threshold_backward, so a NaN output passes dy)
        let dyValues = y.map { zip(dy.values, $0.values).map { gradient, output in output <= 0 ? 0 : gradient } }
            ?? dy.values
        let xValues = x.values, gammaValues = gamma?.values
        // with virtual batches every statistic and sum is per group and feature (`statistic`), and
        // dγ and dβ add the groups' sums
        var mean = givenMean
        if usesBatchStatistics {
            var residual = [Double](repeating: 0, count: geometry.statisticsCount)
            geometry.forEachElement { index, _, statistic in
                residual[statistic] += Double(xValues[index]) - givenMean[statistic]
            }
            let m = Double(geometry.valuesPerFeature)
            mean = zip(givenMean, residual).map { $0 + $1 / m }
        }
        var sumDy = [Double](repeating: 0, count: geometry.statisticsCount)
        var sumDyXhat = [Double](repeating: 0, count: geometry.statisticsCount)
        geometry.forEachElement { index, _, statistic in
            let xhat = (Double(xValues[index]) - mean[statistic]) * invStd[statistic]
            sumDy[statistic] += Double(dyValues[index])
            sumDyXhat[statistic] += Double(dyValues[index]) * xhat
        }
        let m = Double(geometry.valuesPerFeature)
        var gradient = [Float](repeating: 0, count: geometry.elementCount)
        geometry.forEachElement { index, feature, statistic in
            let scale = Double(gammaValues?[feature] ?? 1) * invStd[statistic] * (corrections?.r[statistic] ?? 1)
            let g = Double(dyValues[index])
            if usesBatchStatistics {
                let xhat = (Double(xValues[index]) - mean[statistic]) * invStd[statistic]
                gradient[index] = Float(scale / m * (m * g - sumDy[statistic] - xhat * sumDyXhat[statistic]))
            } else {
                gradient[index] = Float(scale * g)
            }
        }
        dx.values = gradient
        let features = geometry.features
        let groupDGamma = sumDyXhat.indices.map { statistic in
            guard let corrections else { return sumDyXhat[statistic] }
            return corrections.r[statistic] * sumDyXhat[statistic] + corrections.d[statistic] * sumDy[statistic]
        }
        dGamma.values = (0..<features).map { f in
            Float(stride(from: f, to: groupDGamma.count, by: features).reduce(0) { $0 + groupDGamma[$1] })
        }
        dBeta.values = (0..<features).map { f in
            Float(stride(from: f, to: sumDy.count, by: features).reduce(0) { $0 + sumDy[$1] })
        }
        dz?.values = dyValues
    }
}
