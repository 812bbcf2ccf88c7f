import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetBit

/// A `.bit` file assembled byte by byte, the way §3.3 of zynq-facts.md lays it out
/// (independent of `BitFile.serialized()`).
func handBit(a: String = "top;UserID=0XFFFFFFFF;Version=2022.2", b: String = "7z020clg400",
             c: String = "2024/05/01", d: String = "12:34:56", payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01]
    for (key, s) in [(UInt8(0x61), a), (0x62, b), (0x63, c), (0x64, d)] {
        let n = s.utf8.count + 1
        out.append(key)
        out.append(UInt8(n / 256))
        out.append(UInt8(n % 256))
        out += Array(s.utf8)
        out.append(0)
    }
    out.append(0x65)
    let n = payload.count
    out += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
    return out + payload
}

/// Dummy word, bus width words, sync, NOOP, CMD header (hand-written bytes).
let smallPayload: [UInt8] = [
    0xFF, 0xFF, 0xFF, 0xFF,
    0x00, 0x00, 0x00, 0xBB, 0x11, 0x22, 0x00, 0x44,
    0xAA, 0x99, 0x55, 0x66,
    0x20, 0x00, 0x00, 0x00,
    0x30, 0x00, 0x80, 0x01,
]

func expectError(_ bytes: [UInt8], key: String, contains: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do throws(ZynqError) {
        _ = try BitFile.parse(bytes, file: "x.bit")
        Issue.record("parsed, expected an error about \(key)", sourceLocation: sourceLocation)
    } catch {
        let e = error
        #expect(e.file == "x.bit", sourceLocation: sourceLocation)
        #expect(e.key == key, "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(contains), "\(e)", sourceLocation: sourceLocation)
        #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct BitFileParsing {
    @Test func headerFields() throws {
        let bytes = handBit(payload: smallPayload)
        #expect(bytes.count == 13 + 3 + 37 + 3 + 12 + 3 + 11 + 3 + 9 + 5 + 24)
        let f = try BitFile.parse(bytes, file: "x.bit")
        #expect(f.designField == "top;UserID=0XFFFFFFFF;Version=2022.2")
        #expect(f.design == "top")
        #expect(f.userID == "0XFFFFFFFF")
        #expect(f.toolVersion == "2022.2")
        #expect(f.part == "7z020clg400")
        #expect(f.vivadoPart == "xc7z020clg400")
        #expect(f.date == "2024/05/01")
        #expect(f.time == "12:34:56")
        #expect(f.length == 24)
        #expect(f.payload == smallPayload)
        #expect(f.syncOffset == 12)
        #expect(f.serialized() == bytes)
    }

    @Test func attributesInOrder() throws {
        let f = try BitFile.parse(handBit(a: "d.ncd;HW_TIMEOUT=FALSE;UserID=0xFFFFFFFF;COMPRESS=TRUE;X", payload: smallPayload))
        #expect(f.design == "d.ncd")
        #expect(f.attributes.map(\.key) == ["HW_TIMEOUT", "UserID", "COMPRESS", "X"])
        #expect(f.attributes.map(\.value) == ["FALSE", "0xFFFFFFFF", "TRUE", ""])
        #expect(f.userID == "0xFFFFFFFF")
        #expect(f.toolVersion == nil)
    }

    @Test func magicChecked() {
        var b = handBit(payload: smallPayload)
        b[5] = 0xF1
        expectError(b, key: "header", contains: "byte 5 is 0xF1")
        expectError([0x00, 0x09], key: "header", contains: "2 bytes")
        expectError(Array("hello world, this is not a bitstream".utf8), key: "header", contains: "not a Xilinx .bit file")
    }

    @Test func fieldKeysInOrder() {
        var b = handBit(payload: smallPayload)
        // 'b' key sits after magic (13) + 'a' key/len (3) + 37 bytes.
        #expect(b[53] == 0x62)
        b[53] = 0x63
        expectError(b, key: "part", contains: "expected field key 'b' (0x62) at offset 53, found 0x63")
        var a = handBit(payload: smallPayload)
        a[13] = 0x62
        expectError(a, key: "design", contains: "expected field key 'a'")
    }

    @Test func stringFieldRules() {
        // Length 0.
        var b = handBit(payload: smallPayload)
        b[14] = 0; b[15] = 0
        expectError(b, key: "design", contains: "length 0")
        // Not NUL-terminated: replace the NUL of 'a' by a letter.
        b = handBit(payload: smallPayload)
        b[16 + 36] = UInt8(ascii: "x")
        expectError(b, key: "design", contains: "not NUL-terminated")
        // NUL inside.
        b = handBit(payload: smallPayload)
        b[16 + 3] = 0
        expectError(b, key: "design", contains: "NUL byte inside")
        // Non-ASCII.
        b = handBit(payload: smallPayload)
        b[16 + 1] = 0xC3
        expectError(b, key: "design", contains: "0xC3")
        // Length beyond the end of the file.
        b = Array(handBit(payload: smallPayload)[0..<20])
        expectError(b, key: "design", contains: "declares 37 bytes")
        // Empty design name.
        expectError(handBit(a: ";UserID=0", payload: smallPayload), key: "design", contains: "empty")
    }

    @Test func partDateTimeValidated() {
        expectError(handBit(b: "7z020 clg400", payload: smallPayload), key: "part", contains: "not a part name")
        expectError(handBit(b: "", payload: smallPayload), key: "part", contains: "not a part name")
        expectError(handBit(c: "2024-05-01", payload: smallPayload), key: "date", contains: "YYYY/MM/DD")
        expectError(handBit(c: "2024/13/01", payload: smallPayload), key: "date", contains: "2024/13/01")
        expectError(handBit(d: "12:34", payload: smallPayload), key: "time", contains: "HH:MM:SS")
        expectError(handBit(d: "24:00:00", payload: smallPayload), key: "time", contains: "24:00:00")
    }

    @Test func payloadLengthMustMatchTheFile() {
        let good = handBit(payload: smallPayload)
        expectError(Array(good.dropLast()), key: "payload", contains: "says 24 bytes but only 23 follow")
        expectError(good + [0, 0, 0, 0], key: "payload", contains: "4 unexpected bytes after the 24-byte payload")
        var b = handBit(payload: smallPayload)
        b.removeLast(24)
        b.removeLast(4)
        b += [0xFF, 0xFF, 0xFF, 0xFF]
        expectError(b, key: "payload", contains: "4294967295 bytes but only 0 follow")
        expectError(handBit(payload: []), key: "payload", contains: "empty")
        expectError(handBit(payload: Array(smallPayload.dropLast(2))), key: "payload", contains: "not a whole number of 32-bit words")
        let truncatedLength = Array(good[0..<(good.count - 24 - 2)])
        expectError(truncatedLength, key: "payload", contains: "4-byte length")
    }

    @Test func syncWordRequiredAtWordBoundary() {
        var p = smallPayload
        p[12] = 0xAB
        expectError(handBit(payload: p), key: "payload", contains: "no sync word")
        // AA995566 straddling a word boundary does not count.
        let shifted: [UInt8] = [0xFF, 0xFF, 0xAA, 0x99, 0x55, 0x66, 0x00, 0x00]
        expectError(handBit(payload: shifted), key: "payload", contains: "no sync word")
    }

    /// Every prefix and every single-byte corruption of a valid file either parses or throws a
    /// ZynqError naming the file; nothing traps.
    @Test func everyPrefixAndCorruptionIsHandled() {
        let good = handBit(payload: smallPayload)
        for n in 0..<good.count {
            #expect(throws: ZynqError.self) { _ = try BitFile.parse(Array(good[0..<n]), file: "x.bit") }
        }
        for i in 0..<good.count {
            for v: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF] where v != good[i] {
                var b = good
                b[i] = v
                do throws(ZynqError) { _ = try BitFile.parse(b, file: "x.bit") } catch { let e = error;
                    #expect(e.file == "x.bit")
                } catch { Issue.record("\(error)") }
            }
        }
    }

    @Test func loadNamesMissingFile() {
        #expect(throws: ZynqError(file: "/nonexistent/a.bit", "cannot open: no such file or directory")) {
            _ = try BitFile.load(path: "/nonexistent/a.bit")
        }
    }
}

