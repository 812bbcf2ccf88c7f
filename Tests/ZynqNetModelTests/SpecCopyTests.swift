import Foundation
import ZynqNetTestSupport
import Testing

/// `docs/model-format.md` is the project's own, user-facing copy of the contract
/// `../shared/spec/model-format.md` (relative to the repository root). It is written for
/// users, not copied, but must say the same things: every key of the shared table with the
/// same dtype, shape, format-2 marker and named values; every formula of the shared code
/// blocks; every input rounding with the same formula. The README links the copy.
@Suite struct SpecCopy {
    static let repo = repoRoot
    static let sharedPath = repo.deletingLastPathComponent().appendingPathComponent("shared/spec/model-format.md").path
    static let docsPath = repo.appendingPathComponent("docs/model-format.md").path

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SpecCopyError("cannot read \(path): the shared spec must be at ../shared/spec/model-format.md "
                + "relative to the repository root (\(repo.path)), the copy at docs/model-format.md")
        }
        return text
    }

    struct SpecCopyError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    struct Row {
        let key: String, dtype: String, shape: String, meaning: String
        /// Whether the row is marked as new in format 2.
        var format2: Bool { meaning.contains("(**2**)") || meaning.contains("**(2)**") }
        /// The plain values it names in backticks (`half_even`, `dense`, `1`, …).
        var values: Set<String> {
            Set(meaning.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { i, s in
                i % 2 == 1 && s.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) ? String(s) : nil
            })
        }
    }

    /// The key table: rows `| \`key\` | dtype | shape | meaning |`.
    static func rows(_ text: String) -> [String: Row] {
        var out: [String: Row] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { continue }
            let key = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            out[key] = Row(key: key, dtype: cells[1], shape: cells[2], meaning: cells[3])
        }
        return out
    }

    static func normalized(_ s: some StringProtocol) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The lines of the indented code blocks (4 spaces, after a blank line or another such line).
    static func codeLines(_ text: String) -> [String] {
        var out: [String] = []
        var inBlock = false, previousBlank = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let blank = line.allSatisfy(\.isWhitespace)
            if line.hasPrefix("    ") && !blank && (inBlock || previousBlank) {
                inBlock = true
                out.append(normalized(line))
            } else if !blank {
                inBlock = false
            }
            previousBlank = blank
        }
        return out
    }

    /// Input roundings: list items "- `mode`: `formula`".
    static func inputRoundings(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("- `"), t.contains("`: `q = ") else { continue }
            let parts = t.split(separator: "`")
            guard parts.count >= 4 else { continue }
            out[String(parts[1])] = String(parts[3])
        }
        return out
    }

    @Test func theDocsCopySaysWhatTheSharedSpecSays() throws {
        let shared = try Self.read(Self.sharedPath), docs = try Self.read(Self.docsPath)
        let sharedRows = Self.rows(shared), docsRows = Self.rows(docs)
        try #require(sharedRows.count >= 19, "the shared spec's key table was not found (\(sharedRows.count) rows)")
        for (key, s) in sharedRows.sorted(by: { $0.key < $1.key }) {
            guard let d = docsRows[key] else {
                Issue.record("docs/model-format.md has no row for `\(key)`")
                continue
            }
            #expect(d.dtype == s.dtype, "`\(key)`: dtype '\(d.dtype)' in docs, '\(s.dtype)' in the shared spec")
            #expect(d.shape == s.shape, "`\(key)`: shape '\(d.shape)' in docs, '\(s.shape)' in the shared spec")
            #expect(d.format2 == s.format2, "`\(key)`: the format-2 marker differs")
            #expect(s.values.subtracting(d.values).isEmpty, "`\(key)`: docs do not name \(s.values.subtracting(d.values).sorted())")
        }
        for key in docsRows.keys where sharedRows[key] == nil {
            Issue.record("docs/model-format.md has a key the shared spec does not: `\(key)`")
        }
        // Every rounding mode (and every other formula) of the shared code blocks, word for word.
        let sharedCode = Self.codeLines(shared), docsText = Self.normalized(docs)
        try #require(sharedCode.count >= 15, "the shared spec's formulas were not found")
        for mode in ["floor:", "half_up:", "half_even:", "gemmlowp:", "float32:"] {
            #expect(sharedCode.contains { $0.hasPrefix(mode) }, "the shared spec no longer defines \(mode)")
        }
        for line in sharedCode {
            #expect(docsText.contains(line), "docs/model-format.md lacks the formula: \(line)")
        }
        let sharedInputs = Self.inputRoundings(shared)
        #expect(Set(sharedInputs.keys) == ["half_even", "half_away", "trunc"])
        #expect(Self.inputRoundings(docs) == sharedInputs)
    }

    /// The checks above find what they look for: a copy missing a mode's formula, a changed
    /// dtype, a lost format-2 marker or a dropped value fails them.
    @Test func theChecksNoticeDifferences() throws {
        let shared = try Self.read(Self.sharedPath)
        let row = Self.rows(shared)["layer{i}.rounding"]!
        #expect(row.format2 && row.values.isSuperset(of: ["floor", "half_up", "half_even", "gemmlowp", "float32"]))
        let broken = shared.replacingOccurrences(of: "half_even:  q = p / 2^s rounded to the nearest integer, ties to the even one", with: "")
        #expect(!Self.codeLines(broken).contains { $0.hasPrefix("half_even:") })
        #expect(Self.codeLines(shared).contains { $0.hasPrefix("half_even:") })
    }

    @Test func readmeLinksTheDocsCopy() throws {
        let readme = try Self.read(Self.repo.appendingPathComponent("README.md").path)
        #expect(readme.contains("(docs/model-format.md)"))
        #expect(!readme.contains("../shared"), "README.md still links outside the repository")
    }
}
