/// One file of a report: its name in the report's folder and its text.
struct ReportFile: Sendable, Hashable {
    /// The file name, without a folder: `digits-learning-curves.svg`.
    var name: String
    /// The file's text, written as UTF-8.
    var contents: String
}

extension ExperimentReport {
    /// The report's four files, each figure before its table: `<dataset>-learning-curves.svg` and
    /// `.csv`, `<dataset>-last-hidden-input.svg` and `.csv`.
    var files: [ReportFile] {
        [
            ReportFile(name: "\(fileStem)-learning-curves.svg", contents: learningCurvesChart.svg()),
            ReportFile(name: "\(fileStem)-learning-curves.csv", contents: learningCurvesTable.text),
            ReportFile(name: "\(fileStem)-last-hidden-input.svg", contents: lastHiddenInputChart.svg()),
            ReportFile(name: "\(fileStem)-last-hidden-input.csv", contents: lastHiddenInputTable.text),
        ]
    }
}
