import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim

/// `verilator --lint-only -Wall` on every library module with several parameter sets (zero
/// warnings), the same sources in yosys and iverilog, and bad parameters refused by all three.
@Suite struct LintTests {
    struct ModuleParams: CustomStringConvertible, Sendable {
        var module: String
        var params: [String: Int]
        var description: String { module + " " + params.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
    }

    static let cases: [ModuleParams] = [
        .init(module: "zn_fifo", params: [:]), .init(module: "zn_fifo", params: ["W": 1, "DEPTH": 1]),
        .init(module: "zn_fifo", params: ["W": 64, "DEPTH": 5]),
        .init(module: "zn_skid", params: [:]), .init(module: "zn_skid", params: ["W": 1]),
        .init(module: "zn_resize", params: ["IN_LANES": 8, "OUT_LANES": 28, "N": 784]),
        .init(module: "zn_resize", params: ["IN_LANES": 16, "OUT_LANES": 2, "N": 32]),
        .init(module: "zn_resize", params: ["IN_LANES": 2, "OUT_LANES": 8, "N": 8]),
        .init(module: "zn_resize", params: ["IN_LANES": 3, "OUT_LANES": 8, "N": 10]),
        .init(module: "zn_resize", params: ["IN_LANES": 1, "OUT_LANES": 1, "N": 1]),
        .init(module: "zn_resize", params: ["IN_LANES": 1, "OUT_LANES": 8, "N": 10]),
        .init(module: "zn_resize", params: ["IN_LANES": 2, "OUT_LANES": 8, "N": 6]),
        .init(module: "zn_resize", params: ["IN_LANES": 8, "OUT_LANES": 1, "N": 784]),
        .init(module: "zn_param_ram", params: [:]), .init(module: "zn_param_ram", params: ["BANKS": 16, "DEPTH": 448, "WORD_W": 112]),
        .init(module: "zn_param_ram", params: ["BANKS": 3, "DEPTH": 5, "WORD_W": 71]),
        .init(module: "zn_param_ram", params: ["DEPTH": 100352]),
        .init(module: "zn_param_ram", params: ["BANKS": 3, "DEPTH": 10, "WORD_W": 71, "SLICE_DEPTH": 4, "RAM_STYLE": 1]),
        .init(module: "zn_param_ram", params: ["BANKS": 7, "DEPTH": 5, "WORD_W": 1, "SLICE_DEPTH": 4, "RAM_STYLE": 2]),
        .init(module: "zn_param_ram", params: ["BANKS": 2, "DEPTH": 8, "WORD_W": 40, "SLICE_DEPTH": 2, "RAM_STYLE": 1]),
        // zn_param_ram's bank on its own: word-wide only, bit-sliced only, both parts, each RAM_STYLE.
        .init(module: "zn_param_bank", params: [:]), .init(module: "zn_param_bank", params: ["DEPTH": 6, "WORD_W": 192]),
        .init(module: "zn_param_bank", params: ["DEPTH": 10, "WORD_W": 71, "SLICE_DEPTH": 4, "RAM_STYLE": 1]),
        .init(module: "zn_param_bank", params: ["DEPTH": 8, "WORD_W": 40, "SLICE_DEPTH": 2, "RAM_STYLE": 2]),
        .init(module: "zn_param_bank", params: ["DEPTH": 5, "WORD_W": 1, "SLICE_DEPTH": 0]),
        .init(module: "zn_addtree", params: ["N": 1]), .init(module: "zn_addtree", params: ["N": 28, "LANES": 3, "IN_W": 17]),
        .init(module: "zn_addtree", params: ["N": 16, "IN_W": 2, "REG_EVERY": 3]),
        .init(module: "zn_dot", params: ["PE": 1, "SIMD": 1]), .init(module: "zn_dot", params: ["PE": 3, "SIMD": 4, "MUL_STYLE": 2, "IN_SIGNED": 0]),
        .init(module: "zn_dot", params: ["PE": 2, "SIMD": 3, "MUL_STYLE": 1]),
        .init(module: "zn_addtree_lane", params: ["N": 1]), .init(module: "zn_addtree_lane", params: ["N": 28, "IN_W": 17]),
        .init(module: "zn_addtree_lane", params: ["N": 16, "IN_W": 2, "REG_EVERY": 3]),
        .init(module: "zn_dot_pair", params: ["SIMD": 1]), .init(module: "zn_dot_pair", params: ["SIMD": 28, "IN_SIGNED": 0]),
        .init(module: "zn_dot_row", params: ["SIMD": 1]), .init(module: "zn_dot_row", params: ["SIMD": 3, "MUL_STYLE": 1, "IN_SIGNED": 0]),
        .init(module: "zn_mvau", params: ["IN": 8, "OUT": 8, "SUM_W": 20]),
        .init(module: "zn_mvau", params: ["IN": 784, "OUT": 128, "PE": 16, "SIMD": 14, "MUL_STYLE": 2, "IN_SIGNED": 0, "SUM_W": 26]),
        .init(module: "zn_mvau", params: ["IN": 1, "OUT": 1, "SUM_W": 16]),
        .init(module: "zn_mvau", params: ["IN": 128, "OUT": 10, "SUM_W": 23]),   // input buffer forced into block RAM
        .init(module: "zn_requant_serial", params: ["OUT": 10, "PARAM_RAM_STYLE": 1]),
        .init(module: "zn_requant", params: ["LANES": 2, "OUT": 4, "PARAM_RAM_STYLE": 2]),
        .init(module: "zn_requant", params: [:]), .init(module: "zn_requant", params: ["LANES": 2, "OUT": 10, "SUM_W": 26, "BIAS_W": 33]),
        .init(module: "zn_requant", params: ["MULT_W": 1]), .init(module: "zn_requant", params: ["BIAS_W": 64, "SUM_W": 50]),
        .init(module: "zn_requant_serial", params: [:]), .init(module: "zn_requant_serial", params: ["LANES": 2, "OUT": 10, "SUM_W": 26, "BIAS_W": 33]),
        .init(module: "zn_requant_serial", params: ["MULT_W": 1, "SUM_W": 2, "BIAS_W": 2]),
        .init(module: "zn_requant_serial", params: ["BIAS_W": 64, "SUM_W": 63, "LANES": 3, "OUT": 9]),
        .init(module: "zn_requant_serial", params: ["OUT": 128, "SUM_W": 18]),
        .init(module: "zn_requant_serial", params: ["NUM_SETS": 2]), .init(module: "zn_requant_serial", params: ["NUM_SETS": 3, "LANES": 2, "OUT": 10]),
        // Format 2's modes (ROUNDINGS): each alone, all of them, the widest widths.
        .init(module: "zn_requant", params: ["ROUNDINGS": 7]), .init(module: "zn_requant", params: ["ROUNDINGS": 11]),
        .init(module: "zn_requant", params: ["ROUNDINGS": 19, "MULT_W": 24]), .init(module: "zn_requant", params: ["ROUNDINGS": 31, "LANES": 2, "OUT": 4]),
        .init(module: "zn_requant", params: ["ROUNDINGS": 31, "BIAS_W": 64, "SUM_W": 50]), .init(module: "zn_requant", params: ["ROUNDINGS": 31, "SUM_W": 3, "BIAS_W": 8]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 7]), .init(module: "zn_requant_serial", params: ["ROUNDINGS": 11]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 15, "NUM_SETS": 3, "LANES": 2, "OUT": 10]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 19, "MULT_W": 24]), .init(module: "zn_requant_serial", params: ["ROUNDINGS": 16]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 31, "NUM_SETS": 3, "LANES": 2, "OUT": 10]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 19, "BIAS_W": 64, "SUM_W": 63, "LANES": 3, "OUT": 9]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 19, "MULT_W": 1, "SUM_W": 2, "BIAS_W": 2]),
        .init(module: "zn_seq", params: ["ROUNDINGS": 15]), .init(module: "zn_seq", params: ["ROUNDINGS": 31]),
        // zn_requant's lane on its own: the defaults, every mode, the widest and narrowest widths.
        .init(module: "zn_requant_lane", params: [:]), .init(module: "zn_requant_lane", params: ["ROUNDINGS": 31]),
        .init(module: "zn_requant_lane", params: ["ROUNDINGS": 7]), .init(module: "zn_requant_lane", params: ["ROUNDINGS": 11, "SUM_W": 26, "BIAS_W": 33]),
        .init(module: "zn_requant_lane", params: ["ROUNDINGS": 19, "MULT_W": 24]), .init(module: "zn_requant_lane", params: ["ROUNDINGS": 31, "BIAS_W": 64, "SUM_W": 50]),
        .init(module: "zn_requant_lane", params: ["ROUNDINGS": 31, "SUM_W": 3, "BIAS_W": 8]), .init(module: "zn_requant_lane", params: ["MULT_W": 1, "SUM_W": 2, "BIAS_W": 2]),
        // LATENCY equal to the pipeline's (NetlistTests.latencyMatchesTimingModel derives these from PipelineTiming).
        .init(module: "zn_requant", params: ["LATENCY": 10]), .init(module: "zn_requant", params: ["ROUNDINGS": 19, "LATENCY": 16]),
        .init(module: "zn_requant_serial", params: ["LATENCY": 100]),
        .init(module: "zn_requant_serial", params: ["LANES": 2, "OUT": 10, "SUM_W": 26, "BIAS_W": 33, "LATENCY": 199]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 19, "LATENCY": 298]),   // 3 passes of 99 cycles + 1
        .init(module: "zn_mvau", params: ["IN": 8, "OUT": 8, "SUM_W": 20, "LATENCY": 7]),
        .init(module: "zn_mvau", params: ["IN": 784, "OUT": 128, "PE": 16, "SIMD": 14, "SUM_W": 26, "LATENCY": 8]),
        .init(module: "zn_argmax", params: [:]), .init(module: "zn_argmax", params: ["LANES": 1, "N": 1, "SIGNED": 1]),
        .init(module: "zn_argmax", params: ["N": 3]), .init(module: "zn_argmax", params: ["SERIAL": 1]),
        .init(module: "zn_argmax", params: ["SERIAL": 1, "LANES": 1, "N": 1, "SIGNED": 1]),
        .init(module: "zn_argmax", params: ["SERIAL": 1, "LANES": 3, "N": 20]), .init(module: "zn_argmax", params: ["SERIAL": 1, "N": 3]),
        .init(module: "zn_axis_in", params: [:]), .init(module: "zn_axis_in", params: ["N": 784, "OUT_LANES": 28]),
        .init(module: "zn_axis_in", params: ["N": 5, "OUT_LANES": 5]), .init(module: "zn_axis_in", params: ["N": 13, "OUT_LANES": 13]),
        .init(module: "zn_dot", params: ["PE": 4, "SIMD": 28, "MUL_STYLE": 2, "REG_EVERY": 1]),
        .init(module: "zn_addtree", params: ["N": 37, "LANES": 2, "IN_W": 40, "REG_EVERY": 4]),
        .init(module: "zn_dot_row", params: ["SIMD": 28, "MUL_STYLE": 1, "REG_EVERY": 1]),
        .init(module: "zn_axis_out", params: [:]), .init(module: "zn_axis_out", params: ["C": 1]),
        .init(module: "zn_axis_out", params: ["C": 2048, "SIGNED": 1]), .init(module: "zn_axis_out", params: ["ARGMAX_SERIAL": 1]),
        .init(module: "zn_axis_out", params: ["C": 1, "ARGMAX_SERIAL": 1]), .init(module: "zn_axis_out", params: ["C": 2048, "ARGMAX_SERIAL": 1]),
        .init(module: "zn_axis_out8", params: [:]), .init(module: "zn_axis_out8", params: ["C": 1]),
        .init(module: "zn_axis_out8", params: ["C": 2048, "SIGNED": 1]), .init(module: "zn_axis_out8", params: ["C": 16, "SIGNED": 1]),
        .init(module: "zn_axis_out8", params: ["C": 300]),
        .init(module: "zn_axil_regs", params: [:]), .init(module: "zn_axil_regs", params: ["NUM_LAYERS": 3, "AW": 13]),
        .init(module: "zn_axil_regs", params: ["NUM_LAYERS": 9, "AW": 14]), .init(module: "zn_axil_regs", params: ["NUM_LAYERS": 2, "AW": 32]),
        .init(module: "zn_axil_regs", params: ["NUM_LAYERS": 9, "AW": 13, "WINDOWS": 1]),
        .init(module: "zn_swu", params: [:]), .init(module: "zn_swu", params: ["H": 28, "W": 28]),
        .init(module: "zn_swu", params: ["H": 1, "W": 1, "KH": 1, "KW": 1, "RAM_BLOCK": 0]),
        .init(module: "zn_swu", params: ["H": 5, "W": 7, "C": 4, "SIMD": 2, "SH": 2, "SW": 3, "PT": 1, "PL": 2, "PB": 3, "PR": 1]),
        .init(module: "zn_swu", params: ["H": 32, "W": 32, "C": 64, "SIMD": 16, "KH": 5, "KW": 5, "PT": 2, "PL": 2, "PB": 2, "PR": 2]),
        .init(module: "zn_swu", params: ["H": 28, "W": 28, "PAR": 9, "RAM_BLOCK": 0]),
        .init(module: "zn_swu", params: ["H": 13, "W": 13, "C": 8, "SIMD": 8, "PAR": 3, "PT": 1, "PL": 1, "PB": 1, "PR": 1]),
        .init(module: "zn_swu", params: ["H": 5, "W": 7, "C": 4, "SIMD": 2, "PAR": 6, "SH": 2, "PT": 1, "PB": 2]),
        .init(module: "zn_swu", params: ["H": 9, "W": 8, "C": 6, "KH": 4, "KW": 2, "PAR": 24, "PT": 2, "PL": 1]),
        .init(module: "zn_swu", params: ["H": 13, "W": 13, "C": 8, "SIMD": 8, "PAR": 3, "XROWS": 10]),
        .init(module: "zn_maxpool", params: [:]), .init(module: "zn_maxpool", params: ["H": 13, "W": 13, "C": 8]),
        .init(module: "zn_maxpool", params: ["H": 1, "W": 1, "KH": 1, "KW": 1, "SH": 1, "SW": 1, "SIGNED": 1, "RAM_BLOCK": 0]),
        .init(module: "zn_maxpool", params: ["H": 7, "W": 9, "C": 6, "SIMD": 3, "KH": 3, "KW": 3, "SH": 2, "SW": 1, "SIGNED": 1]),
        .init(module: "zn_maxpool_row", params: [:]), .init(module: "zn_maxpool_row", params: ["H": 13, "W": 13, "C": 8]),
        .init(module: "zn_maxpool_row", params: ["H": 1, "W": 1, "KH": 1, "KW": 1, "SH": 1, "SW": 1, "SIGNED": 1]),
        .init(module: "zn_maxpool_row", params: ["H": 11, "W": 10, "C": 16, "SIMD": 4, "KH": 2, "KW": 3, "SH": 3, "SW": 4, "SIGNED": 1]),
        .init(module: "zn_maxpool_row", params: ["H": 4, "W": 6, "C": 4, "SIMD": 2, "KH": 4, "KW": 6, "SH": 4, "SW": 6]),
    ]

    @Test(.tags(.verilator), arguments: cases)
    func verilatorLintClean(_ c: ModuleParams) throws {
        let lines = try verilatorLint(top: c.module, params: c.params)
        #expect(lines.isEmpty, "\(lines.prefix(5).joined(separator: "\n"))")
    }

    @Test(.tags(.iverilog, .yosys), arguments: cases.filter { $0.module != "zn_axil_regs" || $0.params.isEmpty })
    func iverilogAndYosysElaborate(_ c: ModuleParams) throws {
        let (iv, ivOut) = try iverilogElaborate(top: c.module, params: c.params)
        #expect(iv, "iverilog: \(ivOut.prefix(400))")
        let (ys, ysOut) = try yosysElaborate(top: c.module, params: c.params)
        #expect(ys, "yosys: \(ysOut.prefix(400))")
    }

    static let bad: [ModuleParams] = [
        .init(module: "zn_mvau", params: ["IN": 10, "OUT": 8, "SIMD": 3, "SUM_W": 24]),      // SIMD does not divide IN
        .init(module: "zn_mvau", params: ["IN": 8, "OUT": 6, "PE": 4, "SUM_W": 24]),         // PE does not divide OUT
        .init(module: "zn_mvau", params: ["IN": 4, "OUT": 2, "PE": 2, "SIMD": 4, "SUM_W": 17]), // SUM_W below the proof (18)
        .init(module: "zn_requant", params: ["LANES": 3, "OUT": 4]),
        .init(module: "zn_requant", params: ["MULT_W": 33]),
        .init(module: "zn_requant_serial", params: ["LANES": 3, "OUT": 4]),
        .init(module: "zn_requant_serial", params: ["BIAS_W": 65]),
        .init(module: "zn_requant_serial", params: ["PARAM_RAM_STYLE": 3]),
        .init(module: "zn_requant_serial", params: ["NUM_SETS": 0]),
        // ROUNDINGS: none, beyond the five modes; gemmlowp serially with acc wider than 35 bits.
        .init(module: "zn_requant", params: ["ROUNDINGS": 0]), .init(module: "zn_requant", params: ["ROUNDINGS": 32]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 0]), .init(module: "zn_requant_serial", params: ["ROUNDINGS": 32]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 11, "BIAS_W": 35]),
        .init(module: "zn_seq", params: ["ROUNDINGS": 32]),
        .init(module: "zn_requant_lane", params: ["MULT_W": 33]), .init(module: "zn_requant_lane", params: ["SUM_W": 1]),
        .init(module: "zn_requant_lane", params: ["BIAS_W": 65]), .init(module: "zn_requant_lane", params: ["ROUNDINGS": 0]),
        .init(module: "zn_requant_lane", params: ["ROUNDINGS": 32]),
        // LATENCY other than the pipeline's: the timing model and the RTL disagree.
        .init(module: "zn_requant", params: ["LATENCY": 11]), .init(module: "zn_requant", params: ["ROUNDINGS": 19, "LATENCY": 10]),
        .init(module: "zn_requant_serial", params: ["LATENCY": 99]),
        .init(module: "zn_requant_serial", params: ["ROUNDINGS": 19, "LATENCY": 100]),   // one pass: float32 takes three
        .init(module: "zn_mvau", params: ["IN": 8, "OUT": 8, "SUM_W": 20, "LATENCY": 6]),
        .init(module: "zn_mvau", params: ["IN": 784, "OUT": 128, "PE": 16, "SIMD": 14, "SUM_W": 26, "LATENCY": 7]),
        .init(module: "zn_param_ram", params: ["SLICE_DEPTH": 3]),
        .init(module: "zn_param_ram", params: ["SLICE_DEPTH": 1]),
        .init(module: "zn_param_ram", params: ["RAM_STYLE": -1]),
        .init(module: "zn_param_bank", params: ["SLICE_DEPTH": 3]), .init(module: "zn_param_bank", params: ["DEPTH": 0]),
        .init(module: "zn_param_bank", params: ["RAM_STYLE": 3]),
        .init(module: "zn_resize", params: ["IN_LANES": 0]),
        .init(module: "zn_fifo", params: ["DEPTH": 0]),
        .init(module: "zn_axis_in", params: ["N": 10, "OUT_LANES": 4]),
        .init(module: "zn_dot", params: ["MUL_STYLE": 3]),
        .init(module: "zn_dot_row", params: ["MUL_STYLE": 2]),
        .init(module: "zn_dot_pair", params: ["IN_SIGNED": 2]),
        .init(module: "zn_addtree_lane", params: ["IN_W": 1]),
        .init(module: "zn_dot", params: ["PE": 0]), .init(module: "zn_dot", params: ["TAG_W": 0]),
        .init(module: "zn_dot", params: ["REG_EVERY": 0]), .init(module: "zn_dot", params: ["IN_SIGNED": 2]),
        .init(module: "zn_dot_pair", params: ["REG_EVERY": 0]), .init(module: "zn_dot_row", params: ["IN_SIGNED": 2]),
        .init(module: "zn_addtree", params: ["LANES": 0]), .init(module: "zn_addtree", params: ["TAG_W": 0]),
        .init(module: "zn_addtree", params: ["REG_EVERY": 0]), .init(module: "zn_addtree", params: ["IN_W": 1]),
        .init(module: "zn_addtree_lane", params: ["N": 0]), .init(module: "zn_addtree_lane", params: ["REG_EVERY": 0]),
        .init(module: "zn_axis_in", params: ["OUT_LANES": 0]), .init(module: "zn_axis_in", params: ["N": 8, "OUT_LANES": 3]),
        .init(module: "zn_argmax", params: ["SIGNED": 2]), .init(module: "zn_argmax", params: ["SERIAL": 2]),
        .init(module: "zn_axis_out", params: ["ARGMAX_SERIAL": 2]),
        .init(module: "zn_axis_out8", params: ["C": 0]), .init(module: "zn_axis_out8", params: ["SIGNED": 2]),
        .init(module: "zn_axil_regs", params: ["AW": 11]),
        .init(module: "zn_swu", params: ["C": 3, "SIMD": 2]),                 // SIMD does not divide C
        .init(module: "zn_swu", params: ["H": 2, "KH": 3]),                   // kernel larger than the padded image
        .init(module: "zn_swu", params: ["W": 4, "KW": 6, "PL": 1]),
        .init(module: "zn_swu", params: ["SH": 0]), .init(module: "zn_swu", params: ["PR": -1]),
        .init(module: "zn_swu", params: ["RAM_BLOCK": 2]), .init(module: "zn_swu", params: ["SIMD": 0]),
        // PAR spanning part of a kernel column or row (a carry between the ports' offsets), or 0.
        .init(module: "zn_swu", params: ["PAR": 2]), .init(module: "zn_swu", params: ["PAR": 6]),
        .init(module: "zn_swu", params: ["C": 2, "PAR": 3]), .init(module: "zn_swu", params: ["C": 4, "PAR": 3]),
        .init(module: "zn_swu", params: ["PAR": 0]), .init(module: "zn_swu", params: ["XROWS": -1]),
        .init(module: "zn_maxpool", params: ["SIGNED": 2]), .init(module: "zn_maxpool", params: ["C": 6, "SIMD": 4]),
        .init(module: "zn_maxpool", params: ["H": 1, "KH": 2]), .init(module: "zn_maxpool", params: ["SW": 0]),
        // zn_maxpool_row: overlapping windows (stride below the size) are zn_maxpool's.
        .init(module: "zn_maxpool_row", params: ["SH": 1]), .init(module: "zn_maxpool_row", params: ["KW": 3, "W": 6]),
        .init(module: "zn_maxpool_row", params: ["C": 6, "SIMD": 4]), .init(module: "zn_maxpool_row", params: ["SIGNED": 2]),
        .init(module: "zn_maxpool_row", params: ["H": 1, "KH": 2, "SH": 2]),
    ]

    @Test(.tags(.iverilog, .verilator, .yosys), arguments: bad)
    func badParametersFailElaboration(_ c: ModuleParams) throws {
        let lines = try verilatorLint(top: c.module, params: c.params)
        #expect(lines.contains { $0.contains("USERFATAL") || $0.contains("Error") }, "verilator accepted \(c)")
        let (iv, _) = try iverilogElaborate(top: c.module, params: c.params)
        #expect(!iv, "iverilog accepted \(c)")
        let (ys, _) = try yosysElaborate(top: c.module, params: c.params)
        #expect(!ys, "yosys accepted \(c)")
    }

    /// Generated tops: lint-clean and accepted by iverilog and yosys, for several models and folds.
    @Test(.tags(.iverilog, .verilator, .yosys)) func generatedTopsLintClean() throws {
        var rng = SplitMix64(seed: 11)
        let models: [(QuantizedModel, FoldFile?)] = [
            (randomModel(dims: [37, 12, 9, 6, 5], inputSigned: false, outSigned: [false, true, true, false],
                         rounding: [.floor, .halfUp, .floor, .halfUp], relu: [true, true, false, true], rng: &rng),
             FoldFile(layers: [.init(pe: 3, simd: 37, mul_style: .packed), .init(pe: 3, simd: 4, lanes: 3, mul_style: .dsp),
                               .init(pe: 3, simd: 9, mul_style: .lut), .init(pe: 5, simd: 2, lanes: 5)])),
            (randomModel(dims: [1, 1], inputSigned: true, outSigned: [true], rounding: [.floor], relu: [false], rng: &rng), nil),
            (randomModel(dims: [784, 128, 10], inputSigned: false, outSigned: [false, false], rounding: [.floor, .floor],
                         relu: [true, false], rng: &rng), nil),
            // The sequential engine's tops.
            (randomModel(dims: [37, 12, 9, 6, 5], inputSigned: true, outSigned: [false, true, true, false],
                         rounding: [.floor, .halfUp, .floor, .halfUp], relu: [true, true, false, true], rng: &rng), .sequential),
            (randomModel(dims: [784, 128, 10], inputSigned: false, outSigned: [false, false], rounding: [.floor, .floor],
                         relu: [true, false], rng: &rng), .sequential),
            // Format 2's roundings: float32 (pipelined), half_even and gemmlowp (serial where they keep up; sequential).
            (VerifyTests.format2Model(.float32, seed: 1).0, nil),
            (VerifyTests.format2Model(.halfEven, seed: 2, inputs: 120).0, FoldFile(layers: [.init(pe: 1, simd: 1), .init(pe: 2, simd: 2)])),
            (VerifyTests.format2Model(.gemmlowp, seed: 3, inputs: 120).0, FoldFile(layers: [.init(pe: 1, simd: 1), .init(pe: 2, simd: 2)])),
            (VerifyTests.format2Model(.gemmlowp, seed: 4).0, .sequential),
        ]
        for (m, fold) in models {
            var o = CodegenOptions()
            if let fold { o.fold = .file(fold, name: "fold") }
            try checkGeneratedTop(try generateDesign(model: m, options: o))
        }
    }
}
