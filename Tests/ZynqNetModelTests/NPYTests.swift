import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

@Suite("NPY")
struct NPYTests {
    // MARK: NumPy-written fixtures: every dtype, both byte orders, both layouts, scalars, versions

    @Test("reads what NumPy wrote", arguments: Fixtures.npyNames)
    func fixture(_ name: String) throws {
        let e = try #require(Fixtures.manifest.npy[name])
        let file = try #require(e.file)
        let a = try NPY.decode(try Fixtures.bytes(file), name: file)
        Fixtures.expectMatches(a, e)
    }

    @Test func fixtureCoverage() {
        let names = Set(Fixtures.npyNames)
        // Every numeric dtype in both byte orders and both layouts, and unicode in all four.
        for t in ["i2", "i4", "i8", "u2", "u4", "u8", "f4", "f8", "U5"] {
            for variant in ["le_c", "le_f", "be_c", "be_f"] {
                #expect(names.contains("\(t)_\(variant)"), "\(t)_\(variant)")
            }
        }
        for t in ["b1", "i1", "u1"] {
            #expect(names.contains("\(t)_na_c") && names.contains("\(t)_na_f"))
        }
        #expect(names.contains("v2_i4") && names.contains("v3_f8"))
    }

    @Test func fortranOrderIsConvertedByIndex() throws {
        // i2_4d_f holds arange(60).reshape(2,3,2,5) - 30 in Fortran order: C order must come out.
        let a = try NPY.read(path: Fixtures.path("npy/i2_4d_f.npy"))
        #expect(a.shape == [2, 3, 2, 5])
        #expect(a.storage == .int16((0 ..< 60).map { Int16($0 - 30) }))
    }

    @Test func scalarHasEmptyShape() throws {
        let a = try NPY.read(path: Fixtures.path("npy/i4_scalar_be.npy"))
        #expect(a.shape == [])
        #expect(a.storage == .int32([Int32.max]))
    }

    @Test func unicodeKeepsInnerNulAndDropsTrailing() throws {
        let a = try NPY.read(path: Fixtures.path("npy/U5_be_f.npy"))
        #expect(a.strings() == ["", "a", "zynq", "héllo", "𝔘ni", "日本"])
        #expect(a.dtype == .unicode(5))
    }

    // MARK: truncation, at every byte boundary

