import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

@Suite struct RegisterMapTests {
    @Test func offsetsAreAlignedUniqueAndFieldsDisjoint() {
        for regs in [RegisterMap.globalRegisters, RegisterMap.layerRegisters, RegisterMap.windowRegisters] {
            var seen = Set<UInt32>()
            for r in regs {
                #expect(r.offset % 4 == 0, "\(r.name)")
                #expect(seen.insert(r.offset).inserted, "duplicate offset \(r.name)")
                var used: UInt32 = 0
                for f in r.fields {
                    #expect(f.lsb >= 0 && f.lsb + f.width <= 32, "\(r.name).\(f.name)")
                    #expect(used & f.mask == 0, "\(r.name).\(f.name) overlaps")
                    used |= f.mask
                }
            }
        }
        // Global registers end below the first layer block; layer registers fit the stride.
        #expect(RegisterMap.globalRegisters.map(\.offset).max()! < RegisterMap.LAYER_BASE)
        #expect(RegisterMap.layerRegisters.map(\.offset).max()! < RegisterMap.LAYER_STRIDE)
        #expect(RegisterMap.windowRegisters.map(\.offset).max()! < RegisterMap.LAYER_STRIDE)
    }

    @Test func addressWidth() {
        // 0x100 + 0x20·L bytes, at least 4 KiB.
        #expect(RegisterMap.addressWidth(layers: 1) == 12)
        #expect(RegisterMap.addressWidth(layers: 120) == 12)   // 0x100 + 120·32 = 4096
        #expect(RegisterMap.addressWidth(layers: 121) == 13)
        #expect(RegisterMap.layerRegister(2, RegisterMap.L_CLAMP) == 0x100 + 0x40 + 0x1C)
    }

    @Test func fieldHelpers() {
        let f = RegisterField("X", lsb: 16, width: 16, .rw, "")
        #expect(f.mask == 0xFFFF_0000)
        #expect(f.extract(0x1234_5678) == 0x1234)
        #expect(f.insert(0xABCD, into: 0x1234_5678) == 0xABCD_5678)
        #expect(RegisterMap.clampWord(lo: -128, hi: 127) == 0x007F_FF80)
        #expect(RegisterMap.magic == 0x5A4E_4554)  // "ZNET"
    }

    @Test func fnvKnownVectors() {
        // Published FNV-1a 64 test vectors.
        #expect(fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test func outputRecordDecode() {
        let beats: [UInt64] = [0x0000_0007_0000_0003, 0x0807_0605_0403_0201, 0x0000_0000_0000_0a09]
        let d = OutputRecord.decode(beats, classes: 10)
        #expect(d == OutputRecord.Decoded(classIndex: 3, sequence: 7, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
        #expect(OutputRecord.decode(beats, classes: 8) == nil)
        #expect(OutputRecord.packInput([1, 2, 3, 4, 5, 6, 7, 8, 9]) == [0x0807_0605_0403_0201, 0x09])
    }
}

@Suite struct TopologyTests {
    @Test func widthProofByHand() {
        // 784 uint8 inputs: term range [-128·255, 127·255] = [-32640, 32385]; ·784.
        let l = LayerTopology(inCount: 784, outCount: 128, inSigned: false, outSigned: false, multBits: 32)
        let w = l.widths
        #expect(w.sumRange == IntRange(-32640 * 784, 32385 * 784))
        #expect(w.sumBits == 26)   // 25,589,760 < 2^25 = 33,554,432
        // bias: [-2^31, 2^31-1] + (-zx·Σw), zx ∈ [0,255], Σw ∈ [-100352, 99568] → ±25,589,760
        #expect(l.biasBits == 33)
        #expect(w.accBits == 34)   // 2^32 + 25,589,760 < 2^33
        #expect(w.productBits == 66)
        #expect(w.requantDSPs == 4)  // acc 34 → 2 A-pieces, M 32 → 2 B-pieces
        // int8 inputs: term range [-16256, 16384].
        let s = LayerTopology(inCount: 1, outCount: 1, inSigned: true, outSigned: true, multBits: 1)
        #expect(s.widths.sumRange == IntRange(-16256, 16384))
        #expect(s.widths.sumBits == 16)
        #expect(IntRange(-1, 0).signedBits == 1)
        #expect(IntRange(0, 1).signedBits == 2)
        #expect(IntRange(-129, 0).signedBits == 9)
    }

    @Test func hashCoversEveryField() {
        let base = Topology(inputCount: 784, inputSigned: false, layers: [
            LayerTopology(inCount: 784, outCount: 128, inSigned: false, outSigned: false, multBits: 32),
            LayerTopology(inCount: 128, outCount: 10, inSigned: false, outSigned: true, multBits: 32),
        ])
        // Independent encoding of the documented byte layout.
        var words: [UInt32] = [0x5A4E_5450, 1, 784, 0, 2]
        words += [784, 128, 0, 0, UInt32(base.layers[0].biasBits), 32]
        words += [128, 10, 0, 1, UInt32(base.layers[1].biasBits), 32]
        let bytes = words.flatMap { w in (0..<4).map { UInt8((w >> (8 * $0)) & 0xFF) } }
        #expect(base.hash == fnv1a64(bytes))
        var h = Set([base.hash])
        var t = base; t.inputSigned = true; h.insert(t.hash)
        t = base; t.layers[1].outSigned = false; h.insert(t.hash)
        t = base; t.layers[0].multBits = 16; h.insert(t.hash)
        t = base; t.layers[0].biasBits = 40; h.insert(t.hash)
        t = base; t.layers[1].outCount = 11; h.insert(t.hash)
        #expect(h.count == 6)
    }
}
