import Foundation
import Testing
import ZynqNetTestSupport
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim

/// The register map as the one source of field positions, widths, resets and packings.
@Suite struct RegisterFieldTests {
    @Test func fieldsPackExtractAndSign() {
        #expect(RegisterMap.L_CLAMP_LO.pack(signed: -128) == 0x0000_FF80)
        #expect(RegisterMap.L_CLAMP_HI.pack(signed: -1) == 0xFFFF_0000)
        #expect(RegisterMap.L_CLAMP_LO.signed(0x007F_FF80) == -128)
        #expect(RegisterMap.L_CLAMP_HI.signed(0x007F_FF80) == 127)
        #expect(RegisterMap.L_FOLD_SIMD.pack(8) == 0x0008_0000)
        #expect(RegisterMap.L_FOLD_SIMD.maxValue == 0xFFFF)
        #expect(RegisterMap.L_WIDTHS_ROUNDINGS.maxValue == 31)
        #expect(RegisterMap.CONTROL_START.pack(true) == 2 && RegisterMap.CONTROL_START.pack(false) == 0)
        #expect(RegisterMap.STATUS_ERR_PARAM.isSet(0x4) && !RegisterMap.STATUS_ERR_PARAM.isSet(0x3))
        #expect(RegisterMap.L_WIDTHS_MULT_BITS.int(0x0C22_2021) == 32)
        #expect(RegisterPair.join(lo: 0x89AB_CDEF, hi: 0x0123_4567) == 0x0123_4567_89AB_CDEF)
        #expect(RegisterPair.lo(0x0123_4567_89AB_CDEF) == 0x89AB_CDEF && RegisterPair.hi(0x0123_4567_89AB_CDEF) == 0x0123_4567)
        // 1.1: format 2's L_CFG.ROUNDING / L_WIDTHS.ROUNDINGS and FLAGS.SEQUENTIAL, compatible additions.
        // 1.2: the window blocks (L_WIN_*), a compatible addition.
        #expect(RegisterMap.version == 0x0001_0002)
        #expect(RegisterMap.versionHistory.last?.version == "\(RegisterMap.versionMajor).\(RegisterMap.versionMinor)")
    }

    @Test func registerWordsOfALayer() throws {
        let t = LayerTopology(inCount: 784, outCount: 128, inSigned: false, outSigned: false, multBits: 32)
        // bias 33, M 32, acc 34 bits; floor and half_up built (ROUNDINGS 0b00011).
        #expect(RegisterMap.widthsWord(t) == 0x0C22_2021)
        let s = LayerTopology(inCount: 784, outCount: 128, inSigned: true, outSigned: true, multBits: 32,
                              roundings: 1 << Int(RegisterMap.roundingCode(.halfEven)))
        let w = RegisterMap.widthsWord(s)
        // IN_SIGNED, OUT_SIGNED and ROUNDINGS 0b00111 (half_even added) in bits 31:24.
        #expect(w >> 24 == 0x1F)
        #expect(RegisterMap.L_WIDTHS_BIAS_BITS.int(w) == s.biasBits && RegisterMap.L_WIDTHS_ACC_BITS.int(w) == s.widths.accBits)
        #expect(RegisterMap.foldWord(LayerFold(pe: 4, simd: 8, lanes: 2)) == 0x0008_0004)
        #expect(RegisterMap.paramSelect(layer: 3, kind: .quant) == 0x0001_0003)
        #expect(RegisterMap.paramSelect(layer: 2, kind: .weights) == 0x0000_0002)
        #expect(RegisterMap.paramSelectMask == 0x0001_FFFF)
        let topo = Topology(inputCount: 784, inputSigned: true, layers: [t])
        #expect(RegisterMap.flagsWord(topo, engine: .sequential) == 0x5)
        #expect(RegisterMap.flagsWord(topo, engine: .dataflow) == 0x1)
        #expect(Engine(flags: 0x4) == .sequential && Engine.sequential.flags == 0x4)
    }