    @Test("every truncated prefix throws", arguments: Fixtures.npyNames)
    func truncatedPrefixes(_ name: String) throws {
        let file = try #require(Fixtures.manifest.npy[name]?.file)
        let bytes = try Fixtures.bytes(file)
        for n in 0 ..< bytes.count {
            #expect(throws: ZynqError.self, "prefix of \(n) bytes") {
                _ = try NPY.decode(Array(bytes[0 ..< n]), name: "t.npy")
            }
        }
        // And one byte too many.
        let e = Fixtures.expectZynqError("trailing byte") { _ = try NPY.decode(bytes + [0], name: "t.npy") }
        #expect(e?.message.contains("trailing bytes") == true)
    }

    // MARK: malformed headers

    static func npy(header: String, major: UInt8 = 1, minor: UInt8 = 0, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, minor]
        if major == 1 {
            out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
        } else {
            out += [UInt8(h.count & 0xFF), UInt8((h.count >> 8) & 0xFF), 0, 0]
        }
        return out + h + data
    }

    static let badHeaders: [(String, String)] = [
        ("{'descr': '<i4', 'fortran_order': False}", "missing key 'shape'"),
        ("{'fortran_order': False, 'shape': (1,)}", "missing key 'descr'"),
        ("{'descr': '<i4', 'shape': (1,)}", "missing key 'fortran_order'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'foo': 1}", "'foo'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': 'x'}", "unexpected key 'extra'"),
        ("{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order'"),
        ("{'descr': '<i4', 'fortran_order': 'False', 'shape': (1,)}", "'fortran_order' is not True or False"),
        ("{'descr': '<i4', 'fortran_order': Falsely, 'shape': (1,)}", "'fortran_order'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': [1]}", "'shape' is not a tuple"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1)}", "'shape' is not a tuple: (1) needs a comma"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}", "'shape' is not a tuple of non-negative integers"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1.5,)}", "'shape'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1 2)}", "'shape': expected ',' or ')'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (01,)}", "'shape': integer with a leading zero"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,2,,)}", "'shape'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': 'x'}", "'shape' is not a tuple"),
        ("{'descr': 4, 'fortran_order': False, 'shape': (1,)}", "'descr'"),
        ("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", "'descr' '<c8': unsupported dtype"),
        ("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}", "'descr' '<f2': unsupported dtype"),
        ("{'descr': '|S5', 'fortran_order': False, 'shape': (1,)}", "'descr' '|S5': unsupported dtype"),
        ("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", "object arrays are not supported"),
        ("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype"),
        ("{'descr': '<i3', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype"),
        ("{'descr': '<U0', 'fortran_order': False, 'shape': (1,)}", "zero-width strings"),
        ("{'descr': '', 'fortran_order': False, 'shape': (1,)}", "'descr' is empty"),
        ("{'descr': '<U99999999999', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype"),
        ("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}", "structured dtypes are not supported"),
        ("{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} x", "unexpected text after the dict"),
        ("{'descr': '<i4, 'fortran_order': False, 'shape': (1,)}", "npy header"),
        ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}'"),
        ("'descr': '<i4'", "not a dict literal"),
        ("", "not a dict literal"),
        ("{'descr': 'a\\'b', 'fortran_order': False, 'shape': (1,)}", "unsupported character"),
        ("{descr: '<i4', 'fortran_order': False, 'shape': (1,)}", "expected a quoted key"),
        ("{'descr' '<i4', 'fortran_order': False, 'shape': (1,)}", "expected ':' after key 'descr'"),
        ("{'descr': None, 'fortran_order': False, 'shape': (1,)}", "'descr': unsupported value"),
    ]

    @Test("malformed headers are rejected by name", arguments: 0 ..< badHeaders.count)
    func badHeader(_ i: Int) throws {
        let (header, expected) = Self.badHeaders[i]
        let e = Fixtures.expectZynqError(header) {
            _ = try NPY.decode(Self.npy(header: header, data: [1, 0, 0, 0]), name: "bad.npy")
        }
        #expect(e?.file == "bad.npy")
        #expect(e?.description.contains(expected) == true, "\(e?.description ?? "-") should contain \(expected)")
    }

    @Test func badMagicAndVersions() throws {
        let good = Self.npy(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", data: [1, 0, 0, 0])
        #expect(try NPY.decode(good, name: "g").storage == .int32([1]))
        var bad = good
        bad[1] = 0x4D
        #expect(Fixtures.expectZynqError("magic") { _ = try NPY.decode(bad, name: "b") }?.message.contains("bad magic") == true)
        for (major, minor) in [(0, 0), (1, 1), (4, 0), (2, 1), (255, 255)] {
            var v = good
            v[6] = UInt8(major)
            v[7] = UInt8(minor)
            let e = Fixtures.expectZynqError("version") { _ = try NPY.decode(v, name: "b") }
            #expect(e?.message == "unsupported .npy format version \(major).\(minor)")
        }
        // Header length pointing past the end.
        var long = good
        long[8] = 0xFF
        long[9] = 0xFF
        #expect(Fixtures.expectZynqError("header length") { _ = try NPY.decode(long, name: "b") }?.message.contains("truncated .npy header") == true)
        // Version 2 and 3 headers with 4-byte lengths, and a 3.0 header with UTF-8 padding-free dict.
        let v2 = Self.npy(header: "{'descr': '>u2', 'fortran_order': True, 'shape': (2, 1), }\n", major: 2, data: [1, 2, 3, 4])
        #expect(try NPY.decode(v2, name: "v2") == NDArray(shape: [2, 1], storage: .uint16([0x0102, 0x0304])))
        let v3 = Self.npy(header: "{\"descr\":\"=i2\",\"shape\":(),\"fortran_order\":False}", major: 3, data: [0xFE, 0xFF])
        #expect(try NPY.decode(v3, name: "v3") == NDArray(shape: [], storage: .int16([-2])))
    }

    @Test func dataLengthMustMatchExactly() {
        let h = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"
        let e1 = Fixtures.expectZynqError("short") { _ = try NPY.decode(Self.npy(header: h, data: [UInt8](repeating: 0, count: 47)), name: "s.npy") }
        #expect(e1?.description == "s.npy: npy data truncated: shape (2, 3) of <i8 needs 48 bytes, found 47")
        let e2 = Fixtures.expectZynqError("long") { _ = try NPY.decode(Self.npy(header: h, data: [UInt8](repeating: 0, count: 49)), name: "s.npy") }
        #expect(e2?.description == "s.npy: npy data has trailing bytes: shape (2, 3) of <i8 needs 48 bytes, found 49")
    }

    static let hugeShapes: [(String, String)] = [
        ("(9223372036854775807, 2)", "has too many elements"),
        ("(4294967296, 4294967296)", "has too many elements"),
        ("(0, 9223372036854775807, 2)", "has too many elements"),
        ("(4611686018427387904,)", "is too large"),  // count fits, bytes (x8) do not
        ("(1152921504606846976, 4)", "is too large"),
        ("(99999999999999999999,)", "dimension too large"),
        ("(2305843009213693952,)", "is too large"),  // 2^61 elements of 8 bytes = 2^64
    ]

    @Test("overflowing shapes are rejected without allocating", arguments: 0 ..< hugeShapes.count)
    func hugeShape(_ i: Int) {
        let (shape, expected) = Self.hugeShapes[i]
        let bytes = Self.npy(header: "{'descr': '<i8', 'fortran_order': False, 'shape': \(shape), }", data: [0, 0, 0, 0, 0, 0, 0, 0])
        let e = Fixtures.expectZynqError(shape) { _ = try NPY.decode(bytes, name: "h.npy") }
        #expect(e?.message.contains(expected) == true, "\(e?.message ?? "-")")
    }

    @Test func zeroSizedDimensionsAreFine() throws {
        let a = try NPY.decode(Self.npy(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 0, 5), }"), name: "z")
        #expect(a.shape == [3, 0, 5])
        #expect(a.storage == .float32([]))
    }

    @Test func invalidCodePointsAreRejected() {
        for bad: UInt32 in [0xD800, 0xDFFF, 0x110000, 0xFFFF_FFFF] {
            let data = withUnsafeBytes(of: bad.littleEndian) { Array($0) }
            let e = Fixtures.expectZynqError("code point \(bad)") {
                _ = try NPY.decode(Self.npy(header: "{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }", data: data), name: "u.npy")
            }
            #expect(e?.message == "npy data: element 0 has invalid code point 0x\(String(bad, radix: 16))")
        }
    }

    @Test func boolAcceptsAnyNonZeroByte() throws {
        let a = try NPY.decode(Self.npy(header: "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", data: [0, 1, 7]), name: "b")
        #expect(a.storage == .bool([false, true, true]))
    }

    // MARK: encoding

    @Test func encodeExactBytes() {
        let bytes = NPY.encode(NDArray(shape: [2], storage: .int16([1, -2])))
        let dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }"
        // 10-byte prefix + 57-byte dict + "\n" = 68 bytes, padded with spaces to 128; then 2 little-endian int16.
        #expect(dict.count == 57)
        let header = dict + String(repeating: " ", count: 128 - 10 - 57 - 1) + "\n"
        let expected: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 118, 0] + Array(header.utf8) + [0x01, 0x00, 0xFE, 0xFF]
        #expect(bytes == expected)
    }

    @Test func encodeScalarAndUnicode() {
        let s = NPY.encode(NDArray(shape: [], storage: .float64([0.5])))
        #expect(String(decoding: s[10 ..< 128], as: UTF8.self).hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"))
        #expect(Array(s[128...]) == [0, 0, 0, 0, 0, 0, 0xE0, 0x3F])
        let u = NPY.encode(NDArray(shape: [2], storage: .unicode(["ab", "xyz!"], width: 3)))
        #expect(String(decoding: u[10 ..< 128], as: UTF8.self).hasPrefix("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }"))
        // "xyz!" is cut to the width of 3.
        #expect(Array(u[128...]) == [0x61, 0, 0, 0, 0x62, 0, 0, 0, 0, 0, 0, 0, 0x78, 0, 0, 0, 0x79, 0, 0, 0, 0x7A, 0, 0, 0])
    }

    static let roundTripArrays: [NDArray] = [
        NDArray(shape: [3], storage: .bool([true, false, true])),
        NDArray(shape: [2, 2], storage: .int8([-128, 127, 0, -1])),
        NDArray(shape: [2], storage: .int16([.min, .max])),
        NDArray(shape: [1, 2], storage: .int32([.min, .max])),
        NDArray(shape: [2], storage: .int64([.min, .max])),
        NDArray(shape: [2], storage: .uint8([0, 255])),
        NDArray(shape: [2], storage: .uint16([0, .max])),
        NDArray(shape: [2], storage: .uint32([0, .max])),
        NDArray(shape: [2], storage: .uint64([0, .max])),
        NDArray(shape: [3], storage: .float32([-0.0, .infinity, .leastNonzeroMagnitude])),
        NDArray(shape: [3], storage: .float64([-0.0, -.infinity, .greatestFiniteMagnitude])),
        NDArray(shape: [], storage: .int64([42])),
        NDArray(shape: [0, 4], storage: .float32([])),
        NDArray(shape: [2], storage: .unicode(["", "日本語"], width: 3)),
    ]

    @Test("encode then decode is the identity", arguments: 0 ..< roundTripArrays.count)
    func roundTrip(_ i: Int) throws {
        let a = Self.roundTripArrays[i]
        let bytes = NPY.encode(a)
        #expect((bytes.count - a.count * itemSize(a.dtype)) % 64 == 0, "data starts 64-byte aligned")
        #expect(try NPY.decode(bytes, name: "rt") == a)
    }

    func itemSize(_ d: NDArray.DType) -> Int {
        switch d {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        case .unicode(let n): 4 * n
        }
    }

    @Test func hugeHeaderUsesVersion2() throws {
        // A shape with many dimensions still fits v1; force v2 with a long unicode-free header is
        // impossible through the API, so check the v1 length field instead.
        let a = NDArray(shape: [Int](repeating: 1, count: 32), storage: .uint8([7]))
        let bytes = NPY.encode(a)
        #expect(bytes[6] == 1)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(try NPY.decode(bytes, name: "x") == a)
    }

    // MARK: NumPy reads what we write

    @Test(.enabled(if: Fixtures.python != nil, "needs python3 with numpy"))
    func numpyReadsOurNPY() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        var checks: [String] = []
        for (i, a) in Self.roundTripArrays.enumerated() {
            let path = dir.appendingPathComponent("a\(i).npy").path
            try Data(NPY.encode(a)).write(to: URL(fileURLWithPath: path))
            checks.append(path)
        }
        // NumPy prints dtype, shape and the values in the manifest notation; we compare to ours.
        let script = """
        import sys, numpy as np
        for p in sys.argv[1:]:
            a = np.load(p, allow_pickle=False)
            flat = a.reshape(-1)
            if a.dtype.kind == 'f':
                vals = ['0x%0*x' % (a.dtype.itemsize * 2, int(b)) for b in flat.view('u%d' % a.dtype.itemsize)]
            elif a.dtype.kind == 'b':
                vals = ['1' if v else '0' for v in flat]
            elif a.dtype.kind == 'U':
                vals = [repr(str(v)) for v in flat]
            else:
                vals = [str(int(v)) for v in flat]
            print(a.dtype.str, a.shape, ' '.join(vals))
        """
        let out = try runProcess(Fixtures.python!, ["-c", script] + checks, combined: true)
        #expect(out.status == 0, "\(out.output)")
        let lines = out.output.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.roundTripArrays.count)
        for (i, a) in Self.roundTripArrays.enumerated() where i < lines.count {
            var vals = Fixtures.valueStrings(a)
            if case .unicode = a.storage { vals = vals.map { "'\($0)'" } }
            let shape = a.shape.count == 1 ? "(\(a.shape[0]),)" : "(" + a.shape.map(String.init).joined(separator: ", ") + ")"
            let descr: String
            switch a.dtype {
            case .bool: descr = "|b1"
            case .int8: descr = "|i1"
            case .uint8: descr = "|u1"
            case .unicode(let n): descr = "<U\(n)"
            default: descr = "<" + String(String(describing: a.dtype).first!) + "\(itemSize(a.dtype))"
            }
            #expect(lines[i] == "\(descr) \(shape) \(vals.joined(separator: " "))".trimmingCharacters(in: .whitespaces) ||
                    lines[i] == "\(descr) \(shape) \(vals.joined(separator: " "))", "array \(i)")
        }
    }
}
