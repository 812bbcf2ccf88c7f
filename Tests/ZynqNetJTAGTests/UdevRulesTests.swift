import Foundation
import ZynqNetTestSupport
import Testing

/// A strict reader of udev rule syntax (udev(7)): every line is comma-separated KEY op "value"
/// pairs with known keys, match keys only with ==/!=, assignment keys only with =/+=/-=/:=,
/// GOTO targets defined later by LABEL, MODE octal. (`udevadm verify` needs systemd ≥ 254;
/// this machine has no udevadm.)
enum UdevRuleChecker {
    static let matchKeys: Set<String> = ["ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS",
                                         "TAG", "TAGS", "PROGRAM", "RESULT", "NAME", "SYMLINK", "TEST"]
    static let matchKeysWithAttr: Set<String> = ["ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "TEST"]
    static let assignKeys: Set<String> = ["NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "TAG", "OPTIONS", "RUN", "LABEL", "GOTO"]
    static let assignKeysWithAttr: Set<String> = ["ATTR", "SYSCTL", "ENV", "SECLABEL", "RUN", "IMPORT"]

    static func check(_ text: String) -> [String] {
        var problems: [String] = []
        var labels: [String: Int] = [:]
        var gotos: [(String, Int)] = []
        let pair = try! NSRegularExpression(pattern: #"^([A-Z]+)(\{([^}]*)\})?(==|!=|\+=|-=|:=|=)"([^"]*)"$"#)
        for (n, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") { problems.append("line \(n + 1): continuation lines are not used here"); continue }
            for token in splitPairs(line) {
                let t = token.trimmingCharacters(in: .whitespaces)
                guard let m = pair.firstMatch(in: t, range: NSRange(t.startIndex..., in: t)) else {
                    problems.append("line \(n + 1): not KEY op \"value\": \(t)")
                    continue
                }
                func group(_ i: Int) -> String? { Range(m.range(at: i), in: t).map { String(t[$0]) } }
                let key = group(1)!, hasAttr = group(2) != nil, op = group(4)!, value = group(5)!
                let isMatch = op == "==" || op == "!="
                let known = isMatch ? (hasAttr ? matchKeysWithAttr : matchKeys) : (hasAttr ? assignKeysWithAttr : assignKeys)
                if !known.contains(key) { problems.append("line \(n + 1): \(key)\(hasAttr ? "{…}" : "") cannot be used with \(op)") }
                if key == "MODE", !isMatch, !(value.count == 4 || value.count == 3) || !value.allSatisfy({ "01234567".contains($0) }) {
                    problems.append("line \(n + 1): MODE \(value) is not octal")
                }
                if key == "LABEL" { labels[value] = n }
                if key == "GOTO" { gotos.append((value, n)) }
            }
        }
        for (target, n) in gotos where (labels[target] ?? -1) <= n {
            problems.append("line \(n + 1): GOTO \(target) has no LABEL after it")
        }
        return problems
    }

    /// Splits on commas outside double quotes.
    static func splitPairs(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() }
            if c == ",", !quoted { out.append(cur); cur = ""; continue }
            cur.append(c)
        }
        out.append(cur)
        return out
    }
}

@Suite struct UdevRules {
    static let root = repoRoot

    func text(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test(arguments: ["udev/60-zynqnet-jtag.rules", "udev/board/99-zynqnet-uio.rules"])
    func syntax(_ path: String) throws {
        #expect(UdevRuleChecker.check(try text(path)) == [])
    }

    @Test func checkerCatchesMistakes() {
        #expect(UdevRuleChecker.check(#"SUBSYSTEM="usb", GROUP=="plugdev""#) == [
            "line 1: SUBSYSTEM cannot be used with =", "line 1: GROUP cannot be used with ==",
        ])
        #expect(UdevRuleChecker.check(#"ATTR{idVendor}=="0403", MODE="664x""#) == ["line 1: MODE 664x is not octal"])
        #expect(UdevRuleChecker.check(#"GOTO="end""#) == ["line 1: GOTO end has no LABEL after it"])
        #expect(UdevRuleChecker.check(#"SUBSYSTEM=="usb" GROUP="x""#).count == 1)
    }

    @Test func jtagRuleGivesTheCableToTheUserAndPlugdev() throws {
        let name = "60-zynqnet-jtag.rules"
        #expect(name < "73-seat-late.rules", "uaccess needs a rule file that sorts before 73-seat-late.rules")
        let t = try text("udev/" + name)
        let usb = try #require(t.components(separatedBy: "\n").first { $0.hasPrefix("SUBSYSTEM==\"usb\"") })
        for part in [#"ATTR{idVendor}=="0403""#, #"ATTR{idProduct}=="6010""#, #"GROUP="plugdev""#, #"TAG+="uaccess""#, #"MODE="0664""#] {
            #expect(usb.contains(part), "\(part)")
        }
    }

    @Test func boardRuleNamesTheRuntimeUIODevices() throws {
        let t = try text("udev/board/99-zynqnet-uio.rules")
        #expect(t.contains(#"SUBSYSTEM=="uio", KERNEL=="uio*", ATTR{name}=="zynqnet_accel""#))
        #expect(t.contains(#"ATTR{name}=="axi_dma""#))
        #expect(t.contains(#"SUBSYSTEM=="u-dma-buf", GROUP="zynqnet", MODE="0660""#))
    }
}