@Suite struct PartNames {
    @Test func normalization() {
        #expect(BitPart.normalize("7z020clg400") == "7z020clg400")
        #expect(BitPart.normalize("xc7z020clg400-1") == "7z020clg400")
        #expect(BitPart.normalize("XC7Z020CLG400-2L") == "7z020clg400")
        #expect(BitPart.normalize("xc7a100tfgg676-2") == "7a100tfgg676")
        #expect(BitPart.vivadoSpelling("7z020clg400") == "xc7z020clg400")
        #expect(BitPart.matches("7z020clg400", "xc7z020clg400-1"))
        #expect(BitPart.matches("xc7z020clg400-1", "7z020clg400"))
        #expect(!BitPart.matches("7z010clg400", "xc7z020clg400-1"))
        #expect(!BitPart.matches("7z020clg484", "xc7z020clg400-1"))
        #expect(!BitPart.matches("", ""))
    }

    @Test func devicesAndIDCodes() {
        #expect(BitPart.device("xc7z020clg400-1") == "7z020")
        #expect(BitPart.device("7z007sclg400") == "7z007s")
        #expect(BitPart.device("7z010clg400") == "7z010")
        #expect(BitPart.device("7a100tfgg676") == "7a100")
        #expect(BitPart.zynqDevice(idcode: 0x2372_7093) == "7z020")
        #expect(BitPart.zynqDevice(idcode: 0x0372_7093) == "7z020")
        #expect(BitPart.zynqDevice(idcode: 0x1372_2093) == "7z010")
        #expect(BitPart.zynqDevice(idcode: 0x4BA0_0477) == nil)
    }
}

