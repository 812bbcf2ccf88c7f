/// How every command prints a topology hash: "0x" and 16 lower-case hex digits.
public func topologyHashText(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - s.count)) + s
}
