/// Numbers as text without Foundation (the board build is Embedded Swift), shared by the host's
/// and the board's reports so that both print the same digits.
public enum NumberText {
    /// A JSON number, as `JSONText.double` writes it: integers without a fraction, others with
    /// enough digits to round-trip, `null` for NaN and infinities.
    public static func json(_ v: Double) -> String { JSONText.double(v).render() }

    /// `v` with `digits` decimals, rounded half to even on the scaled value (printf's `%.Nf`
    /// for the magnitudes reports print); values too large for that are written as `json` does.
    public static func fixed(_ v: Double, digits: Int) -> String {
        guard v.isFinite else { return json(v) }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let scaled = (abs(v) * scale).rounded(.toNearestOrEven)
        guard scaled < 9e18 else { return json(v) }
        let n = Int64(scaled), s = Int64(scale)
        let sign = v < 0 && n != 0 ? "-" : ""
        if digits <= 0 { return sign + String(n) }
        var frac = String(n % s)
        while frac.count < digits { frac = "0" + frac }
        return sign + String(n / s) + "." + frac
    }
}
