import Foundation
import Testing

/// docs/architecture.md's module table is the rule: every `import` under `Sources/<module>/` must be
/// in its row ("may import" or "system"), and "may import" must be exactly the target's
/// `dependencies` in Package.swift.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Row: Equatable {
        var mayImport: Set<String>
        var system: Set<String>
    }

    /// The rows of the table whose header is `| module | role | may import | system |`.
    static func table(_ markdown: String) -> [String: Row] {
        var rows: [String: Row] = [:]
        var inTable = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells == ["module", "role", "may import", "system"] { inTable = true; continue }
            guard inTable else { continue }
            guard line.hasPrefix("|"), cells.count == 4 else { inTable = false; continue }
            if cells[0].hasPrefix("---") { continue }
            func names(_ s: String) -> Set<String> {
                Set(s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "") }
                    .filter { !$0.isEmpty })
            }
            rows[cells[0]] = Row(mayImport: names(cells[2]), system: names(cells[3]))
        }
        return rows
    }

    /// Modules imported by a Swift file (`import X`, `@testable import X`, `import struct X.Y`), with line numbers.
    static func imports(_ source: String) -> [(line: Int, module: String)] {
        var out: [(Int, String)] = []
        for (i, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = raw.split(separator: " ").map(String.init)
            while let w = words.first, w.hasPrefix("@") { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            out.append((i + 1, String(path.split(separator: ".").first ?? "")))
        }
        return out
    }

    /// Target name → dependency names of every `.target(` and `.executableTarget(` in Package.swift.
    static func packageDependencies(_ package: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let chars = Array(package)
        var i = 0
        while i < chars.count {
            let rest = String(chars[i..<min(chars.count, i + 20)])
            guard rest.hasPrefix(".target(") || rest.hasPrefix(".executableTarget(") else { i += 1; continue }
            // the call's text up to its matching parenthesis
            var depth = 0, j = i
            while chars[j] != "(" { j += 1 }
            repeat {
                if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                j += 1
            } while depth > 0 && j < chars.count
            let call = String(chars[i..<j])
            i = j
            guard let n = call.range(of: "name: \"") else { continue }
            let name = String(call[n.upperBound...].prefix { $0 != "\"" })
            var deps: Set<String> = []
            if let d = call.range(of: "dependencies: [") {
                var k = d.upperBound, level = 1
                var body = ""
                while k < call.endIndex, level > 0 {
                    let c = call[k]
                    if c == "[" { level += 1 } else if c == "]" { level -= 1 }
                    if level > 0 { body.append(c) }
                    k = call.index(after: k)
                }
                // drop `package: "…"` and `condition: …` so only target and product names stay quoted
                let cleaned = body.replacingOccurrences(of: #"package:\s*"[^"]*""#, with: "", options: .regularExpression)
                let quoted = Array(cleaned)
                var q = 0
                while q < quoted.count {
                    if quoted[q] == "\"" {
                        var e = q + 1
                        while e < quoted.count, quoted[e] != "\"" { e += 1 }
                        deps.insert(String(quoted[(q + 1)..<e]))
                        q = e + 1
                    } else { q += 1 }
                }
            }
            result[name] = deps
        }
        return result
    }

    /// Every Swift module of Sources (a folder holding .swift files) and its files.
    static func swiftModules() throws -> [String: [URL]] {
        let sources = root.appendingPathComponent("Sources")
        var modules: [String: [URL]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let dir = sources.appendingPathComponent(name)
            guard let walk = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            let files = walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            if !files.isEmpty { modules[name] = files.sorted { $0.path < $1.path } }
        }
        return modules
    }

    static func violations(table: [String: Row], modules: [String: [URL]]) throws -> [String] {
        var bad: [String] = []
        for (module, files) in modules.sorted(by: { $0.key < $1.key }) {
            guard let row = table[module] else {
                bad.append("Sources/\(module): no row in docs/architecture.md")
                continue
            }
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                let relative = file.path.replacingOccurrences(of: root.path + "/", with: "")
                for (line, imported) in imports(text) where imported != module
                    && !row.mayImport.contains(imported) && !row.system.contains(imported) {
                    bad.append("\(relative):\(line): \(module) may not import \(imported)")
                }
            }
        }
        return bad
    }

    @Test func everyImportIsAllowedByItsRow() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let table = Self.table(doc)
        #expect(table.count >= 18, "the module table of docs/architecture.md was not found")
        let bad = try Self.violations(table: table, modules: Self.swiftModules())
        #expect(bad.isEmpty, "\(bad.joined(separator: "\n"))")
    }

    @Test func tableMatchesPackageSwift() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let table = Self.table(doc)
        let deps = Self.packageDependencies(try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
        for module in try Self.swiftModules().keys.sorted() {
            let row = table[module]?.mayImport
            #expect(row == deps[module], "\(module): docs/architecture.md allows \(row.map { $0.sorted() } ?? []), Package.swift depends on \(deps[module].map { $0.sorted() } ?? [])")
        }
        for module in table.keys.sorted() {
            #expect(deps[module] != nil, "docs/architecture.md lists \(module), Package.swift has no such target")
        }
    }

    // The board core (issue 15): the modules scripts/build-board.sh compiles as Embedded Swift.
    static let boardCore = ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "ZynqNetBit", "ZynqNetRuntime",
                            "ZynqNetLinux", "ZynqNetLoopback"]
    /// Modules the board build does not have: only host-only files (or host-only `#if` branches) import them.
    static let hostOnlyModules: Set<String> = ["Foundation", "FoundationEssentials", "Dispatch", "ZIPFoundation"]

    /// The `modules` table of scripts/build-board.sh: module name → (source folder, files it leaves out).
    static func boardModules(_ script: String) -> [String: (folder: String, excluded: Set<String>)] {
        var out: [String: (String, Set<String>)] = [:]
        guard let start = script.range(of: "\nmodules=(\n") else { return [:] }
        for line in script[start.upperBound...].split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t == ")" { break }
            guard t.hasPrefix("\""), t.hasSuffix("\"") else { continue }
            let f = t.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4 else { continue }
            out[f[0]] = (f[1], Set(f[2].split(separator: " ").map(String.init)))
        }
        return out
    }

    /// Imports of host-only modules outside a host-only branch (`#if !hasFeature(Embedded)`, or the
    /// `#else` of `#if hasFeature(Embedded)`), with line numbers.
    static func unguardedHostImports(_ source: String) -> [(line: Int, module: String)] {
        var stack: [(condition: String, inElse: Bool)] = []
        var out: [(Int, String)] = []
        for (i, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#if ") { stack.append((String(t.dropFirst(4)).trimmingCharacters(in: .whitespaces), false)); continue }
            if t.hasPrefix("#elseif "), !stack.isEmpty { stack[stack.count - 1] = (String(t.dropFirst(8)), false); continue }
            if t == "#else", !stack.isEmpty { stack[stack.count - 1].inElse = true; continue }
            if t == "#endif" { _ = stack.popLast(); continue }
            let hostBranch = stack.contains {
                ($0.condition == "!hasFeature(Embedded)" && !$0.inElse) || ($0.condition == "hasFeature(Embedded)" && $0.inElse)
            }
            for (_, module) in imports(String(raw)) where hostOnlyModules.contains(module) && !hostBranch {
                out.append((i + 1, module))
            }
        }
        return out
    }

    @Test func theBoardCoreImportsFoundationOnlyInHostOnlyFiles() throws {
        let script = try String(contentsOf: Self.root.appendingPathComponent("scripts/build-board.sh"), encoding: .utf8)
        let table = Self.boardModules(script)
        #expect(Set(table.keys).subtracting(["zynqnet_board"]) == Set(Self.boardCore))
        var bad: [String] = []
        for module in Self.boardCore {
            guard let entry = table[module] else { continue }
            #expect(entry.folder == "Sources/\(module)")
            let files = try Self.swiftModules()[module] ?? []
            let folder = Self.root.appendingPathComponent(entry.folder).path + "/"
            for file in files {
                let relative = file.path.replacingOccurrences(of: folder, with: "")
                guard !entry.excluded.contains(relative) else { continue }
                for (line, m) in Self.unguardedHostImports(try String(contentsOf: file, encoding: .utf8)) {
                    bad.append("\(entry.folder)/\(relative):\(line): imports \(m) but scripts/build-board.sh compiles it for the board")
                }
            }
            // Every file the script leaves out exists (a renamed file would silently rejoin the board build).
            for x in entry.excluded.sorted() where !FileManager.default.fileExists(atPath: folder + x) {
                bad.append("scripts/build-board.sh: \(module) leaves out \(x), which does not exist")
            }
        }
        #expect(bad.isEmpty, "\(bad.joined(separator: "\n"))")
    }

    @Test func hostOnlyImportsAreFoundOutsideEmbeddedGuards() {
        let source = """
            import ZynqNetBase
            #if hasFeature(Embedded)
            import Glibc
            #else
            import Dispatch
            #endif
            #if !hasFeature(Embedded)
            import Foundation
            #endif
            #if canImport(FoundationEssentials)
            import FoundationEssentials
            #endif
            import ZIPFoundation
            """
        let found = Self.unguardedHostImports(source)
        #expect(found.map { $0.line } == [11, 13])
        #expect(found.map { $0.module } == ["FoundationEssentials", "ZIPFoundation"])
        let table = Self.boardModules("x\nmodules=(\n  \"A|Sources/A|B.swift C/D.swift|CZ\"\n  \"b|board/b||\"\n)\n\"E|e||\"\n")
        #expect(table.count == 2)
        #expect(table["A"]?.folder == "Sources/A")
        #expect(table["A"]?.excluded == ["B.swift", "C/D.swift"])
        #expect(table["b"]?.excluded == [])
    }

    // The checks themselves, on made-up inputs: a forbidden import is named with file and line.
    @Test func aForbiddenImportIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("A.swift")
        try "import Foundation\n#if canImport(Glibc)\nimport Glibc\n#endif\n@testable import ZynqNetSim\n".write(to: file, atomically: true, encoding: .utf8)
        let table = Self.table("""
            | module | role | may import | system |
            | --- | --- | --- | --- |
            | ZynqNetRuntime | r | ZynqNetBase, ZynqNetHW | Foundation*, Glibc |
            """)
        #expect(table["ZynqNetRuntime"] == Row(mayImport: ["ZynqNetBase", "ZynqNetHW"], system: ["Foundation", "Glibc"]))
        let bad = try Self.violations(table: table, modules: ["ZynqNetRuntime": [file]])
        #expect(bad == ["\(file.path):5: ZynqNetRuntime may not import ZynqNetSim"])
    }

    @Test func packageDependenciesAreParsed() {
        let deps = Self.packageDependencies("""
            .target(name: "A", dependencies: ["B", .product(name: "P", package: "pkg"),
                    .target(name: "C", condition: .when(platforms: [.linux]))]),
            .executableTarget(
                name: "x",
                dependencies: ["A"]
            ),
            .target(name: "D"),
            .testTarget(name: "T", dependencies: ["A"]),
            """)
        #expect(deps == ["A": ["B", "P", "C"], "x": ["A"], "D": []])
    }
}
