// Generators for the files derived from RegisterMap: docs/register-map.md and fpga/rtl/zn_regmap.vh.

extension RegisterMap {
    /// What each minor version added (docs/register-map.md); the last is the current version.
    public static let versionHistory: [(version: String, change: String)] = [
        ("1.0", "The first map."),
        ("1.1", "FLAGS.SEQUENTIAL (0 on 1.0: dataflow); L_CFG.ROUNDING, format 2's 3-bit rounding code, where 1.0 had the bit ROUND_HALF_UP (codes 0 and 1 are its two values); L_WIDTHS.ROUNDINGS (0 on 1.0: floor and half_up only, the modes every design builds); L_LANES.KIND (0 on 1.0: every layer dense): conv2d and maxpool2d layers."),
        ("1.2", "The window blocks L_WIN_IMAGE, L_WIN_KERNEL, L_WIN_STRIDE, L_WIN_PAD, L_WIN_CH after the last layer block: a conv2d or maxpool2d layer's image, kernel, stride, padding, channels and pad zero point (on 1.1 they are in TOPOLOGY_HASH only, and the addresses belong to no register: the driver reads them from 1.2 on)."),
    ]

    static func hexOffset(_ v: UInt32, digits: Int = 3) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    static func resetText(_ r: UInt32?) -> String {
        guard let r else { return "design" }
        return "0x" + hex32(r).uppercased()
    }

    static func bitsText(_ f: RegisterField) -> String {
        f.width == 1 ? "[\(f.lsb)]" : "[\(f.lsb + f.width - 1):\(f.lsb)]"
    }

    private static func table(_ regs: [Register], prefix: String) -> String {
        var s = "| offset | name | access | reset | description |\n| --- | --- | --- | --- | --- |\n"
        for r in regs {
            s += "| \(prefix)\(hexOffset(r.offset, digits: prefix.isEmpty ? 3 : 2)) | `\(r.name)` | \(r.access.rawValue) | \(resetText(r.reset)) | \(r.description) |\n"
            for f in r.fields {
                s += "| \(bitsText(f)) | `\(r.name).\(f.name)` | \(f.access.rawValue) | \(f.reset.map { String($0) } ?? "design") | \(f.description) |\n"
            }
        }
        return s
    }

