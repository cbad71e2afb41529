extension Report {
    /// The aligned text table: one line per row; skipped rows say why.
    var table: String {
        // dtype and fuse only when the run varies them, so that a plain run's table stays as it was
        let extra = showsStorageAndFusion, norm = showsNormalization
        let titles = ["shape", "layout", "pass"] + (extra ? ["dtype", "fuse"] : []) + (norm ? ["norm"] : [])
            + ["variant", "median ms", "min ms", "wall ms", "GB/s", "%copy", "max err", "×CPU", "settings"]
        // shape, layout, pass, (dtype, fuse,) (norm,) variant and the settings' origin; the numbers align right
        let leftAligned = 4 + (extra ? 2 : 0) + (norm ? 1 : 0)
        var cells: [[String]] = []
        var notes: [Int: String] = [:]
        for outcome in outcomes {
            switch outcome {
            case let .measured(row):
                cells.append(leading(row.benchCase, extra, norm) + [
                    row.variant, Format.milliseconds(row.kernel.median), Format.milliseconds(row.kernel.minimum),
                    Format.milliseconds(row.wall.median), Format.decimal(row.gbps, digits: 2),
                    Format.decimal(100 * row.fractionOfCopy, digits: 1), Format.error(row.maxRelativeError),
                    Format.decimal(row.speedupVersusCPU, digits: 2), row.settings,
                ])
            case let .skipped(skipped):
                notes[cells.count] = "skipped: \(skipped.reason)"
                cells.append(leading(skipped.benchCase, extra, norm))
            }
        }
        var widths = titles.map(\.count)
        for row in cells {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column < leftAligned || column == titles.count - 1 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var lines = [line(titles), String(repeating: "-", count: widths.reduce(2 * (widths.count - 1), +))]
        for (index, row) in cells.enumerated() {
            if let note = notes[index] {
                lines.append(line(row) + "  " + note)
            } else {
                lines.append(line(row))
            }
        }
        return lines.map { $0.trailingWhitespaceRemoved }.joined(separator: "\n")
    }

    /// The cells that name a row: shape, layout, pass, with `extra` dtype and fuse, with `norm` the normalization.
    private func leading(_ benchCase: BenchCase, _ extra: Bool, _ norm: Bool) -> [String] {
        [benchCase.spec.description, benchCase.layout.rawValue, benchCase.pass.rawValue]
            + (extra ? [benchCase.storage.shortName, benchCase.activation.reportName] : [])
            + (norm ? [benchCase.normalization.rawValue] : [])
    }
}

extension String {
    /// The string without spaces at its end.
    fileprivate var trailingWhitespaceRemoved: String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}