@Suite struct PayloadConversions {
    @Test func fpgaManagerBinSwapsEveryWord() throws {
        let f = try BitFile.parse(handBit(payload: smallPayload))
        let bin = try f.fpgaManagerBin()
        // Hand-swapped words of smallPayload.
        #expect(bin == [0xFF, 0xFF, 0xFF, 0xFF, 0xBB, 0x00, 0x00, 0x00, 0x44, 0x00, 0x22, 0x11,
                        0x66, 0x55, 0x99, 0xAA, 0x00, 0x00, 0x00, 0x20, 0x01, 0x80, 0x00, 0x30])
    }

    @Test func binNeedsWholeWordsAndSync() {
        #expect(throws: ZynqError(file: "p", key: "payload", "length 6 is not a whole number of 32-bit words; cannot byte-swap")) {
            _ = try Bitstream.fpgaManagerBin([1, 2, 3, 4, 5, 6], file: "p")
        }
        #expect(throws: ZynqError.self) { _ = try Bitstream.fpgaManagerBin([0xFF, 0xFF, 0xFF, 0xFF], file: "p") }
    }

    @Test func jtagPayloadReversesBits() {
        #expect(Bitstream.jtagPayload([0xAA, 0x99, 0x55, 0x66, 0x01, 0x30, 0xBB, 0x00, 0xFF, 0x0F])
                == [0x55, 0x99, 0xAA, 0x66, 0x80, 0x0C, 0xDD, 0x00, 0xFF, 0xF0])
        // Reversal is an involution on every byte.
        for b in 0...255 {
            let r = Bitstream.reversedTable[b]
            #expect(Bitstream.reversedTable[Int(r)] == UInt8(b))
            #expect(r.nonzeroBitCount == UInt8(b).nonzeroBitCount)
        }
    }
}

@Suite struct Checksums {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256IncrementalEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 55, 56, 63, 64, 65, 500, 1000] {
            var s = SHA256()
            s.update(Array(data[0..<split]))
            s.update(Array(data[split...]))
            let hex = s.finalize().map { String(format: "%02x", $0) }.joined()
            #expect(hex == SHA256.hex(data))
        }
    }

    /// Values from a direct Python transcription of project X-Ray's `icap_crc`.
    @Test func configurationCRC() {
        #expect(ConfigPackets.crcUpdate(0, register: 0x0C, data: 0x0372_7093) == 0xEB3E_84AA)
        #expect(ConfigPackets.crcUpdate(0xEB3E_84AA, register: 0x02, data: 0xDEAD_BEEF) == 0xA2BC_E323)
        #expect(ConfigPackets.crcUpdate(0xFFFF_FFFF, register: 0x04, data: 1) == 0x23EB_662A)
    }
}

@Suite struct Packets {
    @Test func syntheticBitstreamWalks() throws {
        let s = SyntheticBitstream(frameWords: 333, trailingNoops: 5, seed: 9)
        let p = s.payload()
        let sum = ConfigPackets.summarize(p)
        #expect(sum.problem == nil)
        #expect(sum.syncOffset == 48)
        #expect(sum.idcode == 0x0372_7093)
        #expect(sum.frameWords == 333)
        #expect(sum.crcChecks == 2)
        #expect(sum.crcMatches == 2)
        #expect(sum.hasStart && sum.hasDesync)
        #expect(sum.commands == [0, 7, 9, 1, 0xA, 3, 5, 0xD])
        // Words: 8 dummy + 5 + the rest; the tail is DESYNC then 5 NOOPs.
        let w = s.words()
        #expect(Array(w.suffix(7)) == [0x3000_8001, 0x0000_000D, 0x2000_0000, 0x2000_0000, 0x2000_0000, 0x2000_0000, 0x2000_0000])
        #expect(p.count == w.count * 4)
        // It parses as the payload of a .bit file.
        let f = try BitFile.parse(s.bitFile().serialized())
        #expect(f.payload == p)
    }