    /// The Markdown document `docs/register-map.md`.
    public static func markdown() -> String {
        var s = """
        # Accelerator register map (AXI4-Lite)

        Generated from `Sources/ZynqNetHW/RegisterMap.swift` by the test suite
        (`ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles`); do not edit by hand.

        Version \(versionMajor).\(versionMinor), magic `0x\(hex32(magic).uppercased())`. The driver accepts every minor
        version of its major (a field a later minor added reads 0 on an earlier design, which is that
        design's behaviour) and refuses another major:
        \(versionHistory.map { "\n- \($0.version): \($0.change)" }.joined())
        
        32-bit registers at byte offsets from the accelerator's base address. The window is
        2^AW bytes, AW = max(12, clog2(0x\(String(LAYER_BASE, radix: 16, uppercase: true)) + 0x\(String(LAYER_STRIDE, radix: 16, uppercase: true))·blocks)) (`axil_addr_width` in manifest.json),
        blocks = layers, or 2·layers with a conv2d or maxpool2d layer (the window blocks).
        Reads get an OKAY response; unmapped offsets read 0 and ignore writes. A write must
        use the full word: WSTRB other than 0xF is answered SLVERR and writes nothing (no
        register, no parameter word); a full-word write gets OKAY. Access: RO read-only, RW read/write,
        RW1C write 1 to clear, W1P write 1 to trigger (self-clearing, reads 0), RW* side effect.

        ## Global registers

        \(table(globalRegisters, prefix: ""))
        ## Per-layer registers

        Layer i's block starts at `0x\(String(LAYER_BASE, radix: 16, uppercase: true)) + i·0x\(String(LAYER_STRIDE, radix: 16, uppercase: true))`.

        \(table(layerRegisters, prefix: "+"))

        ## Window registers (since 1.2)

        A design with a conv2d or maxpool2d layer has a window block per layer after the last layer block:
        layer i's starts at `0x\(String(LAYER_BASE, radix: 16, uppercase: true)) + (NUM_LAYERS + i)·0x\(String(LAYER_STRIDE, radix: 16, uppercase: true))`. All read-only, zero for a dense layer
        (and every other word of the block reads 0); a design with dense layers only has none. The runtime
        compares them with the model before the topology hash, naming the first field that differs.

        \(table(windowRegisters, prefix: "+"))
        ## Parameter window

        `PARAM_SEL` = layer | kind << \(PARAM_SEL_KIND.lsb) selects a memory; `PARAM_ADDR` walks it; `PARAM_DATA` reads or
        writes one 32-bit chunk and moves `PARAM_ADDR` on (chunk, then depth, then bank; holes skipped).
        A memory has `banks` banks of `depth` words of `bits` bits; a word is `ceil(bits/32)` chunks,
        least significant first, and is stored when its last chunk is written (write the chunks in order).

        | kind | banks | depth | word (from bit 0) |
        | --- | --- | --- | --- |
        | 0 weights | PE | (in/SIMD)·(out/PE) | SIMD int8 weights: byte j of bank p at depth nf·(in/SIMD)+sf is weight[nf·PE+p, sf·SIMD+j] |
        | 1 quant | LANES | out/LANES | bias_eff (BIAS_BITS, signed), M (MULT_BITS), s (6 bits) of channel depth·LANES+bank |

        `bias_eff = bias − zx·Σ_k weight[o,k]`, zx the layer's input zero point (the model's
        `input.zero` for layer 0, the previous layer's `output.zero` after), so that
        `acc = bias_eff + Σ_k weight[o,k]·x[k]` equals the spec's accumulator exactly.
        `PARAM_ADDR = (bank << (DB+CB)) | (depth << CB) | chunk`, DB = clog2(depth), CB = clog2(chunks).

        ## Streams

        - `s_axis` (\(OutputRecord.beatBits)-bit): an image is ceil(INPUT_COUNT/8) beats, pixel k in byte k mod 8 of beat k/8;
          padding bytes are ignored. TLAST may mark an image's last beat or be absent; TLAST on another
          beat sets `STATUS.ERR_INPUT` (the image is still consumed by beat count).
        - `m_axis` (\(OutputRecord.beatBits)-bit): per image 1 + ceil(C/8) beats. Beat 0: class index in [\(OutputRecord.sequenceLSB - 1):\(OutputRecord.classIndexLSB)],
          sequence number in [63:\(OutputRecord.sequenceLSB)] (output images since reset or CLEAR_COUNTERS, mod 2^32).
          Then the last layer's C values as 8-bit codes, 8 per beat little-endian, zero-padded.
          TLAST on the last beat of every K-th image, K = `OUT_PACKET_IMAGES`. TKEEP is all ones.

        """
        return s
    }

