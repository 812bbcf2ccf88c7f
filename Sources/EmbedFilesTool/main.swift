// The generator behind Plugins/EmbedFiles: writes one Swift source that holds repository files as
// string literals, so the zynqnet binary carries them (nothing generated is committed).
//
//   EmbedFilesTool <output.swift> <repository root> <relative path>...
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
guard args.count >= 3 else { fail("usage: EmbedFilesTool <output.swift> <root> <relative path>...") }
let output = URL(fileURLWithPath: args[1])
let root = URL(fileURLWithPath: args[2])
var texts: [(String, String)] = []
var binaries: [(String, String)] = []
for path in args.dropFirst(3).sorted() {
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

let source = """
    // Generated at build time by Plugins/EmbedFiles (Sources/EmbedFilesTool); not committed, do not edit.
    // Holds: \(args.dropFirst(3).sorted().joined(separator: ", "))

    /// Repository files built into this module: repository-relative path -> contents.
    enum EmbeddedFileTable {
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
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            return texts.filter { $0.key.hasPrefix(prefix) && !$0.key.dropFirst(prefix.count).contains("/") }
                .map { (String($0.key.dropFirst(prefix.count)), $0.value) }
                .sorted { $0.0 < $1.0 }
        }

        /// The bytes of the file at `path`, text or not (one the plugin embeds for this module).
        static func bytes(_ path: String) -> [UInt8] {
            if let text = texts[path] { return Array(text.utf8) }
            guard let encoded = base64[path] else { preconditionFailure("\\(path) is not embedded in this module (Plugins/EmbedFiles)") }
            var table = [UInt8](repeating: 0xFF, count: 256)
            for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
            var out: [UInt8] = []
            out.reserveCapacity(encoded.utf8.count * 3 / 4)
            var acc: UInt32 = 0, bits = 0
            for c in encoded.utf8 where table[Int(c)] != 0xFF {
                acc = acc << 6 | UInt32(table[Int(c)])
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                }
            }
            return out
        }
    }

    """

if (try? String(contentsOf: output, encoding: .utf8)) != source {
    do {
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: output, atomically: true, encoding: .utf8)
    } catch {
        fail("\(output.path): cannot write: \(error.localizedDescription)")
    }
}
