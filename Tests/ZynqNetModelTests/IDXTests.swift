import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

@Suite("IDX")
struct IDXTests {
    @Test("reads plain and gzip IDX of every type", arguments: Fixtures.idxNames)
    func fixture(_ name: String) throws {
        let e = try #require(Fixtures.manifest.idx[name])
        let file = try #require(e.file)
        Fixtures.expectMatches(try IDX.read(path: Fixtures.path(file)), e)
        if FileManager.default.fileExists(atPath: Fixtures.path(file + ".gz")) {
            Fixtures.expectMatches(try IDX.read(path: Fixtures.path(file + ".gz")), e)
        }
    }
}

@Suite("IDX details")
struct IDXDetailTests {
    static let labels5 = NDArray(shape: [5], storage: .uint8([1, 2, 3, 254, 255]))

    @Test func gzipHeaderFlagsAndConcatenatedMembers() throws {
        // FEXTRA, FNAME, FCOMMENT and FHCRC in the header; and two gzip members back to back.
        #expect(try IDX.read(path: Fixtures.path("idx/labels5_flags.idx.gz")) == Self.labels5)
        #expect(try IDX.read(path: Fixtures.path("idx/labels5_two_members.idx.gz")) == Self.labels5)
    }

    static var allFiles: [String] {
        Fixtures.idxNames.flatMap { name -> [String] in
            let f = Fixtures.manifest.idx[name]!.file!
            return FileManager.default.fileExists(atPath: Fixtures.path(f + ".gz")) ? [f, f + ".gz"] : [f]
        } + ["idx/labels5_flags.idx.gz", "idx/labels5_two_members.idx.gz"]
    }

    @Test("every truncated prefix throws", arguments: allFiles)
    func truncatedPrefixes(_ file: String) throws {
        let bytes = try Fixtures.bytes(file)
        for n in 0 ..< bytes.count {
            let e = Fixtures.expectZynqError("prefix \(n)") { _ = try IDX.decode(Array(bytes[0 ..< n]), name: "t.idx") }
            #expect(e?.file == "t.idx")
        }
    }

    func gz(_ f: String) throws -> [UInt8] { try Fixtures.bytes(f) }

    @Test func gzipTrailerIsChecked() throws {
        let good = try gz("idx/t0c.idx.gz")
        var b = good
        b[b.count - 8] ^= 0xFF  // CRC-32
        var e = Fixtures.expectZynqError("crc") { _ = try IDX.decode(b, name: "c.gz") }
        #expect(e?.message.hasPrefix("gzip CRC-32 mismatch") == true, "\(e?.message ?? "")")
        b = good
        b[b.count - 4] ^= 0x01  // ISIZE
        e = Fixtures.expectZynqError("isize") { _ = try IDX.decode(b, name: "c.gz") }
        #expect(e?.message == "gzip size mismatch (data 112 bytes, trailer says 113)")
        // Trailing garbage after the last member.
        e = Fixtures.expectZynqError("garbage") { _ = try IDX.decode(good + [0x00], name: "c.gz") }
        #expect(e?.message == "trailing garbage after gzip data")
        // Missing trailer.
        e = Fixtures.expectZynqError("trailer") { _ = try IDX.decode(Array(good.dropLast(8)), name: "c.gz") }
        #expect(e?.message == "truncated gzip trailer (CRC-32 and size missing)")
        // Header: wrong method, reserved flags, wrong header CRC.
        b = good
        b[2] = 7
        #expect(Fixtures.expectZynqError("method") { _ = try IDX.decode(b, name: "c.gz") }?.message == "gzip: unsupported compression method 7")
        b = good
        b[3] = 0x20
        #expect(Fixtures.expectZynqError("flags") { _ = try IDX.decode(b, name: "c.gz") }?.message == "gzip: reserved header flags set (0x20)")
        var f = try gz("idx/labels5_flags.idx.gz")
        let hcrc = f.firstIndex(of: 0x63)!  // 'c' of "a comment": flip a comment byte, HCRC must notice
        f[hcrc] ^= 0x01
        #expect(Fixtures.expectZynqError("hcrc") { _ = try IDX.decode(f, name: "c.gz") }?.message == "gzip header CRC mismatch")
    }

    @Test func corruptDeflateDataIsAnError() throws {
        let good = try gz("idx/t0e.idx.gz")
        let expected = NPY.encode(try IDX.read(path: Fixtures.path("idx/t0e.idx")))
        var rng = SplitMix64(seed: 7)
        var errors = 0
        for _ in 0 ..< 2000 {
            var b = good
            let i = 10 + Int(rng.next() % UInt64(good.count - 18))  // inside the deflate body
            b[i] ^= UInt8(1) << (rng.next() % 8)
            do throws(ZynqError) {
                let a = try IDX.decode(b, name: "x.gz")
                // Only possible if the flip did not change the output (CRC-32 passed); compare bytes (NaN != NaN).
                #expect(NPY.encode(a) == expected)
            } catch { let e = error;
                #expect(e.file == "x.gz")
                errors += 1
            }
        }
        #expect(errors > 1900)
    }