    /// Map 1.2's window registers: each field packed from the window and read back, the pad
    /// zero point built in only for a padding conv2d with no layer with parameters before it.
    @Test func windowWordsPackAndRoundTrip() throws {
        let conv = WindowShape(h: 28, w: 27, c: 3, kh: 5, kw: 3, sh: 2, sw: 1, pt: 2, pl: 1, pb: 4, pr: 255)
        let pool = WindowShape(h: 12, w: 13, c: 8, kh: 2, kw: 3, sh: 2, sw: 3)
        let conv2 = WindowShape(h: 6, w: 4, c: 8, kh: 3, kw: 3, pt: 1, pl: 1, pb: 1, pr: 1)
        let layers = [
            LayerTopology(inCount: 2352, outCount: 2352, inSigned: true, outSigned: true, biasBits: 32, multBits: 32, kind: .maxpool(WindowShape(h: 28, w: 28, c: 3, kh: 1, kw: 1))),
            LayerTopology(inCount: 45, outCount: 8, inSigned: true, outSigned: true, multBits: 32, kind: .conv(conv)),
            LayerTopology(inCount: 8, outCount: 8, inSigned: true, outSigned: true, biasBits: 32, multBits: 32, kind: .maxpool(pool)),
            LayerTopology(inCount: 72, outCount: 4, inSigned: true, outSigned: true, multBits: 32, kind: .conv(conv2)),
            LayerTopology(inCount: 96, outCount: 10, inSigned: true, outSigned: true, multBits: 32),
        ]
        let topo = Topology(inputCount: 2352, inputSigned: true, layers: layers, inputPadZero: -3)
        // conv: H 28, W 27 | KH 5, KW 3 | SH 2, SW 1 | pads 2, 1, 4, 255 | C 3, PAD_ZERO 0xFD (-3), PAD_FIXED.
        #expect(RegisterMap.windowWords(topo, layer: 1) == [0x001B_001C, 0x0003_0005, 0x0001_0002, 0xFF04_0102, 0x01FD_0003])
        #expect(RegisterMap.padsWithInputZero(topo, layer: 1))
        // The pool: no padding, no pad zero point.
        #expect(RegisterMap.windowWords(topo, layer: 2) == [0x000D_000C, 0x0003_0002, 0x0003_0002, 0, 0x0000_0008])
        // The second conv pads with layer 1's runtime L_ZERO: PAD_FIXED 0.
        #expect(RegisterMap.windowWords(topo, layer: 3)[4] == 0x0000_0008)
        #expect(!RegisterMap.padsWithInputZero(topo, layer: 3))
        #expect(RegisterMap.windowWords(topo, layer: 4) == [0, 0, 0, 0, 0])
        for (i, l) in topo.layers.enumerated() {
            #expect(RegisterMap.window(words: RegisterMap.windowWords(topo, layer: i)) == l.window, "layer \(i)")
        }
        #expect(RegisterMap.L_WIN_CH_PAD_ZERO.extract(0x01FD_0003) == 0xFD && RegisterMap.L_WIN_PAD_RIGHT.int(0xFF04_0102) == 255)
        // Window block i follows the layer blocks: 5 layers, layer 2's L_WIN_CH at 0x100 + 7·0x20 + 0x10.
        #expect(RegisterMap.windowRegister(2, layers: 5, RegisterMap.L_WIN_CH) == 0x1F0)
        #expect(RegisterMap.addressWidth(layers: 60, windows: true) == 12 && RegisterMap.addressWidth(layers: 61, windows: true) == 13)
        // A padding the 8-bit fields cannot hold is refused by name.
        let e = #expect(throws: ZynqError.self) {
            try Topology.check(WindowShape(h: 300, w: 300, c: 1, kh: 300, kw: 3, pt: 256), layer: 4)
        }
        #expect(e?.key == "layer4.padding" && e?.message.contains("0…255") == true)
    }

    @Test func theTablesAreBuiltFromTheFieldConstants() {
        func fields(_ name: String) -> [RegisterField] {
            (RegisterMap.globalRegisters + RegisterMap.layerRegisters + RegisterMap.windowRegisters).first { $0.name == name }?.fields ?? []
        }
        #expect(fields("PARAM_SEL") == [RegisterMap.PARAM_SEL_LAYER, RegisterMap.PARAM_SEL_KIND])
        #expect(fields("L_WIDTHS") == [RegisterMap.L_WIDTHS_BIAS_BITS, RegisterMap.L_WIDTHS_MULT_BITS, RegisterMap.L_WIDTHS_ACC_BITS,
                                       RegisterMap.L_WIDTHS_IN_SIGNED, RegisterMap.L_WIDTHS_OUT_SIGNED, RegisterMap.L_WIDTHS_ROUNDINGS])
        #expect(fields("CONTROL").map(\.mask) == [1, 2, 4])
        #expect(fields("L_WIN_PAD") == [RegisterMap.L_WIN_PAD_TOP, RegisterMap.L_WIN_PAD_LEFT, RegisterMap.L_WIN_PAD_BOTTOM, RegisterMap.L_WIN_PAD_RIGHT])
        #expect(fields("L_WIN_CH").map(\.mask) == [0xFFFF, 0xFF_0000, 0x100_0000])
    }

    @Test func outputRecordHeaderAndEncode() {
        #expect(OutputRecord.header(classIndex: 3, sequence: 7) == 0x0000_0007_0000_0003)
        #expect(OutputRecord.classIndex(header: 0x0000_0007_0000_0003) == 3)
        #expect(OutputRecord.sequence(header: 0x0000_0007_0000_0003) == 7)
        #expect(OutputRecord.beatBits == 64)
        let beats = OutputRecord.encode(classIndex: 9, sequence: 0xFFFF_FFFF, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(beats == [0xFFFF_FFFF_0000_0009, 0x0807_0605_0403_0201, 0x0a09])
        #expect(OutputRecord.decode(beats, classes: 10) == OutputRecord.Decoded(classIndex: 9, sequence: 0xFFFF_FFFF, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    }

    @Test func verilogHeaderCarriesWidthsResetsAndTheRecord() {
        let h = RegisterMap.verilogHeader()
        for line in ["localparam integer RB_PARAM_SEL_KIND = 16;", "localparam integer RW_PARAM_SEL_LAYER = 16;",
                     "localparam integer RW_L_CFG_ROUNDING = 3;", "localparam integer RW_L_WIDTHS_ROUNDINGS = 5;",
                     "localparam [31:0] RR_OUT_PACKET_IMAGES = 32'h00000001;", "localparam [2:0] RR_L_CFG_ROUNDING = 3'd0;",
                     "localparam [0:0] RR_CONTROL_START = 1'd0;", "localparam [15:0] RR_VERSION_MAJOR = 16'd1;",
                     "localparam integer ZN_BEAT_W = 64;", "localparam integer OR_SEQ_LSB = 32;", "localparam integer OR_CLASS_W = 32;"] {
            #expect(h.contains(line + "\n"), "\(line)")
        }
        // Design-dependent resets have no RR_ line.
        #expect(!h.contains("RR_L_FOLD") && !h.contains("RR_NUM_LAYERS"))
    }

    @Test func cHeaderCarriesOffsetsFieldsAndTheRecord() {
        let h = RegisterMap.cHeader()
        for line in ["#define ZN_REG_PARAM_SEL 0x00000054u", "#define ZN_REG_CONTROL 0x00000010u", "#define ZN_REG_L_CLAMP 0x0000001Cu",
                     "#define ZN_REG_LAYER_BASE 0x00000100u", "#define ZN_CONTROL_START_MASK 0x00000002u",
                     "#define ZN_PARAM_SEL_KIND_LSB 16", "#define ZN_L_WIDTHS_ROUNDINGS_WIDTH 5", "#define ZN_BEAT_BYTES 8",
                     "#define ZN_BEAT_KEEP 0x000000FFu", "#define ZN_OR_VALUES_PER_BEAT 8", "#define ZN_MAGIC 0x5A4E4554u"] {
            #expect(h.contains(line + "\n"), "\(line)")
        }
        #expect(h.hasPrefix("// Generated") && h.hasSuffix("#endif\n"))
    }

    /// The C++ sources of the Verilator builds take offsets and fields from the generated header.
    @Test func simulationSourcesUseTheGeneratedHeader() throws {
        for f in ["fpga/sim/harness/harness.cpp", "fpga/sim/rtlsim/rtlsim.cpp"] {
            let text = try String(contentsOf: repoRoot.appendingPathComponent(f), encoding: .utf8)
            #expect(text.contains("#include \"zn_regmap.h\""), "\(f)")
            #expect(text.range(of: #"(read|write)\(0x"#, options: .regularExpression) == nil, "\(f) has an offset literal")
            #expect(!text.contains("0xFF)") && !text.contains("0x5A4E4554"), "\(f)")
        }
    }
}

/// The RTL refuses to elaborate when the generated header moves a field it relies on.
@Suite struct RegisterMapElaborationTests {
    struct Mutation: Sendable, CustomTestStringConvertible {
        var module: String
        var find: String
        var replace: String
        var testDescription: String { "\(module): \(replace)" }
    }

    static let mutations: [Mutation] = [
        .init(module: "zn_axil_regs", find: "localparam integer RB_PARAM_SEL_KIND = 16;", replace: "localparam integer RB_PARAM_SEL_KIND = 17;"),
        .init(module: "zn_axil_regs", find: "localparam integer RW_PARAM_SEL_LAYER = 16;", replace: "localparam integer RW_PARAM_SEL_LAYER = 12;"),
        .init(module: "zn_axil_regs", find: "localparam integer RB_CONTROL_START = 1;", replace: "localparam integer RB_CONTROL_START = 3;"),
        .init(module: "zn_axil_regs", find: "localparam integer RB_STATUS_ERR_PARAM = 2;", replace: "localparam integer RB_STATUS_ERR_PARAM = 4;"),
        .init(module: "zn_axil_regs", find: "localparam integer RW_L_CFG_ROUNDING = 3;", replace: "localparam integer RW_L_CFG_ROUNDING = 4;"),
        .init(module: "zn_axil_regs", find: "localparam [31:0] RR_OUT_PACKET_IMAGES = 32'h00000001;",
              replace: "localparam [31:0] RR_OUT_PACKET_IMAGES = 32'h00000002;"),
        .init(module: "zn_axis_out", find: "localparam integer OR_SEQ_LSB = 32;", replace: "localparam integer OR_SEQ_LSB = 40;"),
        .init(module: "zn_axis_out8", find: "localparam integer OR_CLASS_W = 32;", replace: "localparam integer OR_CLASS_W = 16;"),
        .init(module: "zn_axis_in", find: "localparam integer ZN_BEAT_W = 64;", replace: "localparam integer ZN_BEAT_W = 32;"),
    ]

    /// fpga/rtl copied to a temporary folder with zn_regmap.vh changed (`nil`: as generated).
    static func rtlCopy(_ m: Mutation?) throws -> URL {
        let dir = try makeTemporaryDirectory("regmap")
        for name in try FileManager.default.contentsOfDirectory(atPath: rtlDir.path) where name.hasSuffix(".v") || name.hasSuffix(".vh") {
            var text = try String(contentsOf: rtlDir.appendingPathComponent(name), encoding: .utf8)
            if name == "zn_regmap.vh" {
                text = RegisterMap.verilogHeader()
                if let m {
                    #expect(text.contains(m.find), "\(m.find)")
                    text = text.replacingOccurrences(of: m.find, with: m.replace)
                }
            }
            try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }
        return dir
    }

    static func elaborate(_ module: String, in dir: URL) throws -> (verilator: Bool, iverilog: Bool, yosys: Bool) {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".v") }.sorted()
            .map { dir.appendingPathComponent($0).path }
        let v = try runTool("verilator", ["--lint-only", "-Wall", "-I" + dir.path, "--top-module", module] + files)
        let vOK = v.status == 0 && !v.output.split(separator: "\n").contains { $0.hasPrefix("%") }
        let iv = try runTool("iverilog", ["-g2005", "-I" + dir.path, "-o", dir.appendingPathComponent("a.out").path, "-s", module] + files)
        let ys = try runTool("yosys", ["-q", "-p", "read_verilog -I\(dir.path) " + files.joined(separator: " ") + "; hierarchy -check -top \(module); proc"])
        return (vOK, iv.status == 0, ys.status == 0)
    }

    @Test func theGeneratedHeaderElaborates() throws {
        let dir = try Self.rtlCopy(nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        for module in Set(Self.mutations.map(\.module)).sorted() {
            let r = try Self.elaborate(module, in: dir)
            #expect(r.verilator && r.iverilog && r.yosys, "\(module): \(r)")
        }
    }

    @Test(arguments: mutations)
    func aMovedFieldFailsElaboration(_ m: Mutation) throws {
        let dir = try Self.rtlCopy(m)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.elaborate(m.module, in: dir)
        #expect(!r.verilator, "verilator accepted \(m.testDescription)")
        #expect(!r.iverilog, "iverilog accepted \(m.testDescription)")
        #expect(!r.yosys, "yosys accepted \(m.testDescription)")
    }
}
