/// Fixed-width hex text for messages and JSON (bytes, IDCODEs, USB IDs).
public enum Hex {
    /// `v` as `digits` upper-case hex digits, zero-padded (longer if it does not fit).
    public static func upper<T: BinaryInteger>(_ v: T, digits: Int) -> String { pad(String(v, radix: 16, uppercase: true), digits) }

    /// `v` as `digits` lower-case hex digits, zero-padded (USB IDs as lsusb and udev print them).
    public static func lower<T: BinaryInteger>(_ v: T, digits: Int) -> String { pad(String(v, radix: 16), digits) }

    private static func pad(_ s: String, _ digits: Int) -> String { String(repeating: "0", count: max(0, digits - s.count)) + s }
}
