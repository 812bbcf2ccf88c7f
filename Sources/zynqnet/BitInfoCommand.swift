import ArgumentParser
import ZynqNetBase
import ZynqNetBit

struct BitInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the header fields of a .bit file and what its configuration packets say.",
        discussion: """
        The header (design, UserID, Version, part, date, time, payload length) is checked strictly; \
        a malformed file ends in a one-line error naming the file and field. The packets after the \
        sync word are walked to show the device IDCODE the bitstream is for, the frame words and \
        whether its CRC checks match.
        """
    )

    @Argument(help: "The .bit file.")
    var file: String

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let bit = try BitFile.load(path: file)
        let info = BitInfo(file: file, bit: bit)
        print(json ? info.json.render(pretty: true) : info.text)
    }
}

/// What `bit info` reports about a parsed file.
struct BitInfo {
    let file: String
    let bit: BitFile
    let summary: ConfigPackets.Summary
    let sha256: String

    init(file: String, bit: BitFile) {
        self.file = file
        self.bit = bit
        summary = ConfigPackets.summarize(bit.payload)
        sha256 = SHA256.hex(bit.serialized())
    }

    var idcodeText: String? {
        summary.idcode.map { "0x" + Hex.upper($0, digits: 8) }
    }

    var json: JSONText {
        .object([
            ("file", .string(file)),
            ("design", .string(bit.design)),
            ("design_field", .string(bit.designField)),
            ("user_id", .optional(bit.userID)),
            ("version", .optional(bit.toolVersion)),
            ("attributes", .object(bit.attributes.map { ($0.key, .string($0.value)) })),
            ("part", .string(bit.part)),
            ("vivado_part", .string(bit.vivadoPart)),
            ("date", .string(bit.date)),
            ("time", .string(bit.time)),
            ("length", .uint(UInt64(bit.length))),
            ("sync_offset", .uint(UInt64(bit.syncOffset))),
            ("idcode", .optional(idcodeText)),
            ("idcode_device", .optional(summary.idcode.flatMap { BitPart.zynqDevice(idcode: $0) }.map { "xc" + $0 })),
            ("frame_words", .uint(summary.frameWords)),
            ("crc_checks", .int(Int64(summary.crcChecks))),
            ("crc_matches", .int(Int64(summary.crcMatches))),
            ("desync", .bool(summary.hasDesync)),
            ("packet_problem", .optional(summary.problem)),
            ("sha256", .string(sha256)),
        ])
    }

    var text: String {
        var lines: [(String, String)] = [
            ("file", file),
            ("design", bit.design),
        ]
        if let u = bit.userID { lines.append(("user_id", u)) }
        if let v = bit.toolVersion { lines.append(("version", v)) }
        for (k, v) in bit.attributes where !["userid", "version"].contains(k.lowercased()) {
            lines.append((k, v))
        }
        lines.append(("part", "\(bit.part) (\(bit.vivadoPart))"))
        lines.append(("date", bit.date))
        lines.append(("time", bit.time))
        lines.append(("length", "\(bit.length) bytes"))
        lines.append(("sync word", "at payload byte \(bit.syncOffset)"))
        if let id = idcodeText {
            let dev = summary.idcode.flatMap { BitPart.zynqDevice(idcode: $0) }.map { " (xc\($0))" } ?? " (not a known Zynq-7000)"
            lines.append(("idcode", id + dev))
        } else {
            lines.append(("idcode", "not written by this bitstream"))
        }
        lines.append(("frame words", String(summary.frameWords)))
        lines.append(("crc", summary.crcChecks == 0 ? "no CRC checks" : "\(summary.crcMatches) of \(summary.crcChecks) checks match"))
        if let p = summary.problem { lines.append(("packets", "stopped: \(p)")) }
        else if !summary.hasDesync { lines.append(("packets", "no DESYNC command")) }
        lines.append(("sha256", sha256))
        let w = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0 + ":" + String(repeating: " ", count: w - $0.0.count + 1) + $0.1 }.joined(separator: "\n")
    }
}

