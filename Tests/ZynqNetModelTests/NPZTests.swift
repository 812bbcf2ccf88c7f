import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

@Suite("NPZ")
struct NPZTests {
    static let archives = ["stored", "deflated", "odd_names", "empty", "descriptors", "zip64"]

    @Test("reads what NumPy wrote", arguments: archives)
    func fixture(_ name: String) throws {
        let e = try #require(Fixtures.manifest.npz[name])
        let arrays = try NPZ.read(path: Fixtures.path(e.file))
        #expect(Set(arrays.keys) == Set(e.arrays.keys))
        for (key, expected) in e.arrays {
            let a = try #require(arrays[key], "\(key)")
            Fixtures.expectMatches(a, expected)
        }
    }

    @Test func keysAndOrder() throws {
        let ordered = try NPZ.readOrdered(path: Fixtures.path("npz/deflated.npz"))
        // np.savez keeps keyword order: w1, shift, input.scale, big, names, fortran, flags.
        #expect(ordered.map(\.0) == ["w1", "shift", "input.scale", "big", "names", "fortran", "flags"])
        let odd = try NPZ.read(path: Fixtures.path("npz/odd_names.npz"))
        // "plain" has the magic but no .npy suffix; "readme.txt" is not an array and is skipped.
        #expect(Set(odd.keys) == ["plain", "dir/x"])
    }

    // MARK: corrupt and truncated archives

    @Test("every truncated prefix throws", arguments: ["stored", "deflated", "odd_names", "descriptors", "zip64"])
    func truncatedPrefixes(_ name: String) throws {
        let file = try #require(Fixtures.manifest.npz[name]?.file)
        let bytes = try Fixtures.bytes(file)
        for n in 0 ..< bytes.count {
            let e = Fixtures.expectZynqError("prefix \(n)") { _ = try NPZ.read(bytes: Array(bytes[0 ..< n]), name: "t.npz") }
            if let e { #expect(e.file == "t.npz") }
        }
    }

    /// Flips one bit at many positions: must throw or return, never crash. Changes to member data
    /// must be caught by the CRC (stored) or by inflate/CRC (deflated).
    @Test("bit flips never crash", arguments: ["stored", "deflated", "zip64"])
    func bitFlips(_ name: String) throws {
        let file = try #require(Fixtures.manifest.npz[name]?.file)
        let bytes = try Fixtures.bytes(file)
        let original = try NPZ.read(bytes: bytes, name: "o")
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0 ..< 3000 {
            var b = bytes
            let i = Int(rng.next() % UInt64(b.count))
            b[i] ^= UInt8(1) << (rng.next() % 8)
            if let got = try? NPZ.read(bytes: b, name: "f") {
                // A flip that still reads (e.g. in a timestamp or a name) must not change any array's data.
                for (k, v) in got where original[k] != nil {
                    #expect(v == original[k]!, "flip at \(i) changed '\(k)' silently")
                }
            }
        }
    }

    /// Finds the local header and central directory entry of `member` in a fixture.
    static func offsets(_ b: [UInt8], member: String) -> (local: Int, central: Int)? {
        let name = Array(member.utf8)
        var local = -1, central = -1
        for i in 0 ..< max(0, b.count - 46) {
            if b[i] == 0x50, b[i + 1] == 0x4B, b[i + 2] == 3, b[i + 3] == 4, Array(b[i + 30 ..< min(b.count, i + 30 + name.count)]) == name { local = i }
            if b[i] == 0x50, b[i + 1] == 0x4B, b[i + 2] == 1, b[i + 3] == 2, Array(b[i + 46 ..< min(b.count, i + 46 + name.count)]) == name { central = i }
        }
        return local >= 0 && central >= 0 ? (local, central) : nil
    }

    @Test func errorsNameFileAndMember() throws {
        let bytes = try Fixtures.bytes("npz/stored.npz")
        let (local, central) = try #require(Self.offsets(bytes, member: "shift.npy"))
        // Data byte changed: CRC mismatch naming the member.
        var b = bytes
        let dataStart = local + 30 + Int(b[local + 26]) + Int(b[local + 27]) << 8 + Int(b[local + 28]) + Int(b[local + 29]) << 8
        b[dataStart + 130] ^= 0x01
        var e = Fixtures.expectZynqError("crc") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.file == "m.npz")
        #expect(e?.key == "shift")
        #expect(e?.message.hasPrefix("CRC-32 mismatch") == true)

        // Unsupported compression method (in both headers).
        b = bytes
        b[local + 8] = 12
        b[central + 10] = 12
        e = Fixtures.expectZynqError("method") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.description == "m.npz: 'shift': compression method 12 is not supported (only stored and deflate)")

