import Foundation
import Testing
import ZynqNetBase

/// The value with its exact case spelled out (`==` of JSONText compares rendered text, which
/// does not tell `.int(1)` from `.uint(1)` or `.double(1)`).
func tagged(_ v: JSONText) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return "bool(\(b))"
    case .int(let n): return "int(\(n))"
    case .uint(let n): return "uint(\(n))"
    case .double(let d): return "double(\(d))"
    case .string(let s): return "string(\(JSONText.quote(s)))"
    case .array(let a): return "[" + a.map(tagged).joined(separator: ",") + "]"
    case .object(let o): return "{" + o.map { "\(JSONText.quote($0.0)):\(tagged($0.1))" }.joined(separator: ",") + "}"
    }
}

func parsed(_ text: String) throws -> String { tagged(try JSONText.parse(Array(text.utf8), file: "t.json")) }

func parseError(_ bytes: [UInt8]) -> String {
    do {
        let v = try JSONText.parse(bytes, file: "t.json")
        return "accepted: \(tagged(v))"
    } catch {
        return error.description
    }
}
func parseError(_ text: String) -> String { parseError(Array(text.utf8)) }

@Suite struct JSONReaderTests {
    @Test func acceptsValuesWithExactCases() throws {
        #expect(try parsed(#" {"b": [true, false, null], "a": 1, "c": "x"} "#) ==
                #"{"b":[bool(true),bool(false),null],"a":int(1),"c":string("x")}"#)
        #expect(try parsed(" \t\r\n{ } \r\n") == "{}")
        #expect(try parsed("[]") == "[]")
        #expect(try parsed("[[],{}]") == "[[],{}]")
        #expect(try parsed("\"\"") == #"string("")"#)
    }

    @Test func numbersKeepTheirExactness() throws {
        #expect(try parsed("0") == "int(0)")
        #expect(try parsed("-0") == "int(0)")
        #expect(try parsed("-17") == "int(-17)")
        #expect(try parsed("9223372036854775807") == "int(9223372036854775807)")
        #expect(try parsed("9223372036854775808") == "uint(9223372036854775808)")
        #expect(try parsed("18446744073709551615") == "uint(18446744073709551615)")
        #expect(try parsed("-9223372036854775808") == "int(-9223372036854775808)")
        #expect(try parsed("1.5") == "double(1.5)")
        #expect(try parsed("1e2") == "double(100.0)")
        #expect(try parsed("1.0") == "double(1.0)")
        #expect(try parsed("-2.5E-3") == "double(-0.0025)")
        #expect(try parsed("33.333333") == "double(33.333333)")
        #expect(try parsed("1E+2") == "double(100.0)")
        #expect(try parsed("1e-400") == "double(0.0)")
        #expect(parseError("18446744073709551616") == "t.json: not valid JSON at line 1, column 1: integer 18446744073709551616 does not fit 64 bits")
        #expect(parseError("-9223372036854775809") == "t.json: not valid JSON at line 1, column 1: integer -9223372036854775809 does not fit 64 bits")
        #expect(parseError("[1e400]") == "t.json: not valid JSON at line 1, column 2: number 1e400 is out of range")
    }

    @Test func stringsDecodeEscapesAndUTF8() throws {
        let v = try JSONText.parse(Array(#""\u00e9\ud83d\ude00\n\/\\\"\b\f\r\t\u0000é""#.utf8))
        #expect(v == .string("é😀\n/\\\"\u{8}\u{C}\r\t\u{0}é"))
        #expect(try parsed(#"{"\u0041":1}"#) == #"{"A":int(1)}"#)
    }

    @Test func writerOutputReadsBack() throws {
        let v = JSONText.object([
            ("name", .string("a\u{1}b\"c\\d\né😀")), ("n", .int(-5)), ("u", .uint(UInt64.max)), ("d", .double(0.1)),
            ("list", .array([.null, .bool(true), .object([]), .array([])])),
        ])
        for pretty in [false, true] {
            #expect(tagged(try JSONText.parse(Array(v.render(pretty: pretty).utf8))) ==
                    #"{"name":string("a\u0001b\"c\\d\né😀"),"n":int(-5),"u":uint(18446744073709551615),"d":double(0.1),"list":[null,bool(true),{},[]]}"#)
        }
    }

    @Test func nestingUpTo64LevelsOnly() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONText.parse(Array(ok.utf8)) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(deep) == "t.json: '" + String(repeating: "[0]", count: 64).dropFirst(0) + "': not valid JSON at line 1, column 65: nesting deeper than 64 levels")
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(parseError(objects).hasSuffix("column 321: nesting deeper than 64 levels"))
        // A million brackets are an error, not a stack overflow.
        #expect(parseError([UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)).hasSuffix("nesting deeper than 64 levels"))
    }

