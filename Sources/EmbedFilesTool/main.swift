// The generator behind Plugins/EmbedFiles: writes one Swift source that holds repository files as
// string literals, so the zynqnet binary carries them (nothing generated is committed).
//
//   EmbedFilesTool <output.swift> <repository root> <relative path | directory/*.ext[,ext]>...
//
// Text files (UTF-8 without control characters other than tab and newline) become raw multi-line
// string literals with just enough '#'s; any other file becomes base64. Both compile in well under
// a second for the whole fpga/ tree (no array literals of bytes). The output is the same for the
// same inputs, and is only rewritten when it changes.
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("EmbedFilesTool: \(message)\n".utf8))
    exit(1)
}

/// The file as text when a raw string literal can hold it byte for byte, else nil.
func literalText(_ bytes: [UInt8]) -> String? {
    guard bytes.allSatisfy({ ($0 >= 0x20 && $0 != 0x7F) || $0 == 0x0A || $0 == 0x09 }) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    return Array(text.utf8) == bytes ? text : nil  // invalid UTF-8 would not survive the round trip
}

/// `text` as a raw multi-line string literal: the fewest '#'s that neither close the literal
/// early nor start an escape inside it.
func rawLiteral(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"\"\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    return hashes + "\"\"\"\n" + text + "\n\"\"\"" + hashes
}

/// Swift string literal of a dictionary key (paths: no quotes, backslashes or line breaks).
func keyLiteral(_ path: String) -> String {
    guard !path.contains(where: { $0 == "\"" || $0 == "\\" || $0.isNewline }) else { fail("\(path): unusable file name") }
    return "\"" + path + "\""
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: EmbedFilesTool <output.swift> <root> <path | directory/*.ext[,ext]>...") }
let output = URL(fileURLWithPath: args[1])
let root = URL(fileURLWithPath: args[2])
// A directory is listed here, not by the plugin, so a file added to it is embedded as soon as
// the build notices the directory changed.
var paths: [String] = []
for spec in args.dropFirst(3) {
    guard let star = spec.range(of: "/*.") else {
        paths.append(spec)
        continue
    }
    let dir = String(spec[..<star.lowerBound])
    let extensions = spec[star.upperBound...].split(separator: ",").map(String.init)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path) else {
        fail("\(dir): cannot list the directory")
    }
    paths += names.filter { extensions.contains(($0 as NSString).pathExtension) }.map { dir + "/" + $0 }
}
var texts: [(String, String)] = []
var binaries: [(String, String)] = []
for path in paths.sorted() {
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
        fail("\(path): cannot read")
    }
    if let text = literalText([UInt8](data)) {
        texts.append((path, text))
    } else {
        binaries.append((path, data.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])))
    }
}

func table(_ entries: [(String, String)], _ literal: (String) -> String) -> String {
    if entries.isEmpty { return "[:]" }
    return "[\n" + entries.map { "        \(keyLiteral($0.0)): \(literal($0.1)),\n" }.joined() + "    ]"
}

// Only what a module needs, in plain loops: generic sorting and a hand-made decoder tripled the
// optimized compile time of this small file.
let bytesFunction = binaries.isEmpty ? "" : """

        /// The bytes of the binary file at `path` (one the plugin embeds for this module).
        static func bytes(_ path: String) -> [UInt8] {
            guard let encoded = base64[path], let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                preconditionFailure("\\(path) is not embedded in this module (Plugins/EmbedFiles)")
            }
            return [UInt8](data)
        }

    """
let allPaths = (texts + binaries).map(\.0).sorted()
let source = """
    // Generated at build time by Plugins/EmbedFiles (Sources/EmbedFilesTool); not committed, do not edit.
    \(binaries.isEmpty ? "" : "import Foundation\n")
    /// Repository files built into this module: repository-relative path -> contents.
    enum EmbeddedFileTable {
        /// Every embedded path, in order.
        static let paths: [String] = [\(allPaths.map(keyLiteral).joined(separator: ", "))]

        /// Text files, exactly as in the repository.
        static let texts: [String: String] = \(table(texts, rawLiteral))

        /// Other files, base64 (76-character lines).
        static let base64: [String: String] = \(table(binaries) { "\"\"\"\n" + $0 + "\n\"\"\"" })

        /// The text file at `path` (one the plugin embeds for this module).
        static func text(_ path: String) -> String {
            guard let text = texts[path] else { preconditionFailure("\\(path) is not embedded in this module (Plugins/EmbedFiles)") }
            return text
        }

        /// The text files directly in `directory`: (file name, contents) in name order.
        static func texts(in directory: String) -> [(String, String)] {
            var out: [(String, String)] = []
            for path in paths where path.hasPrefix(directory + "/") {
                let name = path.dropFirst(directory.count + 1)
                if !name.contains("/"), let text = texts[path] { out.append((String(name), text)) }
            }
            return out
        }
    \(bytesFunction)}

    """

if (try? String(contentsOf: output, encoding: .utf8)) != source {
    do {
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: output, atomically: true, encoding: .utf8)
    } catch {
        fail("\(output.path): cannot write: \(error.localizedDescription)")
    }
}
