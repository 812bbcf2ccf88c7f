// libFuzzer entry for the strict JSON reader (JSONText.parse) and the typed reads over it
// (JSONField). Built and run by scripts/fuzz-json.sh, compiled in one module with JSONText.swift
// and ZynqError.swift. The reader may throw but must never trap, hang or touch memory it does
// not own (ASan watches).
//
// Invariants checked on top, for every input that parses:
//   - the compact and the pretty rendering both parse again, to a value that renders the same;
//   - every typed read of every value either returns or throws a ZynqError naming the file.

@_cdecl("LLVMFuzzerTestOneInput")
public func zynqnetJSONFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let v: JSONText
    do {
        v = try JSONText.parse(bytes, file: "fuzz.json")
    } catch {
        guard error.file == "fuzz.json" else { fatalError("a parse error must name the file") }
        return 0
    }
    for pretty in [false, true] {
        let text = v.render(pretty: pretty)
        guard let again = try? JSONText.parse(Array(text.utf8)) else { fatalError("rendered JSON does not parse: \(text)") }
        guard again.render(pretty: pretty) == text else { fatalError("rendering is not stable: \(text)") }
    }
    visit(JSONField(v, file: "fuzz.json"), depth: 0)
    return 0
}

private func visit(_ f: JSONField, depth: Int) {
    func check(_ body: () throws(ZynqError) -> Void) {
        do { try body() } catch {
            guard error.file == "fuzz.json" else { fatalError("a typed read's error must name the file") }
        }
    }
    check { () throws(ZynqError) in _ = try f.string() }
    check { () throws(ZynqError) in _ = try f.bool() }
    check { () throws(ZynqError) in _ = try f.int() }
    check { () throws(ZynqError) in _ = try f.int(1, 30) }
    check { () throws(ZynqError) in _ = try f.int64(-5, 5) }
    check { () throws(ZynqError) in _ = try f.uint64() }
    check { () throws(ZynqError) in _ = try f.uint64(max: 0xFFFF) }
    check { () throws(ZynqError) in _ = try f.double() }
    check { () throws(ZynqError) in _ = try f.hex(max: 0xFFFF_FFFF) }
    check { () throws(ZynqError) in try f.requireKnownKeys(["a", "name"], hint: "x") }
    check { () throws(ZynqError) in _ = try f.member("a") }
    check { () throws(ZynqError) in _ = try f.optionalMember("name") }
    check { () throws(ZynqError) in
        let members = try f.members()
        for m in members { visit(m.value, depth: depth + 1) }
    }
    check { () throws(ZynqError) in
        let elements = try f.elements()
        for e in elements { visit(e, depth: depth + 1) }
    }
}