    static func idx(_ type: UInt8, dims: [UInt32], data: [UInt8] = []) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { b += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)] }
        return b + data
    }

    @Test func malformedHeaders() {
        func msg(_ b: [UInt8]) -> String? { Fixtures.expectZynqError("idx") { _ = try IDX.decode(b, name: "m.idx") }?.description }
        #expect(msg([0, 1, 8, 1, 0, 0, 0, 0]) == "m.idx: not an IDX file (magic must start with 00 00, found 0x00 0x01)")
        #expect(msg([0, 0, 0x0A, 1, 0, 0, 0, 0]) == "m.idx: IDX: unknown element type 0x0a")
        #expect(msg([0, 0, 8]) == "m.idx: not an IDX file (3 bytes, too short)")
        #expect(msg([0, 0, 8, 2, 0, 0, 0, 1]) == "m.idx: truncated IDX header (2 dimensions need 12 bytes, file has 8)")
        #expect(msg(Self.idx(0x08, dims: [2, 3], data: [1, 2, 3, 4, 5])) == "m.idx: IDX data truncated: shape (2, 3) of uint8 needs 6 bytes, found 5")
        #expect(msg(Self.idx(0x0B, dims: [2], data: [1, 2, 3, 4, 5])) == "m.idx: IDX data has trailing bytes: shape (2,) of int16 needs 4 bytes, found 5")
        #expect(msg(Self.idx(0x08, dims: [.max, .max, .max])) == "m.idx: IDX shape (4294967295, 4294967295, 4294967295) has too many elements")
        #expect(msg(Self.idx(0x0E, dims: [0x7FFF_FFFF, 0x7FFF_FFFF, 2])) == "m.idx: IDX shape (2147483647, 2147483647, 2) is too large")
    }

    @Test func bigEndianValuesByHand() throws {
        // int16 0x0102 = 258, 0xFFFE = -2; float32 0x3FC00000 = 1.5; int32 0x80000000 = Int32.min
        #expect(try IDX.decode(Self.idx(0x0B, dims: [2], data: [1, 2, 0xFF, 0xFE]), name: "a") == NDArray(shape: [2], storage: .int16([258, -2])))
        #expect(try IDX.decode(Self.idx(0x0D, dims: [1], data: [0x3F, 0xC0, 0, 0]), name: "a") == NDArray(shape: [1], storage: .float32([1.5])))
        #expect(try IDX.decode(Self.idx(0x0C, dims: [1, 1], data: [0x80, 0, 0, 0]), name: "a") == NDArray(shape: [1, 1], storage: .int32([.min])))
        #expect(try IDX.decode(Self.idx(0x09, dims: [2], data: [0x80, 0x7F]), name: "a") == NDArray(shape: [2], storage: .int8([-128, 127])))
        #expect(try IDX.decode(Self.idx(0x08, dims: [0, 5]), name: "a") == NDArray(shape: [0, 5], storage: .uint8([])))
        #expect(try IDX.decode(Self.idx(0x08, dims: [], data: [9]), name: "a") == NDArray(shape: [], storage: .uint8([9])))
    }
}

/// The real Fashion-MNIST test set of the Debian package `dataset-fashion-mnist`, when installed.
@Suite("Fashion-MNIST")
struct FashionMNISTTests {
    static let dir = "/usr/share/datasets/fashion-mnist"
    static let images = dir + "/t10k-images-idx3-ubyte.gz"
    static let labels = dir + "/t10k-labels-idx1-ubyte.gz"
    static let present = FileManager.default.fileExists(atPath: images) && FileManager.default.fileExists(atPath: labels)
        && FileManager.default.isExecutableFile(atPath: "/bin/gzip")

    /// The file decompressed by the system's gzip, an independent inflater.
    static func gunzip(_ path: String) throws -> [UInt8] {
        try runProcess("/bin/gzip", ["-dc", path]).stdoutBytes
    }

    @Test(.enabled(if: present, "dataset-fashion-mnist not installed"))
    func t10k() throws {
        var a = NDArray(shape: [], storage: .uint8([]))
        let cpu = try Fixtures.threadCPUSeconds { a = try IDX.read(path: Self.images) }
        print("IDX.read of t10k images (gzip): \(cpu) s CPU")
        #expect(cpu < 1)  // generous for debug builds; release takes about 40 ms
        #expect(a.shape == [10000, 28, 28])
        let raw = try Self.gunzip(Self.images)
        #expect(raw.count == 16 + 10000 * 784)
        #expect(a.storage == .uint8(Array(raw[16...])))

        let set = try ImageSet.load(path: Self.images, labels: Self.labels)
        #expect(set.count == 10000)
        let rawLabels = try Self.gunzip(Self.labels)
        #expect(set.labels == rawLabels[8...].map { Int($0) })
        #expect(set.labels?.first == 9)  // the first Fashion-MNIST test image is an ankle boot
    }

    @Test(.enabled(if: present, "dataset-fashion-mnist not installed"))
    func npzOfTenThousandImagesIsFast() throws {
        let images = try IDX.read(path: Self.images)
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        for compressed in [true, false] {
            let path = dir.appendingPathComponent("fm\(compressed).npz").path
            let writeCPU = try Fixtures.threadCPUSeconds {
                try NPZ.write([("x_test", NDArray(shape: [10000, 784], storage: images.storage))], to: path, compressed: compressed)
            }
            print("NPZ.write of 10000x784 uint8 (\(compressed ? "deflated" : "stored")): \(writeCPU) s CPU")
            var set: ImageSet?
            let cpu = try Fixtures.threadCPUSeconds { set = try ImageSet.load(path: path) }
            print("ImageSet.load of 10000x784 uint8 npz (\(compressed ? "deflated" : "stored")): \(cpu) s CPU")
            #expect(cpu < 1)  // generous for debug builds; release takes about 10 ms (stored) and 40 ms (deflated)
            #expect(set?.images.storage == images.storage)
            #expect(set?.images.shape == [10000, 784])
        }
    }
}
