import Foundation
import ZynqNetBase
import ZynqNetModel

/// A comma-separated table as text: RFC 4180 quoting (`"a,b"`, `""` for a quote inside),
/// LF or CRLF line ends, a UTF-8 byte-order mark, blank lines and lines starting with `#`
/// skipped. Every row remembers its 1-based line number for error messages.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]?
    public var rows: [[String]]
    public var lines: [Int]

    /// Parses `text`; `file` names the source in errors ("file: line L, column C: …").
    /// The first row is a header when one of its fields is not a number in a column whose
    /// second-row field is a number (or when all its fields are non-numeric).
    public static func parse(_ text: String, file: String) throws -> CSVTable {
        var records: [[String]] = []
        var recordLines: [Int] = []
        var field = ""
        var record: [String] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var column = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }

        func endRecord() {
            record.append(fieldWasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
            let blank = record.count == 1 && record[0].isEmpty && !fieldWasQuoted
            let comment = !fieldWasQuoted && (record.first?.hasPrefix("#") ?? false)
            if !blank && !comment {
                records.append(record)
                recordLines.append(recordLine)
            }
            record = []
            field = ""
            fieldWasQuoted = false
            afterQuote = false
        }

        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "," {
                record.append(fieldWasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""
                fieldWasQuoted = false
                afterQuote = false
                column = record.count + 1
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
                column = 1
            } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty && !fieldWasQuoted {
                inQuotes = true
                fieldWasQuoted = true
                field = ""
            } else if afterQuote {
                if c == " " || c == "\t" { i += 1; continue }
                throw ZynqError(file: file, "line \(line), column \(column): text after a closing quote")
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw ZynqError(file: file, "line \(recordLine), column \(column): quoted field is not closed before the end of the file")
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { endRecord() }

        guard let first = records.first else { throw ZynqError(file: file, "no rows") }
        var header: [String]? = nil
        let isNumber = { (s: String) in Float(s) != nil }
        if records.count >= 2 {
            let second = records[1]
            let mismatch = zip(first, second).contains { !isNumber($0) && isNumber($1) }
            if mismatch || first.allSatisfy({ !isNumber($0) }) && second.contains(where: isNumber) { header = first }
        } else if first.allSatisfy({ !isNumber($0) }) {
            header = first
        }
        var rows = records
        var lines = recordLines
        if header != nil {
            rows.removeFirst()
            lines.removeFirst()
        }
        let width = first.count
        for (r, row) in records.enumerated() where row.count != width {
            throw ZynqError(file: file, "line \(recordLines[r]): \(row.count) fields, but the first row has \(width)")
        }
        return CSVTable(header: header, rows: rows, lines: lines)
    }
}

extension LabeledData {
    /// Names a label column is recognized by when `--label-column` is not given.
    public static let labelColumnNames = ["label", "labels", "class", "target", "species", "y"]

    /// A labeled table from a CSV: every column but the label column is a numeric feature;
    /// labels are non-negative integers (the class index) or strings (classes numbered in
    /// sorted order). `labelColumn`: a header name, or a 0-based index (negative counts from
    /// the end); default: a column named like `labelColumnNames`, else the last one.
    public static func fromCSV(text: String, file: String, labelColumn: String? = nil) throws -> LabeledData {
        let table = try CSVTable.parse(text, file: file)
        guard let width = (table.rows.first ?? table.header)?.count, width >= 2 else {
            throw ZynqError(file: file, "needs at least one feature column and a label column")
        }
        guard !table.rows.isEmpty else { throw ZynqError(file: file, "no data rows after the header") }
        let names = table.header ?? (0..<width).map { "column \($0 + 1)" }
        var labelIndex = width - 1
        if let spec = labelColumn {
            if let i = names.firstIndex(of: spec) {
                labelIndex = i
            } else if let i = Int(spec), i >= -width, i < width {
                labelIndex = i < 0 ? width + i : i
            } else {
                throw ZynqError(file: file, key: "--label-column", "no column '\(spec)' (columns: \(names.joined(separator: ", ")))")
            }
        } else if let header = table.header,
                  let i = header.firstIndex(where: { labelColumnNames.contains($0.lowercased()) }) {
            labelIndex = i
        }
        let featureColumns = (0..<width).filter { $0 != labelIndex }
        var features = [Float]()
        features.reserveCapacity(table.rows.count * featureColumns.count)
        var rawLabels: [String] = []
        for (r, row) in table.rows.enumerated() {
            let line = table.lines[r]
            for c in featureColumns {
                let s = row[c]
                guard let v = Float(s), v.isFinite, !s.isEmpty else {
                    let what = s.isEmpty ? "is empty" : "'\(s)' is not a finite number"
                    throw ZynqError(file: file, "line \(line), column \(c + 1) (\(names[c])): \(what)")
                }
                features.append(v)
            }
            let label = row[labelIndex]
            guard !label.isEmpty else {
                throw ZynqError(file: file, "line \(line), column \(labelIndex + 1) (\(names[labelIndex])): label is empty")
            }
            rawLabels.append(label)
        }
        let labels: [Int32]
        var classNames: [String]? = nil
        if rawLabels.allSatisfy({ Int32($0).map { $0 >= 0 && $0 < 65536 } ?? false }) {
            labels = rawLabels.map { Int32($0)! }
        } else {
            if let r = rawLabels.firstIndex(where: { Int($0) != nil }) {
                throw ZynqError(file: file, "line \(table.lines[r]), column \(labelIndex + 1) (\(names[labelIndex])): label '\(rawLabels[r])' is a number but other labels are names (or it is negative or ≥ 65536)")
            }
            let sorted = Array(Set(rawLabels)).sorted()
            let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, Int32($0)) })
            labels = rawLabels.map { index[$0]! }
            classNames = sorted
        }
        return try LabeledData(features: .floats(features), shape: [featureColumns.count], labels: labels,
                               classCount: classNames?.count, classNames: classNames, source: file)
    }

    public static func fromCSV(path: String, labelColumn: String? = nil) throws -> LabeledData {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZynqError(file: path, "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ZynqError(file: path, "is not UTF-8 text")
        }
        return try fromCSV(text: text, file: path, labelColumn: labelColumn)
    }
}