    @Test func wrongCRCIsSeen() {
        let sum = ConfigPackets.summarize(SyntheticBitstream(frameWords: 10, correctCRC: false).payload())
        #expect(sum.crcChecks == 2)
        #expect(sum.crcMatches == 1)
    }

    @Test func malformedPacketsReported() {
        var w: [UInt8] = [0xAA, 0x99, 0x55, 0x66]
        w += [0x50, 0x00, 0x00, 0x01, 0, 0, 0, 0]  // type 2 first
        #expect(ConfigPackets.summarize(w).problem?.contains("without a preceding type-1") == true)
        let trunc: [UInt8] = [0xAA, 0x99, 0x55, 0x66, 0x30, 0x00, 0x40, 0x05, 0, 0, 0, 1]
        #expect(ConfigPackets.summarize(trunc).problem == "packet at byte 4 announces 5 words but only 1 remain")
        let bad: [UInt8] = [0xAA, 0x99, 0x55, 0x66, 0xE0, 0, 0, 0]
        #expect(ConfigPackets.summarize(bad).problem?.contains("0xE0000000") == true)
    }
}

/// Fixtures written by Tests/Fixtures/scripts/make_bit_fixtures.py (Python + NumPy, independent of this code).
@Suite struct PythonFixtures {
    static let dir = fixturesRoot.appendingPathComponent("bit")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
    }

    static func expected(_ name: String) throws -> [String: Any] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        return try #require((json as? [String: Any])?[name] as? [String: Any])
    }

    @Test(arguments: ["synthetic-7z020", "synthetic-7z010"])
    func headerMatchesPython(_ name: String) throws {
        let e = try Self.expected(name)
        let raw = try Self.bytes(name + ".bit")
        let f = try BitFile.load(path: Self.dir.appendingPathComponent(name + ".bit").path)
        #expect(f.design == e["design"] as? String)
        #expect(f.userID == e["user_id"] as? String)
        #expect(f.toolVersion == e["version"] as? String)
        #expect(f.part == e["part"] as? String)
        #expect(f.date == e["date"] as? String)
        #expect(f.time == e["time"] as? String)
        #expect(Int(f.length) == e["length"] as? Int)
        #expect(Int(f.syncOffset) == e["sync_offset"] as? Int)
        #expect(raw.count == e["file_size"] as? Int)
        let offset = try #require(e["payload_offset"] as? Int)
        #expect(f.payload == Array(raw[offset...]))
        let s = ConfigPackets.summarize(f.payload)
        #expect(s.idcode.map(Int.init) == e["idcode"] as? Int)
        #expect(s.frameWords == UInt64(try #require(e["frame_words"] as? Int)))
        #expect(s.crcChecks == 2 && s.crcMatches == 2, "the Swift CRC must agree with Python's X-Ray CRC")
        #expect(s.problem == nil && s.hasDesync)
    }

    @Test func binEqualsPYNQBit2Bin() throws {
        let f = try BitFile.parse(try Self.bytes("synthetic-7z020.bit"))
        #expect(try f.fpgaManagerBin() == (try Self.bytes("synthetic-7z020.bin")))
    }

    @Test func jtagPayloadEqualsPythonReversal() throws {
        let f = try BitFile.parse(try Self.bytes("synthetic-7z020.bit"))
        #expect(f.jtagPayload == (try Self.bytes("synthetic-7z020.jtag")))
    }

    @Test func binGivenAsBitGetsAHint() throws {
        do {
            _ = try BitFile.parse(try Self.bytes("synthetic-7z020.bin"), file: "a.bin")
            Issue.record("a .bin must not parse as .bit")
        } catch let e as ZynqError {
            #expect(e.key == "header")
            #expect(e.message.hasSuffix("it looks like a byte-swapped fpga_manager .bin, not a .bit"))
        }
        do {
            _ = try BitFile.parse(try Self.bytes("synthetic-7z020.jtag").map { Bitstream.reversedTable[Int($0)] }, file: "raw")
            Issue.record("a raw payload must not parse as .bit")
        } catch let e as ZynqError {
            #expect(e.message.hasSuffix("it looks like a raw bitstream without the .bit header"))
        }
    }
}