    /// The Verilog header `fpga/rtl/zn_regmap.vh`: localparams included inside the modules that
    /// rely on the map (zn_axil_regs; the stream modules for the beat width and the output record).
    /// RA_ offsets, RB_/RW_ field LSB and width, RR_ reset values (registers and fields with a fixed
    /// one), ZN_BEAT_W and OR_ the output record's beat 0.
    public static func verilogHeader() -> String {
        var s = """
        // Generated from Sources/ZynqNetHW/RegisterMap.swift; do not edit by hand.
        // Included inside the modules that rely on the register map or the stream format; each checks
        // the positions it relies on at elaboration (g_map_error). Offsets are byte offsets.
        /* verilator lint_off UNUSEDPARAM */
        localparam [31:0] RM_MAGIC = 32'h\(hex32(magic).uppercased());
        localparam [31:0] RM_VERSION = 32'h\(hex32(version).uppercased());

        """
        for r in globalRegisters {
            s += "localparam [11:0] RA_\(r.name) = 12'h\(hexOffset(r.offset).dropFirst(2));\n"
        }
        s += "localparam [11:0] RA_LAYER_BASE = 12'h\(String(LAYER_BASE, radix: 16, uppercase: true));\n"
        s += "localparam integer RA_LAYER_STRIDE = \(LAYER_STRIDE);\n"
        for r in layerRegisters + windowRegisters {
            s += "localparam [4:0] RA_\(r.name) = 5'h\(String(r.offset, radix: 16, uppercase: true));\n"
        }
        for r in globalRegisters + layerRegisters + windowRegisters {
            for f in r.fields {
                s += "localparam integer RB_\(r.name)_\(f.name) = \(f.lsb);\n"
            }
        }
        for r in globalRegisters + layerRegisters + windowRegisters {
            for f in r.fields {
                s += "localparam integer RW_\(r.name)_\(f.name) = \(f.width);\n"
            }
        }
        for r in globalRegisters + layerRegisters + windowRegisters {
            if let v = r.reset { s += "localparam [31:0] RR_\(r.name) = 32'h\(hex32(v).uppercased());\n" }
            for f in r.fields {
                if let v = f.reset { s += "localparam [\(f.width - 1):0] RR_\(r.name)_\(f.name) = \(f.width)'d\(v);\n" }
            }
        }
        s += "localparam integer ZN_BEAT_W = \(OutputRecord.beatBits);\n"
        s += "localparam integer OR_CLASS_LSB = \(OutputRecord.classIndexLSB);\n"
        s += "localparam integer OR_CLASS_W = \(OutputRecord.classIndexBits);\n"
        s += "localparam integer OR_SEQ_LSB = \(OutputRecord.sequenceLSB);\n"
        s += "localparam integer OR_SEQ_W = \(OutputRecord.sequenceBits);\n"
        s += "localparam integer OR_VALUES_PER_BEAT = \(OutputRecord.valuesPerBeat);\n"
        s += "/* verilator lint_on UNUSEDPARAM */\n"
        return s
    }
}

extension RegisterMap {
    /// The name of the C header `cHeader()` is written as, beside the C++ sources of every
    /// Verilator build (rtlsim's library, verify's harness); never committed.
    public static let cHeaderName = "zn_regmap.h"

    /// The C/C++ header of the map: ZN_REG_ offsets, ZN_<REG>_<FIELD>_LSB/_WIDTH/_MASK, the beat
    /// width and the output record.
    public static func cHeader() -> String {
        func hex(_ v: UInt32) -> String { "0x" + hex32(v).uppercased() + "u" }
        var s = """
        // Generated by zynqnet from Sources/ZynqNetHW/RegisterMap.swift into each Verilator build; do not edit.
        #ifndef ZN_REGMAP_H
        #define ZN_REGMAP_H
        #define ZN_MAGIC \(hex(magic))
        #define ZN_VERSION \(hex(version))

        """
        for r in globalRegisters { s += "#define ZN_REG_\(r.name) \(hex(r.offset))\n" }
        s += "#define ZN_REG_LAYER_BASE \(hex(LAYER_BASE))\n"
        s += "#define ZN_REG_LAYER_STRIDE \(hex(LAYER_STRIDE))\n"
        for r in layerRegisters + windowRegisters { s += "#define ZN_REG_\(r.name) \(hex(r.offset))\n" }
        for r in globalRegisters + layerRegisters + windowRegisters {
            for f in r.fields {
                s += "#define ZN_\(r.name)_\(f.name)_LSB \(f.lsb)\n"
                s += "#define ZN_\(r.name)_\(f.name)_WIDTH \(f.width)\n"
                s += "#define ZN_\(r.name)_\(f.name)_MASK \(hex(f.mask))\n"
            }
        }
        s += "#define ZN_BEAT_BYTES \(OutputRecord.beatBytes)\n"
        s += "#define ZN_BEAT_KEEP \(hex((UInt32(1) << UInt32(OutputRecord.beatBytes)) - 1))\n"
        s += "#define ZN_OR_CLASS_LSB \(OutputRecord.classIndexLSB)\n"
        s += "#define ZN_OR_CLASS_WIDTH \(OutputRecord.classIndexBits)\n"
        s += "#define ZN_OR_SEQ_LSB \(OutputRecord.sequenceLSB)\n"
        s += "#define ZN_OR_SEQ_WIDTH \(OutputRecord.sequenceBits)\n"
        s += "#define ZN_OR_VALUES_PER_BEAT \(OutputRecord.valuesPerBeat)\n"
        s += "#endif\n"
        return s
    }
}