    @Test func rejectsWhatRFC8259Forbids() {
        let cases: [(String, String)] = [
            ("[1,2,]", "line 1, column 6: trailing comma before ']'"),
            (#"{"a":1,}"#, "line 1, column 8: trailing comma before '}'"),
            ("[,]", "line 1, column 2: expected a value, found ','"),
            ("// c\n{}", "line 1, column 1: comments are not allowed"),
            ("{\"a\":1 /* c */}", "line 1, column 8: expected ',' or '}', found '/'"),
            ("01", "line 1, column 1: leading zeros are not allowed"),
            ("-01", "line 1, column 1: leading zeros are not allowed"),
            ("1.", "line 1, column 3: expected a digit after '.'"),
            (".5", "line 1, column 1: expected a value, found '.'"),
            ("+1", "line 1, column 1: expected a value, found '+'"),
            ("-", "line 1, column 2: expected a digit after '-'"),
            ("1e", "line 1, column 3: expected a digit in the exponent"),
            ("NaN", "line 1, column 1: expected a value, found 'N'"),
            ("tru", "line 1, column 1: expected 'true'"),
            ("nul", "line 1, column 1: expected 'null'"),
            ("", "line 1, column 1: expected a value, found end of input"),
            ("  \n ", "line 2, column 2: expected a value, found end of input"),
            ("[] x", "line 1, column 4: unexpected 'x' after the JSON value"),
            ("{} {}", "line 1, column 4: unexpected '{' after the JSON value"),
            ("1 2", "line 1, column 3: unexpected '2' after the JSON value"),
            (#""\ud800""#, #"line 1, column 2: lone high surrogate \uD800"#),
            (#""\udc00""#, #"line 1, column 2: lone low surrogate \uDC00"#),
            (#""\ud800\u0041""#, #"line 1, column 2: lone high surrogate \uD800"#),
            (#""\ud800x""#, #"line 1, column 2: lone high surrogate \uD800"#),
            (#""\u12""#, #"line 1, column 2: \u must be followed by four hex digits"#),
            (#""\x""#, #"line 1, column 2: invalid escape \'x'"#),
            ("\"abc", "line 1, column 5: unterminated string"),
            ("\"a\u{1}\"", "line 1, column 3: control character 0x01 in a string must be escaped"),
            ("\"a\tb\"", "line 1, column 3: control character 0x09 in a string must be escaped"),
            ("{1:2}", "line 1, column 2: expected a string key, found '1'"),
            (#"{"a" 1}"#, "line 1, column 6: expected ':' after a key, found '1'"),
            (#"{"a":1"#, "line 1, column 7: expected ',' or '}', found end of input"),
            ("[1 2]", "line 1, column 4: expected ',' or ']', found '2'"),
            ("\n\n  [1,\n ]", "line 4, column 2: trailing comma before ']'"),
        ]
        for (text, expected) in cases {
            #expect(parseError(text) == "t.json: not valid JSON at " + expected, "\(text)")
        }
    }

    @Test func rejectsDuplicateKeysNamingThePath() {
        #expect(parseError(#"{"a":1,"a":2}"#) == "t.json: 'a': not valid JSON at line 1, column 8: duplicate key")
        #expect(parseError(#"{"layers":[{},{"fold":1,"fold":2}]}"#) ==
                "t.json: 'layers[1].fold': not valid JSON at line 1, column 25: duplicate key")
        // The same key in sibling objects is fine.
        #expect(parseError(#"[{"a":1},{"a":2}]"#) == #"accepted: [{"a":int(1)},{"a":int(2)}]"#)
    }

    @Test func rejectsBadUTF8AndByteOrderMark() {
        let bad: [([UInt8], String)] = [
            ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "line 1, column 1: a byte-order mark is not allowed"),
            ([0x22, 0xC0, 0x80, 0x22], "line 1, column 2: invalid UTF-8 byte 0xC0 in a string"),      // overlong NUL
            ([0x22, 0xED, 0xA0, 0x80, 0x22], "line 1, column 3: invalid UTF-8 sequence in a string"),  // UTF-8-encoded surrogate
            ([0x22, 0xE0, 0x80, 0x80, 0x22], "line 1, column 3: invalid UTF-8 sequence in a string"),  // overlong
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "line 1, column 3: invalid UTF-8 sequence in a string"),  // above U+10FFFF
            ([0x22, 0xFF, 0x22], "line 1, column 2: invalid UTF-8 byte 0xFF in a string"),
            ([0x22, 0xE2, 0x82], "line 1, column 2: truncated UTF-8 sequence in a string"),
            ([0x22, 0x80, 0x22], "line 1, column 2: invalid UTF-8 byte 0x80 in a string"),
            ([0x5B, 0x00, 0x5D], "line 1, column 2: expected a value, found byte 0x00"),
        ]
        for (bytes, expected) in bad {
            #expect(parseError(bytes) == "t.json: not valid JSON at " + expected, "\(bytes)")
        }
        #expect(parseError([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == #"accepted: string("😀")"#)
    }

    @Test func withoutAFileTheErrorNamesNone() {
        #expect(throws: ZynqError(file: nil, key: nil, "not valid JSON at line 1, column 1: expected a value, found end of input")) {
            try JSONText.parse([])
        }
    }

    @Test func subscriptFindsObjectMembers() throws {
        let v = try JSONText.parse(Array(#"{"a":{"b":[1]}}"#.utf8))
        #expect(v["a"]?["b"] == .array([.int(1)]))
        #expect(v["b"] == nil)
        #expect(JSONText.array([])["a"] == nil)
    }
}

@Suite struct JSONFieldTests {
    let top: JSONField

    init() throws {
        top = try JSONField.parse(Array(#"""
        {"layers": [{"fold": 1}, {"fold": 2, "name": null}, {"fold": "3"}],
         "base": "0x43C00000", "big": 18446744073709551615, "neg": -1, "mhz": 33.333333, "ok": true}
        """#.utf8), file: "manifest.json")
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch let e as ZynqError { return e.description } catch { return "not a ZynqError: \(error)" }
    }

    @Test func typedReadsReturnExactValues() throws {
        let layers = try top.member("layers").elements()
        #expect(try layers[0].member("fold").int() == 1)
        #expect(layers.count == 3)
        #expect(try layers[1].member("fold").int(1, 30) == 2)
        #expect(try layers[1].member("fold").path == "layers[1].fold")
        #expect(try top.member("base").hex(max: 0xFFFF_FFFF) == 0x43C0_0000)
        #expect(try top.member("big").uint64() == UInt64.max)
        #expect(try top.member("neg").int64() == -1)
        #expect(try top.member("mhz").double() == 33.333333)
        #expect(try top.member("layers").elements()[0].member("fold").double() == 1.0)
        #expect(try top.member("ok").bool() == true)
        #expect(try layers[1].optionalMember("name") == nil)
        #expect(try layers[1].optionalMember("missing") == nil)
        #expect(try layers[1].optionalMember("name", nullIsAbsent: false)?.isNull == true)
        #expect(try top.members().map(\.key) == ["layers", "base", "big", "neg", "mhz", "ok"])
    }

    @Test func errorsNameFileAndKeyPath() throws {
        let layers = try top.member("layers").elements()
        #expect(message { _ = try layers[2].member("fold").int() } == #"manifest.json: 'layers[2].fold': must be an integer, got "3""#)
        #expect(message { _ = try layers[0].member("stride") } == "manifest.json: 'layers[0].stride': is missing")
        #expect(message { _ = try layers[1].member("fold").int(3, 30) } == "manifest.json: 'layers[1].fold': must be an integer in 3...30, got 2")
        #expect(message { _ = try top.member("neg").uint64() } == "manifest.json: 'neg': must be a non-negative integer, got -1")
        #expect(message { _ = try top.member("mhz").int() } == "manifest.json: 'mhz': must be an integer, got 33.333333")
        #expect(message { _ = try top.member("big").int64() } == "manifest.json: 'big': must be an integer up to 9223372036854775807, got 18446744073709551615")
        #expect(message { _ = try top.member("big").uint64(max: 255) } == "manifest.json: 'big': must be an integer in 0...255, got 18446744073709551615")
        #expect(message { _ = try top.member("ok").string() } == "manifest.json: 'ok': must be a string, got true")
        #expect(message { _ = try top.member("base").double() } == #"manifest.json: 'base': must be a number, got "0x43C00000""#)
        #expect(message { _ = try top.member("base").hex(max: 0xFFFF) } == #"manifest.json: 'base': must be a hex string "0x…" up to 0x0000FFFF, got "0x43C00000""#)
        #expect(message { _ = try top.member("layers").member("x") } == "manifest.json: 'layers': must be an object, got an array")
        #expect(message { _ = try top.member("base").elements() } == #"manifest.json: 'base': must be an array, got "0x43C00000""#)
        #expect(message { _ = try top.member("neg").bool() } == "manifest.json: 'neg': must be true or false, got -1")
        #expect(message { _ = try top.elements() } == "manifest.json: must be an array, got an object")
        #expect(message { try top.requireKnownKeys(["layers", "base", "big", "neg", "mhz"], hint: "regenerate it with zynqnet codegen") } ==
                "manifest.json: 'ok': unknown key; regenerate it with zynqnet codegen")
        #expect(message { try top.requireKnownKeys(["layers", "base", "big", "neg", "mhz", "ok"]) } == "no error")
        let long = JSONField(.string(String(repeating: "x", count: 100)), file: "f.json", path: "k")
        #expect(message { _ = try long.int() } == #"f.json: 'k': must be an integer, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...""#)
    }

    @Test func hexStringsAreStrict() {
        #expect(JSONField.parseHex("0x0") == 0)
        #expect(JSONField.parseHex("0XfF") == 255)
        #expect(JSONField.parseHex("0xFFFFFFFFFFFFFFFF") == UInt64.max)
        #expect(JSONField.parseHex("0x1FFFFFFFFFFFFFFFF") == nil)
        #expect(JSONField.parseHex("0x") == nil)
        #expect(JSONField.parseHex("12") == nil)
        #expect(JSONField.parseHex("0x12 ") == nil)
        #expect(JSONField.parseHex("0x-1") == nil)
        #expect(JSONField.parseHex("0xg") == nil)
        #expect(JSONField.hexText(0x1234) == "0x00001234")
        #expect(JSONField.hexText(UInt64.max) == "0xFFFFFFFFFFFFFFFF")
    }
}

/// Replays every file in `Fuzz/json-seeds/` (the JSON fuzzer's seeds and kept regressions):
/// `hand-*` inputs must be rejected with one line naming the file, the others must parse and
/// read back from their rendering.
@Suite struct JSONFuzzSeedTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/json-seeds").standardized
    static let inputs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        .filter { !$0.hasPrefix(".") }.sorted()

    @Test func thereAreHandMadeAndRealInputs() {
        #expect(Self.inputs.filter { $0.hasPrefix("hand-") }.count >= 9)
        #expect(Self.inputs.filter { !$0.hasPrefix("hand-") }.count >= 2)
    }

    @Test(arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
        do {
            let v = try JSONText.parse(bytes, file: name)
            #expect(!name.hasPrefix("hand-"), "\(name) must be rejected")
            #expect(try JSONText.parse(Array(v.render(pretty: true).utf8)).render() == v.render())
        } catch {
            #expect(name.hasPrefix("hand-"), "\(name): \(error)")
            #expect(error.file == name)
            #expect(!error.description.contains("\n"))
        }
    }
}