        // Headers disagree.
        b = bytes
        b[local + 8] = 8
        e = Fixtures.expectZynqError("disagree") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.message == "local header and central directory disagree on the compression method")

        // Encrypted flag.
        b = bytes
        b[central + 8] |= 1
        e = Fixtures.expectZynqError("encrypted") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.message == "encrypted members are not supported")

        // Stored member whose sizes disagree.
        b = bytes
        b[central + 24] &+= 1
        e = Fixtures.expectZynqError("sizes") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.key == "shift")

        // Local header offset pointing nowhere.
        b = bytes
        b[central + 45] = 0x7F
        e = Fixtures.expectZynqError("offset") { _ = try NPZ.read(bytes: b, name: "m.npz") }
        #expect(e?.message.contains("local header at offset") == true)
    }

    @Test func overlappingMembersAreRejected() throws {
        // Duplicate the central directory entry of "big.npy": two members share one local header and
        // data (the overlapping-entries zip bomb). The fixture has no archive comment.
        var b = try Fixtures.bytes("npz/deflated.npz")
        let (_, central) = try #require(Self.offsets(b, member: "big.npy"))
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        let entryLength = 46 + u16(central + 28) + u16(central + 30) + u16(central + 32)
        let entry = Array(b[central ..< central + entryLength])
        let eocd = b.count - 22
        #expect(b[eocd] == 0x50 && b[eocd + 1] == 0x4B && b[eocd + 2] == 5 && b[eocd + 3] == 6)
        b.insert(contentsOf: entry, at: eocd)
        let e = eocd + entryLength
        let n = u16(e + 10) + 1
        b[e + 8] = UInt8(n & 0xFF); b[e + 9] = UInt8(n >> 8)
        b[e + 10] = UInt8(n & 0xFF); b[e + 11] = UInt8(n >> 8)
        let size = u16(e + 12) + entryLength
        b[e + 12] = UInt8(size & 0xFF); b[e + 13] = UInt8(size >> 8)
        let err = Fixtures.expectZynqError("overlap") { _ = try NPZ.read(bytes: b, name: "o.npz") }
        #expect(err?.description == "o.npz: 'big': member overlaps 'big.npy': corrupt zip")
    }

    @Test func declaredSizesAreSanityChecked() throws {
        let bytes = try Fixtures.bytes("npz/deflated.npz")
        let (_, central) = try #require(Self.offsets(bytes, member: "big.npy"))
        // A deflated member claiming 4 GiB - 2 from a few hundred bytes cannot be real: rejected before allocating.
        var b = bytes
        b[central + 24] = 0xFE
        b[central + 25] = 0xFF
        b[central + 26] = 0xFF
        b[central + 27] = 0xFF
        let e = Fixtures.expectZynqError("bomb") { _ = try NPZ.read(bytes: b, name: "z.npz") }
        #expect(e?.key == "big")
        #expect(e?.message.contains("is impossible for") == true, "\(e?.message ?? "")")
        // A member that inflates to more than declared.
        b = bytes
        b[central + 24] &-= 1
        let e2 = Fixtures.expectZynqError("short") { _ = try NPZ.read(bytes: b, name: "z.npz") }
        #expect(e2?.message.contains("inflates to more than") == true, "\(e2?.message ?? "")")
    }

    @Test func notAZip() {
        #expect(Fixtures.expectZynqError("empty") { _ = try NPZ.read(bytes: [], name: "e.npz") }?.description
                == "e.npz: not a zip archive (0 bytes, too short)")
        let junk = [UInt8](repeating: 0x41, count: 100)
        #expect(Fixtures.expectZynqError("junk") { _ = try NPZ.read(bytes: junk, name: "j.npz") }?.message
                == "not a zip archive (no end of central directory record)")
        #expect(Fixtures.expectZynqError("missing") { _ = try NPZ.read(path: "/nonexistent/x.npz") }?.description
                == "/nonexistent/x.npz: cannot open: no such file or directory")
    }

    @Test func fileLargerThanMemoryIsAnErrorNotAnOOM() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge.npz").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(IOLimits.maxFileBytes) + 1)  // sparse: no disk used
        try handle.close()
        let e = Fixtures.expectZynqError("huge") { _ = try NPZ.read(path: path) }
        #expect(e?.description == "\(path): file of \(IOLimits.maxFileBytes + 1) bytes is larger than this machine's memory (\(IOLimits.maxFileBytes) bytes)")
    }

    // MARK: writing

    static let sample: [(String, NDArray)] = [
        ("w1", NDArray(shape: [2, 3], storage: .int8([-128, -1, 0, 1, 2, 127]))),
        ("shift_l1", NDArray(shape: [], storage: .int32([9]))),
        ("input.scale", NDArray(shape: [], storage: .float32([0.00392156862745098]))),
        ("predictions", NDArray(shape: [4], storage: .int64([3, 1, 4, 1]))),
        ("outputs", NDArray(shape: [2, 2], storage: .uint64([0, .max, 5, 6]))),
        ("ok", NDArray(shape: [2], storage: .bool([true, false]))),
        ("f64", NDArray(shape: [1], storage: .float64([-.pi]))),
        ("u16", NDArray(shape: [1], storage: .uint16([65535]))),
        ("i16", NDArray(shape: [1], storage: .int16([-300]))),
        ("u32", NDArray(shape: [1], storage: .uint32([4_000_000_000]))),
        ("u8", NDArray(shape: [0], storage: .uint8([]))),
        ("names", NDArray(shape: [2], storage: .unicode(["relu", "π"], width: 4))),
    ]

    @Test("write then read is the identity", arguments: [true, false])
    func writeRead(_ compressed: Bool) throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.npz").path
        try NPZ.write(Self.sample, to: path, compressed: compressed)
        let back = try NPZ.readOrdered(path: path)
        #expect(back.map(\.0) == Self.sample.map(\.0))
        for ((k1, a), (k2, b)) in zip(back, Self.sample) {
            #expect(k1 == k2)
            #expect(a == b, "\(k1)")
        }
        // Nothing but the file itself is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.npz"])
        // Deterministic output.
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        try NPZ.write(Self.sample, to: path, compressed: compressed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
    }

    @Test func writeErrorsLeaveNothing() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("keep.npz").path
        try NPZ.write([("a", NDArray(shape: [1], storage: .uint8([1])))], to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let e = Fixtures.expectZynqError("dup") {
            try NPZ.write([("a", NDArray(shape: [1], storage: .uint8([1]))), ("a", NDArray(shape: [1], storage: .uint8([2])))], to: path)
        }
        #expect(e?.description == "\(path): 'a': duplicate npz key")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let missingDir = dir.appendingPathComponent("no/such/dir/x.npz").path
        let e2 = Fixtures.expectZynqError("dir") { try NPZ.write([("a", NDArray(shape: [1], storage: .uint8([1])))], to: missingDir) }
        #expect(e2?.file == missingDir)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.npz"])
    }

    @Test("NumPy reads what we write", .enabled(if: Fixtures.python != nil, "needs python3 with numpy"), arguments: [true, false])
    func numpyReadsOurNPZ(_ compressed: Bool) throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("o.npz").path
        try NPZ.write(Self.sample, to: path, compressed: compressed)
        let script = """
        import sys, zipfile, numpy as np
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None
        methods = {i.compress_type for i in z.infolist()}
        print('methods', sorted(methods))
        with np.load(sys.argv[1], allow_pickle=False) as f:
            for k in f.files:
                a = f[k]
                flat = a.reshape(-1)
                if a.dtype.kind == 'f':
                    vals = ['0x%0*x' % (a.dtype.itemsize * 2, int(b)) for b in flat.view('u%d' % a.dtype.itemsize)]
                elif a.dtype.kind == 'b':
                    vals = ['1' if v else '0' for v in flat]
                elif a.dtype.kind == 'U':
                    vals = [str(v) for v in flat]
                else:
                    vals = [str(int(v)) for v in flat]
                print(k, a.shape, ','.join(vals))
        """
        let out = try runProcess(Fixtures.python!, ["-c", script, path], combined: true)
        #expect(out.status == 0, "\(out.output)")
        var expected = ["methods [\(compressed ? 8 : 0)]"]
        for (k, a) in Self.sample {
            let shape = a.shape.count == 1 ? "(\(a.shape[0]),)" : "(" + a.shape.map(String.init).joined(separator: ", ") + ")"
            expected.append("\(k) \(shape) \(Fixtures.valueStrings(a).joined(separator: ","))")
        }
        #expect(out.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast() == expected[...])
    }
}
