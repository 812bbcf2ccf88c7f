#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Small terminal helpers shared by the commands: progress, pictures, tables.
enum Terminal {
    static var stderrIsTTY: Bool { isatty(2) != 0 }
    static var stdoutIsTTY: Bool { isatty(1) != 0 }

    /// Colour and 24-bit escapes: only when stdout is a terminal and NO_COLOR is unset or empty
    /// (https://no-color.org).
    static var colour: Bool { useColour(isTTY: stdoutIsTTY, environment: ProcessInfo.processInfo.environment) }

    static func useColour(isTTY: Bool, environment: [String: String]) -> Bool {
        isTTY && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// A grey image as characters of increasing ink, two pixel rows per line (no escapes).
    static func plainPicture(grey: [UInt8], rows: Int, cols: Int) -> [String] {
        let ramp = Array(" .:-=+*#%@")
        var lines: [String] = []
        var r = 0
        while r < rows {
            var line = ""
            for c in 0..<cols {
                let top = Int(grey[r * cols + c]), bottom = r + 1 < rows ? Int(grey[(r + 1) * cols + c]) : top
                line.append(ramp[((top + bottom) / 2) * ramp.count / 256])
            }
            lines.append(line)
            r += 2
        }
        return lines
    }

    static func printErr(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// A 24-bit colour picture of a 2-D grey image, two pixel rows per text line
    /// (upper half block with foreground = upper pixel, background = lower pixel).
    /// `grey` holds brightness 0…255, row-major `rows × cols`.
    static func picture(grey: [UInt8], rows: Int, cols: Int) -> [String] {
        var lines: [String] = []
        var r = 0
        while r < rows {
            var line = ""
            for c in 0..<cols {
                let top = Int(grey[r * cols + c])
                let bottom = r + 1 < rows ? Int(grey[(r + 1) * cols + c]) : 0
                line += "\u{1B}[38;2;\(top);\(top);\(top)m\u{1B}[48;2;\(bottom);\(bottom);\(bottom)m▀"
            }
            line += "\u{1B}[0m"
            lines.append(line)
            r += 2
        }
        return lines
    }

    /// A horizontal bar chart of integer scores; marks the predicted and expected classes.
    static func barChart(scores: [Int32], low: Int32, high: Int32, predicted: Int, expected: Int?, names: [String]? = nil, width: Int = 30) -> [String] {
        let span = max(1, Int(high) - Int(low))
        let labelWidth = (names?.map(\.count).max() ?? String(scores.count - 1).count)
        return scores.enumerated().map { i, v in
            let filled = (Int(v) - Int(low)) * width / span
            let bar = String(repeating: "█", count: max(0, filled)) + String(repeating: " ", count: max(0, width - filled))
            let name = names.map { i < $0.count ? $0[i] : String(i) } ?? String(i)
            var marks: [String] = []
            if i == predicted { marks.append("predicted") }
            if i == expected { marks.append("expected") }
            let padded = String(repeating: " ", count: max(0, labelWidth - name.count)) + name
            let value = String(v)
            let paddedValue = String(repeating: " ", count: max(0, 4 - value.count)) + value
            return "  \(padded) \(bar) \(paddedValue)" + (marks.isEmpty ? "" : "  ← " + marks.joined(separator: ", "))
        }
    }

    /// A confusion matrix: rows are the true class, columns the predicted one.
    static func confusionMatrix(labels: [Int], predictions: [Int], classes: Int) -> [String] {
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (l, p) in zip(labels, predictions) where l >= 0 && l < classes && p >= 0 && p < classes {
            m[l][p] += 1
        }
        let cell = max(3, String(m.flatMap { $0 }.max() ?? 0).count) + 1
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, cell - s.count)) + s }
        var lines = ["true \\ predicted"]
        lines.append("      " + (0..<classes).map { pad(String($0)) }.joined())
        for r in 0..<classes {
            var line = pad(String(r)) + "  "
            for c in 0..<classes {
                let v = m[r][c]
                let s = pad(v == 0 ? "." : String(v))
                line += (r == c && colour) ? "\u{1B}[1m\(s)\u{1B}[0m" : s
            }
            lines.append(line)
        }
        return lines
    }
}

/// A progress bar on standard error, drawn only on a terminal and at most ten times a second.
final class ProgressBar {
    let total: Int
    let label: String
    private var last: Double = 0
    private let start = Date()
    private let enabled: Bool

    init(total: Int, label: String, enabled: Bool = Terminal.stderrIsTTY) {
        self.total = max(1, total)
        self.label = label
        self.enabled = enabled
    }

    func update(_ done: Int, extra: String = "") {
        guard enabled else { return }
        let now = Date().timeIntervalSince(start)
        if done < total && now - last < 0.1 { return }
        last = now
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let pct = done * 100 / total
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(pct)% \(done)/\(total) \(extra)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Elapsed seconds after a label on standard error, redrawn every half second while a long step
/// runs that reports no progress of its own (a Verilator simulation); only on a terminal.
final class ElapsedTicker: @unchecked Sendable {
    private let timer: DispatchSourceTimer?
    private let start = Date()

    init(_ label: String, enabled: Bool = Terminal.stderrIsTTY) {
        guard enabled else { timer = nil; return }
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "zynqnet.ticker"))
        let start = self.start
        t.schedule(deadline: .now(), repeating: 0.5)
        t.setEventHandler {
            let s = Int(Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data("\r\(label) \(s) s\u{1B}[K".utf8))
        }
        t.resume()
        timer = t
    }

    func finish() {
        guard let timer else { return }
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
