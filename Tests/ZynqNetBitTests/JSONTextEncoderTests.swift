import Testing
import ZynqNetBase

/// The writer behind every `--json`: Encodable values become ordered `JSONText`.
@Suite struct JSONTextEncoderTests {
    struct Inner: Encodable {
        var b = 2
        var a = "x/y \"q\""
    }

    struct Outer: Encodable {
        var zeta: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
        var alpha = -1.5
        var missing: Int? = nil
        var list: [Inner] = [Inner()]
        var flag = true
        var ratio = Double.nan
    }

    /// A type that writes its keys itself, with an explicit null.
    struct Manual: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: JSONKey.self)
            try c.encode(3, forKey: JSONKey("c"))
            try c.encode(Int?.none, forKey: JSONKey("accuracy"))
            try c.encode([Int8(-1), 2], forKey: JSONKey("a"))
        }
    }

    @Test func keysInEncodeOrderNullsAndNumbers() throws {
        #expect(try JSONTextEncoder().encode(Outer()).render()
                == #"{"zeta":18446744073709551615,"alpha":-1.5,"list":[{"b":2,"a":"x/y \"q\""}],"flag":true,"ratio":null}"#)
        #expect(try JSONTextEncoder().encode(Manual()).render() == #"{"c":3,"accuracy":null,"a":[-1,2]}"#)
    }

    @Test func sortedKeysSortsEveryLevel() throws {
        #expect(try JSONTextEncoder(sortedKeys: true).encode(Outer()).render()
                == #"{"alpha":-1.5,"flag":true,"list":[{"a":"x/y \"q\"","b":2}],"ratio":null,"zeta":18446744073709551615}"#)
        #expect(try JSONTextEncoder(sortedKeys: true).encode(["b": 1, "a": 2]).render() == #"{"a":2,"b":1}"#)
    }

    /// A JSONText goes through unchanged (it is Encodable itself).
    @Test func jsonTextPassesThrough() throws {
        let t = JSONText.object([("z", .int(1)), ("a", .array([.null, .double(0.25), .string("é")]))])
        #expect(try JSONTextEncoder().encode(t) == t)
        #expect(try JSONTextEncoder().encode([t]).render() == #"[{"z":1,"a":[null,0.25,"é"]}]"#)
    }
}
