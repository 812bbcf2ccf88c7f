// Generated from fpga/rtl and fpga/sim/harness by the test suite
// (ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles); do not edit.

public enum EmbeddedRTL {
    /// The RTL library: (file name, text).
    public static let rtlLibrary: [(String, String)] = [
        ("zn_addtree.v", ##"""
// zn_addtree: LANES independent pipelined adder trees, each summing N signed IN_W-bit leaves.
//
// Each lane is a zn_addtree_lane (balanced binary tree, a register after every REG_EVERY levels
// and at the root), so the latency is max(1, ceil(clog2(N)/REG_EVERY)) cycles (zn_tree_lat in
// zn_func.vh). A tag travels alongside. `ce` freezes the whole pipeline.
module zn_addtree #(
  parameter integer LANES     = 1,
  parameter integer N         = 2,
  parameter integer IN_W      = 8,
  parameter integer REG_EVERY = 2,
  parameter integer TAG_W     = 1
) (
  input  wire                                                 clk,
  input  wire                                                 ce,
  input  wire [LANES*N*IN_W-1:0]                              in_data,
  input  wire [TAG_W-1:0]                                     in_tag,
  output wire [LANES*(IN_W + ((N > 1) ? $clog2(N) : 0))-1:0]  out_data,
  output wire [TAG_W-1:0]                                     out_tag
);
`include "zn_func.vh"
  localparam integer LEVELS = (N > 1) ? $clog2(N) : 0;
  localparam integer OUT_W  = IN_W + LEVELS;
  localparam integer LAT    = zn_tree_lat(N, REG_EVERY);

  generate if (LANES < 1 || N < 1 || IN_W < 2 || REG_EVERY < 1 || TAG_W < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_addtree: LANES (%0d), N (%0d), REG_EVERY (%0d), TAG_W (%0d) must be >= 1 and IN_W (%0d) >= 2",
           LANES, N, REG_EVERY, TAG_W, IN_W);
`else
    zn_param_error__zn_addtree_bad_parameters u_param_error();
`endif
  end endgenerate

  // Tag pipeline: LAT registers.
  reg [TAG_W-1:0] tag_pipe [0:LAT-1];
  integer t;
  always @(posedge clk) begin
    if (ce) begin
      tag_pipe[0] <= in_tag;
      for (t = 1; t < LAT; t = t + 1) tag_pipe[t] <= tag_pipe[t-1];
    end
  end
  assign out_tag = tag_pipe[LAT-1];

  // One zn_addtree_lane per lane (identical parameters: one module for synthesis).
  genvar ln;
  generate for (ln = 0; ln < LANES; ln = ln + 1) begin : g_lane
    zn_addtree_lane #(.N(N), .IN_W(IN_W), .REG_EVERY(REG_EVERY)) u_lane (
      .clk(clk), .ce(ce), .in_data(in_data[ln*N*IN_W +: N*IN_W]), .out_data(out_data[ln*OUT_W +: OUT_W]));
  end endgenerate
endmodule

"""##),
        ("zn_addtree_lane.v", ##"""
// zn_addtree_lane: one pipelined adder tree summing N signed IN_W-bit leaves (a lane of zn_addtree).
//
// Balanced binary tree; each node is as wide as its sum needs (IN_W + its height). A register
// sits after every REG_EVERY levels and at the root, so the latency is max(1,
// ceil(clog2(N)/REG_EVERY)) cycles (zn_tree_lat in zn_func.vh). `ce` freezes the pipeline.
// A module of its own so that the identical trees of zn_addtree and zn_dot are one module
// (hierarchical synthesis maps it once).
module zn_addtree_lane #(
  parameter integer N         = 2,
  parameter integer IN_W      = 8,
  parameter integer REG_EVERY = 2
) (
  input  wire                                      clk,
  input  wire                                      ce,
  input  wire [N*IN_W-1:0]                         in_data,
  output wire [IN_W + ((N > 1) ? $clog2(N) : 0)-1:0] out_data
);
`include "zn_func.vh"
  localparam integer LEVELS = (N > 1) ? $clog2(N) : 0;
  localparam integer OUT_W  = IN_W + LEVELS;
  localparam integer P      = 1 << LEVELS;

  generate if (N < 1 || IN_W < 2 || REG_EVERY < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_addtree_lane: N (%0d) and REG_EVERY (%0d) must be >= 1 and IN_W (%0d) >= 2", N, REG_EVERY, IN_W);
`else
    zn_param_error__zn_addtree_lane_bad_parameters u_param_error();
`endif
  end endgenerate

  genvar i;
  generate if (LEVELS == 0) begin : g_single
    reg [IN_W-1:0] q;
    always @(posedge clk) begin
      if (ce) q <= in_data[IN_W-1:0];
    end
    assign out_data = q;
  end else begin : g_tree
    // Heap order: root 0, children 2i+1 and 2i+2, leaves P-1 .. 2P-2 (missing leaves are 0).
    // Internal node i, at height H above the leaves, holds an IN_W + H bit sum, stored
    // sign-extended to OUT_W bits in nodes[i] (no references into other generate blocks).
    wire [OUT_W-1:0] nodes [0:P-2] /*verilator split_var*/;
    for (i = 0; i < P - 1; i = i + 1) begin : g_node
      localparam integer H   = LEVELS - zn_flog2(i + 1);
      localparam integer NW  = IN_W + H;
      localparam integer CL  = 2 * i + 1;
      localparam integer CR  = 2 * i + 2;
      wire [NW-2:0] l, r;
      if (CL >= P - 1) begin : g_leaves
        // Both children are leaves (IN_W = NW - 1 bits).
        if (CL - (P - 1) < N) begin : g_l
          assign l = in_data[(CL - (P-1))*IN_W +: IN_W];
        end else begin : g_l0
          assign l = {(NW-1){1'b0}};
        end
        if (CR - (P - 1) < N) begin : g_r
          assign r = in_data[(CR - (P-1))*IN_W +: IN_W];
        end else begin : g_r0
          assign r = {(NW-1){1'b0}};
        end
      end else begin : g_inner
        assign l = nodes[CL][NW-2:0];
        assign r = nodes[CR][NW-2:0];
      end
      wire [NW-1:0] s = {l[NW-2], l} + {r[NW-2], r};
      wire [NW-1:0] v;
      if (H % REG_EVERY == 0 || H == LEVELS) begin : g_reg
        reg [NW-1:0] q;
        always @(posedge clk) begin
          if (ce) q <= s;
        end
        assign v = q;
      end else begin : g_comb
        assign v = s;
      end
      if (NW < OUT_W) begin : g_ext
        assign nodes[i] = {{(OUT_W-NW){v[NW-1]}}, v};
      end else begin : g_full
        assign nodes[i] = v;
      end
    end
    assign out_data = nodes[0];
  end endgenerate
endmodule

"""##),
        ("zn_argmax.v", ##"""
// zn_argmax: index of the largest of N 8-bit codes an image (lowest index on a tie).
//
// Input: ceil(N/LANES) words of LANES codes an image, lowest index first; lanes beyond N of a
// last, partial word are ignored. Codes compare as int8 (SIGNED = 1) or uint8. Output: one
// 32-bit index per image, held in a register until taken. Indices are kept in clog2 bits.
// Two implementations, chosen by SERIAL:
//   - SERIAL = 0 (tree): one word a cycle: the lanes of a word meet in a tournament tree, the
//     word's winner against the best so far.
//   - SERIAL = 1 (one lane a cycle, for slow streams): the offered word is scanned in place,
//     lane 0 first, one lane a cycle while in_valid is high (in_data must stay put until taken,
//     as AXI4-Stream requires), and taken on the cycle of its last lane: a word of n codes is
//     taken n - 1 cycles after it is first offered at the earliest (a last, partial word has
//     n = N - (words - 1)·LANES). No scanning while a result waits to be taken. A byte mux and
//     one 8-bit comparator instead of LANES - 1 comparators.
module zn_argmax #(
  parameter integer LANES  = 8,
  parameter integer N      = 8,
  parameter integer SIGNED = 0,
  parameter integer SERIAL = 0
) (
  input  wire               clk,
  input  wire               rst,
  input  wire [LANES*8-1:0] in_data,
  input  wire               in_valid,
  output wire               in_ready,
  output wire [31:0]        out_index,
  output reg                out_valid,
  input  wire               out_ready
);
`include "zn_func.vh"
  localparam integer WORDS = (N + LANES - 1) / LANES;
  localparam integer LAST  = N - (WORDS - 1) * LANES;
  localparam integer WW    = zn_idxw(WORDS);
  localparam integer LW    = zn_idxw(LANES);
  localparam integer IW    = zn_idxw(WORDS * LANES) > LW ? zn_idxw(WORDS * LANES) : LW;  // index width

  generate if (LANES < 1 || N < 1 || (SIGNED != 0 && SIGNED != 1) || (SERIAL != 0 && SERIAL != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_argmax: LANES (%0d) and N (%0d) must be >= 1, SIGNED (%0d) and SERIAL (%0d) 0/1", LANES, N, SIGNED, SERIAL);
`else
    zn_param_error__zn_argmax_bad_parameters u_param_error();
`endif
  end endgenerate

  // Codes as unsigned 8-bit keys in comparison order (int8: the sign bit flipped).
  function [7:0] key;
    input [7:0] c;
    begin
      key = {c[7] ^ (SIGNED != 0), c[6:0]};
    end
  endfunction

  generate if (SERIAL != 0) begin : g_serial
    // The code under comparison: ci counts an image's codes; its lane is ci mod LANES.
    reg  [IW-1:0] ci;
    reg  [LW-1:0] lane;
    reg  [7:0]    best;
    reg  [IW-1:0] best_idx;
    wire          last_code = (ci == N[IW-1:0] - 1'b1);
    wire          last_lane = (lane == LANES[LW-1:0] - 1'b1) || last_code;
    wire          en        = !out_valid || out_ready;
    assign in_ready = last_lane && en;
    wire          step = in_valid && en;            // compare lane `lane` of the offered word
    wire [7:0]    k    = key(in_data[lane*8 +: 8]);
    wire          take = (ci == {IW{1'b0}}) || (k > best);
    assign out_index = {{(32-IW){1'b0}}, best_idx};
    if ((1 << LW) == LANES) begin : g_lane_bits
      always @* lane = ci[LW-1:0];
    end else begin : g_lane_count
      always @(posedge clk) begin
        if (rst) lane <= {LW{1'b0}};
        else if (step) lane <= last_lane ? {LW{1'b0}} : lane + 1'b1;
      end
    end
    always @(posedge clk) begin
      if (rst) begin
        ci        <= {IW{1'b0}};
        out_valid <= 1'b0;
      end else begin
        if (out_valid && out_ready) out_valid <= 1'b0;
        if (step) begin
          ci <= last_code ? {IW{1'b0}} : ci + 1'b1;
          if (last_code) out_valid <= 1'b1;
        end
      end
    end
    always @(posedge clk) begin
      if (step && take) begin
        best     <= k;
        best_idx <= ci;
      end
    end
  end else begin : g_tree
    reg [WW-1:0] wi;
    wire         w_last = (wi == WORDS[WW-1:0] - 1'b1);
    assign in_ready = !out_valid || out_ready;
    wire fire = in_valid && in_ready;

    // Best lane of the current word (first of equals): a tournament tree; the right (higher)
    // half wins only when strictly greater. Lanes past N in a last word enter with key 0, which
    // never beats a lower lane.
    localparam integer TL = 1 << LW;                   // leaves, a power of two
    reg [7:0]    tk [0:2*TL-2];
    reg [LW-1:0] ti [0:2*TL-2];
    reg [7:0]    lbest;
    reg [LW-1:0] lidx;
    integer l, nd;
    always @* begin
      for (l = 0; l < TL; l = l + 1) begin
        tk[TL-1+l] = (l < LANES && (!w_last || l < LAST)) ? key(in_data[(l % LANES)*8 +: 8]) : 8'd0;
        ti[TL-1+l] = l[LW-1:0];
      end
      for (nd = TL - 2; nd >= 0; nd = nd - 1) begin
        if (tk[2*nd+2] > tk[2*nd+1]) begin
          tk[nd] = tk[2*nd+2];
          ti[nd] = ti[2*nd+2];
        end else begin
          tk[nd] = tk[2*nd+1];
          ti[nd] = ti[2*nd+1];
        end
      end
      lbest = tk[0];
      lidx  = ti[0];
    end

    // Indices are below N: IW bits are kept, out_index is their zero extension.
    reg  [7:0]    best;
    reg  [IW-1:0] best_idx, oidx;
    wire [IW-1:0] wbase    = wi * LANES[IW-1:0];
    wire [IW-1:0] cand_idx = wbase + {{(IW-LW){1'b0}}, lidx};
    wire take = (wi == {WW{1'b0}}) || (lbest > best);
    assign out_index = {{(32-IW){1'b0}}, oidx};
    always @(posedge clk) begin
      if (rst) begin
        wi        <= {WW{1'b0}};
        out_valid <= 1'b0;
      end else begin
        if (out_valid && out_ready) out_valid <= 1'b0;
        if (fire) begin
          wi <= w_last ? {WW{1'b0}} : wi + 1'b1;
          if (w_last) out_valid <= 1'b1;
        end
      end
    end
    always @(posedge clk) begin
      if (fire && take) begin
        best     <= lbest;
        best_idx <= cand_idx;
      end
      if (fire && w_last) oidx <= take ? cand_idx : best_idx;
    end
  end endgenerate
endmodule

"""##),
        ("zn_axil_regs.v", ##"""
// zn_axil_regs: AXI4-Lite slave and register file of the accelerator (docs/register-map.md).
//
// Protocol: AW and W are accepted independently and in any order (one of each is latched);
// a write is performed once both are there and no B response is pending, so a stalled B is
// never overwritten; likewise one AR at a time, and RVALID/RDATA hold until RREADY. Every
// response is OKAY. WSTRB is ignored (full-word writes); unmapped offsets read 0.
// PARAM_DATA accesses go over the parameter bus (p_*): a request, then exactly one p_ack from
// the selected memory (or an error answer from here for an invalid PARAM_SEL, or after 15
// cycles without an answer). p_we, p_layer, p_kind, p_addr and p_wdata are valid in the p_req
// cycle and hold until the answer (they are PARAM_SEL, PARAM_ADDR and the latched W data).
// Offsets come from zn_regmap.vh, generated from Sources/ZynqNetHW/RegisterMap.swift.
// The design constants are parameters; FLAGS is {SEQUENTIAL, OUTPUT_SIGNED, INPUT_SIGNED} (SEQUENTIAL:
// the generated top of the layer-folded engine, zn_seq, sets it to 1).
//
// Lean structure: an accepted AR address is compressed ({layer block, word} or {global word})
// and decoded into a registered read slot (mux select, memory entry, flags); an AW address into
// a write target. One LUT memory (RAM32M/RAM64M: one write port, one asynchronous read port)
// holds every word that changes only at known moments: shadows of the RW words (the flip-flop
// copies still drive the datapath), PARAM_ADDR (also a flip-flop: p_addr), STARVE_CYCLES_HI,
// the design constants and the nonzero reset values (initial contents, never written); a
// shadow reads its reset value until written after its reset (valid bits). RDATA is three 4:1
// stages per bit over ten sources (IN_FLIGHT, IMAGES_IN/OUT, the LO counters, BUSY/STALL HI,
// the memory, p_rdata or the CONTROL/STATUS/L_CFG bits); bits a word does not have (and
// shadows not written since reset) are zeroed through RDATA's per-group synchronous reset.
// PARAM_ADDR's next value and the memory's write data are one 4:1 mux per bit on two shared
// selects. Counters are FDRE reset/enable flip-flops.
module zn_axil_regs #(
  parameter integer AW            = 12,
  parameter integer NUM_LAYERS    = 1,
  parameter [63:0]  TOPO_HASH     = 64'd0,
  parameter integer INPUT_COUNT   = 1,
  parameter integer OUTPUT_COUNT  = 1,
  parameter integer INPUT_SIGNED  = 0,
  parameter integer OUTPUT_SIGNED = 0,
  parameter integer SEQUENTIAL    = 0,
  parameter integer II_CYCLES     = 1,
  parameter [NUM_LAYERS*32-1:0] L_IN          = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_OUT         = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_FOLD        = {NUM_LAYERS{32'h0001_0001}},
  parameter [NUM_LAYERS*32-1:0] L_LANES       = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_WIDTHS      = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_CLAMP_RESET = {NUM_LAYERS{32'h007F_FF80}}
) (
  input  wire                    aclk,
  input  wire                    aresetn,
  // AXI4-Lite slave
  input  wire [AW-1:0]           s_axil_awaddr,
  input  wire [2:0]              s_axil_awprot,
  input  wire                    s_axil_awvalid,
  output wire                    s_axil_awready,
  input  wire [31:0]             s_axil_wdata,
  input  wire [3:0]              s_axil_wstrb,
  input  wire                    s_axil_wvalid,
  output wire                    s_axil_wready,
  output wire [1:0]              s_axil_bresp,
  output reg                     s_axil_bvalid,
  input  wire                    s_axil_bready,
  input  wire [AW-1:0]           s_axil_araddr,
  input  wire [2:0]              s_axil_arprot,
  input  wire                    s_axil_arvalid,
  output wire                    s_axil_arready,
  output reg  [31:0]             s_axil_rdata,
  output wire [1:0]              s_axil_rresp,
  output reg                     s_axil_rvalid,
  input  wire                    s_axil_rready,
  // control
  output reg                     soft_reset,
  output reg                     start,
  output reg                     clear_counters,
  output reg  [31:0]             packet_images,
  // events from the datapath
  input  wire                    ev_first_in,
  input  wire                    ev_image_in,
  input  wire                    ev_image_out,
  input  wire                    ev_err_input,
  input  wire                    ev_stall,
  input  wire                    ev_starve,
  output wire                    busy,
  // per-layer runtime configuration
  output reg  [NUM_LAYERS*3-1:0]  l_round,     // layer i's L_CFG.ROUNDING at [i*3 +: 3]
  output reg  [NUM_LAYERS*32-1:0] l_zero,
  output reg  [NUM_LAYERS*32-1:0] l_clamp,
  // parameter bus
  output reg                     p_req,
  output wire                    p_we,
  output wire [15:0]             p_layer,
  output wire                    p_kind,
  output wire [31:0]             p_addr,
  output wire [31:0]             p_wdata,
  input  wire                    p_ack,
  input  wire [31:0]             p_rdata,
  input  wire                    p_err,
  input  wire [31:0]             p_next
);
`include "zn_regmap.vh"
`include "zn_func.vh"

  generate if (AW < 12 || AW > 32 || NUM_LAYERS < 1 || 256 + 32 * NUM_LAYERS > (64'd1 << AW)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: AW (%0d) must be 12..32 and the window must hold %0d layer blocks", AW, NUM_LAYERS);
`else
    zn_param_error__zn_axil_regs_window_too_small u_param_error();
`endif
  end endgenerate
  // The decode below assumes global registers in 0x000..0x07F and 32-byte layer blocks from 0x100.
  generate if (RA_PARAM_DATA > 12'h07C || RA_LAYER_BASE != 12'h100 || RA_LAYER_STRIDE != 32) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the register map no longer fits the word decode");
`else
    zn_param_error__zn_axil_regs_register_map_layout u_map_error();
`endif
  end endgenerate

  // The field positions and widths the logic below relies on: the narrow read mux ({1'b0, START,
  // 1'b0}; {ERR_PARAM, ERR_INPUT, BUSY}; L_CFG.ROUNDING in bits 2:0), the 17-bit PARAM_SEL
  // ({KIND, LAYER}, bits 31:17 read 0), the FLAGS constant, the CONTROL triggers and the RW reset
  // values; the ports p_layer and p_kind and l_round have the fields' widths.
  generate if (RB_CONTROL_SOFT_RESET != 0 || RB_CONTROL_START != 1 || RB_CONTROL_CLEAR_COUNTERS != 2 ||
               RB_STATUS_BUSY != 0 || RB_STATUS_ERR_INPUT != 1 || RB_STATUS_ERR_PARAM != 2 ||
               RB_FLAGS_INPUT_SIGNED != 0 || RB_FLAGS_OUTPUT_SIGNED != 1 || RB_FLAGS_SEQUENTIAL != 2 ||
               RB_PARAM_SEL_LAYER != 0 || RW_PARAM_SEL_LAYER != 16 || RB_PARAM_SEL_KIND != 16 || RW_PARAM_SEL_KIND != 1 ||
               RB_L_CFG_ROUNDING != 0 || RW_L_CFG_ROUNDING != 3 ||
               RR_CONTROL != 0 || RR_STATUS != 0 || RR_PARAM_SEL != 0 || RR_PARAM_ADDR != 0 || RR_L_CFG != 0 ||
               RR_L_ZERO != 0 || RR_OUT_PACKET_IMAGES != 1) begin : g_field_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the register map's fields no longer sit where the read mux and the registers expect them");
`else
    zn_param_error__zn_axil_regs_register_fields u_field_error();
`endif
  end endgenerate

  localparam integer L   = NUM_LAYERS;
  localparam integer LB  = AW - 5;                  // layer-block index width (addr[AW-1:5])
  localparam integer BLK0I = {20'd0, RA_LAYER_BASE} / 32;  // block of layer 0
  localparam [LB-1:0] BLK0 = BLK0I[LB-1:0];

  // ---------------- the word memory ----------------
  // One small LUT memory (one write port, one asynchronous read port) holds every word that
  // only changes at known moments: the shadows of the RW words (written with the FF copies that
  // drive the datapath), PARAM_ADDR (written at each of its updates), STARVE_CYCLES_HI (written
  // by a read of STARVE_CYCLES_LO), then the design constants and the nonzero reset values
  // (initial contents, never written). A shadow is valid once written after its reset; before,
  // it reads its reset value (zero through RDATA's reset, or its reset image). The read mux only
  // sees the six counters, BUSY/STALL_CYCLES_HI, this memory and the parameter-bus data.
  // Entries: the shadows with a nonzero reset value first (their reset images are at + HALF),
  // then the ones reading 0 until written; the constants fill the rest.
  localparam integer E_PACKET = 0, E_CLAMP = 1,     // + i: L_CLAMP of layer i
                     E_PSEL = L + 1, E_PADDR = L + 2, E_STARVE_HI = L + 3,
                     E_ZERO = L + 4,                // + i: L_ZERO of layer i
                     S = E_ZERO + L,                // shadows: 0 .. S-1; images: HALF .. HALF + L
                     NCONST = 9 + 5 * L,            // the 9 global constants, then 5 per layer
                     NE = S + NCONST + 1 + L;
  localparam integer RAW = zn_idxw(NE);
  localparam integer ND = 1 << RAW;
  localparam integer HALF = ND / 2;                 // S <= HALF since NCONST + 1 + L >= S
  // Constant k's entry: S .. HALF-1, then past the reset images (closed forms: elaboration
  // stays fast for many layers).
  function integer cslot;
    input integer k;
    begin
      cslot = (S + k < HALF) ? S + k : HALF + L + 1 + (k - (HALF - S));
    end
  endfunction
  // Read mux sources {c, s}: c = 0: a word of stage A by s, 1: of stage B by s, 2: the memory,
  // 3: p_rdata (or the CONTROL/STATUS/L_CFG bits).
  // s is the word address' bits [3:2] (the counters' words 7 .. 14 differ in them within a
  // stage), so only c is decoded.
  localparam [3:0] M_INFLIGHT = 4'd3, M_IMG_IN = 4'd0, M_IMG_OUT = 4'd1, M_BUSY_LO = 4'd2,
                   M_BUSY_HI = 4'd7, M_STALL_LO = 4'd4, M_STALL_HI = 4'd5, M_STARVE_LO = 4'd6,
                   M_MEM = 4'd8, M_NARROW = 4'd12;
  localparam [1:0] N_NONE = 2'd0, N_CONTROL = 2'd1, N_STATUS = 2'd2, N_CFG = 2'd3;
  generate if (RA_IN_FLIGHT[3:2] != M_INFLIGHT[1:0] || RA_IMAGES_IN[3:2] != M_IMG_IN[1:0] ||
               RA_IMAGES_OUT[3:2] != M_IMG_OUT[1:0] || RA_BUSY_CYCLES_LO[3:2] != M_BUSY_LO[1:0] ||
               RA_BUSY_CYCLES_HI[3:2] != M_BUSY_HI[1:0] || RA_STALL_CYCLES_LO[3:2] != M_STALL_LO[1:0] ||
               RA_STALL_CYCLES_HI[3:2] != M_STALL_HI[1:0] || RA_STARVE_CYCLES_LO[3:2] != M_STARVE_LO[1:0]) begin : g_mux_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the counters' offsets no longer give the read mux's stage select");
`else
    zn_param_error__zn_axil_regs_counter_offsets u_mux_error();
`endif
  end endgenerate

  // A read address becomes a slot when AR is accepted: {pdata, lo, narrow, psel, alt, zr, nk, code, ra}.
  //   ra: memory entry (for L_CFG: the layer), code: mux source,
  //   nk: narrow word kind, zr: shadow reading 0 until written, alt: shadow reading its reset
  //   image until written, psel: bits 31:17 read 0, narrow: bits 31:3 read 0 (also unmapped
  //   words: nk = N_NONE), lo: STARVE_CYCLES_LO (latches its HI in the memory), pdata: PARAM_DATA.
  localparam integer SW = RAW + 12;
  localparam integer K_NONE = 0, K_CTRL = 1, K_STATUS = 2, K_CFG = 3, K_CNT = 4, K_LO = 5, K_MEM = 6, K_ZR = 7,
                     K_PSEL = 8, K_ALT = 9, K_PDATA = 10;
  // A write address becomes a target: {1, entry} for a word with a shadow, else {0, index}.
  localparam integer T_NONE = 0, T_CONTROL = 1, T_STATUS = 2, T_PDATA = 3, T_CFG = 4;  // + i
  localparam integer TW = RAW + 1;

  // Decoders (pure equality logic: no arithmetic on the address). A global word is an aligned
  // address below 0x80; layer i's block is addr[AW-1:5] == BLK0 + i.
  /* verilator lint_off UNUSEDSIGNAL */
  // An address compressed: {1, layer, word} in a layer block, {0, word} for a global word (an
  // unaligned or unmapped address becomes the unmapped global word 2^(CI-1) - 1).
  localparam integer LW = zn_idxw(L);
  localparam integer CI = 1 + ((LW + 3 > 5) ? LW + 3 : 5);
  function [CI-1:0] cword;
    input [AW-1:0] a;
    integer i;
    reg [CI-1:0] c;
    begin
      c = {1'b0, {(CI-1){1'b1}}};
      if (a[AW-1:7] == {(AW-7){1'b0}} && a[1:0] == 2'b00) c = {{(CI-5){1'b0}}, a[6:2]};
      for (i = 0; i < L; i = i + 1)
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) c = {1'b1, i[CI-5:0], a[4:2]};
      cword = c;
    end
  endfunction

  function [SW-1:0] rslot;
    input [CI-1:0] a;
    integer i, k, e;
    reg g;
    reg [3:0] c;
    reg [1:0] nk;
    begin
      g = (a[CI-1:5] == {(CI-5){1'b0}});
      k = K_NONE;
      e = 0;
      c = M_NARROW;
      if (g) begin
        case (a[4:0])
          RA_MAGIC[6:2]:             begin k = K_MEM;  e = cslot(0); end
          RA_VERSION[6:2]:           begin k = K_MEM;  e = cslot(1); end
          RA_TOPOLOGY_HASH_LO[6:2]:  begin k = K_MEM;  e = cslot(2); end
          RA_TOPOLOGY_HASH_HI[6:2]:  begin k = K_MEM;  e = cslot(3); end
          RA_CONTROL[6:2]:           k = K_CTRL;
          RA_STATUS[6:2]:            k = K_STATUS;
          RA_OUT_PACKET_IMAGES[6:2]: begin k = K_ALT;  e = E_PACKET; end
          RA_IN_FLIGHT[6:2]:         begin k = K_CNT;  c = M_INFLIGHT; end
          RA_IMAGES_IN[6:2]:         begin k = K_CNT;  c = M_IMG_IN; end
          RA_IMAGES_OUT[6:2]:        begin k = K_CNT;  c = M_IMG_OUT; end
          RA_BUSY_CYCLES_LO[6:2]:    begin k = K_CNT;  c = M_BUSY_LO; end
          RA_BUSY_CYCLES_HI[6:2]:    begin k = K_CNT;  c = M_BUSY_HI; end
          RA_STALL_CYCLES_LO[6:2]:   begin k = K_CNT;  c = M_STALL_LO; end
          RA_STALL_CYCLES_HI[6:2]:   begin k = K_CNT;  c = M_STALL_HI; end
          RA_STARVE_CYCLES_LO[6:2]:  begin k = K_LO;   c = M_STARVE_LO; end
          RA_STARVE_CYCLES_HI[6:2]:  begin k = K_ZR;   e = E_STARVE_HI; end
          RA_NUM_LAYERS[6:2]:        begin k = K_MEM;  e = cslot(4); end
          RA_INPUT_COUNT[6:2]:       begin k = K_MEM;  e = cslot(5); end
          RA_OUTPUT_COUNT[6:2]:      begin k = K_MEM;  e = cslot(6); end
          RA_FLAGS[6:2]:             begin k = K_MEM;  e = cslot(7); end
          RA_II_CYCLES[6:2]:         begin k = K_MEM;  e = cslot(8); end
          RA_PARAM_SEL[6:2]:         begin k = K_PSEL; e = E_PSEL; end
          RA_PARAM_ADDR[6:2]:        begin k = K_ZR;   e = E_PADDR; end
          RA_PARAM_DATA[6:2]:        k = K_PDATA;
          default:                   k = K_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[CI-1] && a[CI-2:3] == i[CI-5:0]) begin
          case (a[2:0])
            RA_L_IN[4:2]:     begin k = K_MEM; e = cslot(9 + 5 * i + 0); end
            RA_L_OUT[4:2]:    begin k = K_MEM; e = cslot(9 + 5 * i + 1); end
            RA_L_FOLD[4:2]:   begin k = K_MEM; e = cslot(9 + 5 * i + 2); end
            RA_L_LANES[4:2]:  begin k = K_MEM; e = cslot(9 + 5 * i + 3); end
            RA_L_WIDTHS[4:2]: begin k = K_MEM; e = cslot(9 + 5 * i + 4); end
            RA_L_CFG[4:2]:    begin k = K_CFG; e = i; end
            RA_L_ZERO[4:2]:   begin k = K_ZR;  e = E_ZERO + i; end
            default:          begin k = K_ALT; e = E_CLAMP + i; end   // RA_L_CLAMP
          endcase
        end
      end
      if (k == K_MEM || k == K_ZR || k == K_PSEL || k == K_ALT) c = M_MEM;
      nk = (k == K_CTRL) ? N_CONTROL : (k == K_STATUS) ? N_STATUS : (k == K_CFG) ? N_CFG : N_NONE;
      rslot = {k == K_PDATA, k == K_LO, k == K_NONE || k == K_CTRL || k == K_STATUS || k == K_CFG, k == K_PSEL,
               k == K_ALT, k == K_ZR || k == K_PSEL, nk, c, e[RAW-1:0]};
    end
  endfunction

  function [TW-1:0] wtarget;
    input [AW-1:0] a;
    integer i, k;
    reg g;
    begin
      g = (a[AW-1:7] == {(AW-7){1'b0}}) && (a[1:0] == 2'b00);
      k = T_NONE;
      if (g) begin
        case (a[6:2])
          RA_CONTROL[6:2]:           k = T_CONTROL;
          RA_STATUS[6:2]:            k = T_STATUS;
          RA_OUT_PACKET_IMAGES[6:2]: k = ND + E_PACKET;
          RA_PARAM_SEL[6:2]:         k = ND + E_PSEL;
          RA_PARAM_ADDR[6:2]:        k = ND + E_PADDR;
          RA_PARAM_DATA[6:2]:        k = T_PDATA;
          default:                   k = T_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) begin
          if (a[4:2] == RA_L_CFG[4:2])   k = T_CFG + i;
          if (a[4:2] == RA_L_ZERO[4:2])  k = ND + E_ZERO + i;
          if (a[4:2] == RA_L_CLAMP[4:2]) k = ND + E_CLAMP + i;
        end
      end
      wtarget = k[TW-1:0];
    end
  endfunction


  // Initial contents: the constants and the reset images (shadows start at 0, unused).
  function [31:0] minit;
    input integer e;
    integer k, i;
    begin
      minit = 32'd0;
      k = (e < HALF) ? e - S : e - (HALF + L + 1) + (HALF - S);   // constant index
      if (e == HALF + E_PACKET) begin
        minit = RR_OUT_PACKET_IMAGES;
      end else if (e >= HALF + E_CLAMP && e < HALF + E_CLAMP + L) begin
        minit = L_CLAMP_RESET[(e - HALF - E_CLAMP)*32 +: 32];
      end else if (e >= S && k < NCONST) begin
        i = (k - 9) / 5;
        case (k)
          0: minit = RM_MAGIC;
          1: minit = RM_VERSION;
          2: minit = TOPO_HASH[31:0];
          3: minit = TOPO_HASH[63:32];
          4: minit = L;
          5: minit = INPUT_COUNT;
          6: minit = OUTPUT_COUNT;
          7: minit = {29'd0, SEQUENTIAL != 0, OUTPUT_SIGNED != 0, INPUT_SIGNED != 0};
          8: minit = II_CYCLES;
          default:
            case ((k - 9) % 5)
              0: minit = L_IN[i*32 +: 32];
              1: minit = L_OUT[i*32 +: 32];
              2: minit = L_FOLD[i*32 +: 32];
              3: minit = L_LANES[i*32 +: 32];
              default: minit = L_WIDTHS[i*32 +: 32];
            endcase
        endcase
      end
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  wire unused_axil = ^{s_axil_awprot, s_axil_arprot};
  wire rst = !aresetn;
  // The configuration registers reset on rst_cfg = rst, held one edge longer: they only change
  // by a register write, which needs AW and W latched after the reset, so this changes nothing;
  // with a plain inversion of aresetn yosys would give every FDRE its own inverter.
  reg  rst_q;
  always @(posedge aclk) rst_q <= rst;
  wire rst_cfg = rst || rst_q;
  // BRESP: SLVERR (2'b10) for a write whose WSTRB is not 4'hF (nothing is written), else OKAY.
  reg b_err;
  assign s_axil_bresp = {b_err, 1'b0};
  assign s_axil_rresp = 2'b00;

  // ---------------- AW / W / AR latches ----------------
  reg          aw_full, w_full, ar_full;
  reg [TW-1:0] aw_tgt;
  reg          w_param;                  // aw_tgt == T_PDATA, registered
  reg [SW-1:0] ar_slot;
  reg  [1:0]   ar_s;                     // the read address' bits [3:2]
  wire [3:0]   ar_code = {ar_slot[RAW+3:RAW+2], ar_s};
  reg [31:0]   w_data;
  reg          w_full_strb;              // the latched write had WSTRB == 4'hF
  assign s_axil_awready = !aw_full;
  assign s_axil_wready  = !w_full;
  assign s_axil_arready = !ar_full;
  wire [RAW-1:0] ar_ra   = ar_slot[RAW-1:0];
  wire [1:0]     ar_nk   = ar_slot[RAW+5:RAW+4];
  wire           ar_zr   = ar_slot[RAW+6];
  wire           ar_alt  = ar_slot[RAW+7];
  wire           ar_psel = ar_slot[RAW+8];
  wire           ar_nw   = ar_slot[RAW+9];
  wire           ar_lo   = ar_slot[RAW+10];
  wire           r_param = ar_slot[RAW+11];
  wire           w_mem   = aw_tgt[RAW];
  wire [RAW-1:0] aw_ra   = aw_tgt[RAW-1:0];

  // ---------------- registers ----------------
  reg         err_input, err_param;
  reg  [31:0] in_flight, images_in, images_out;
  reg  [63:0] busy_cycles, stall_cycles, starve_cycles;
  reg  [31:0] busy_hi, stall_hi;
  reg  [16:0] param_sel;
  reg  [31:0] param_addr;
  assign busy = (in_flight != 32'd0);

  // ---------------- parameter bus state ----------------
  // A parameter-bus access is outstanding while p_busy; p_we tells a write from a read.
  reg       p_busy, p_we_q;
  reg [3:0] ptimer;
  // PARAM_SEL.LAYER < NUM_LAYERS, as equalities.
  reg sel_valid;
  integer si;
  always @* begin
    sel_valid = 1'b0;
    for (si = 0; si < L; si = si + 1) if (param_sel[15:0] == si[15:0]) sel_valid = 1'b1;
  end

  wire write_go_any = aw_full && w_full && !s_axil_bvalid && !p_busy;
  wire write_go = write_go_any && w_full_strb;
  wire w_strb_bad = write_go_any && !w_full_strb;   // answered SLVERR, writes nothing
  wire read_go  = ar_full && !s_axil_rvalid && !p_busy && !write_go_any;
  wire p_tout   = (ptimer == 4'd15);
  wire p_done   = p_busy && (p_ack || p_tout);
  wire w_reg    = write_go && !w_param;            // a register write (not PARAM_DATA)
  wire w_bad    = write_go && w_param && !sel_valid;
  wire r_bad    = read_go && r_param && !sel_valid;
  wire w_start  = write_go && w_param && sel_valid;
  wire r_start  = read_go && r_param && sel_valid;
  wire r_reg    = read_go && !r_param;              // a register read (not PARAM_DATA)

  assign p_we    = p_we_q;
  assign p_layer = param_sel[15:0];
  assign p_kind  = param_sel[16];
  assign p_addr  = param_addr;
  assign p_wdata = w_data;

  wire wr_control = w_reg && aw_tgt == T_CONTROL[TW-1:0];
  wire wr_status  = w_reg && aw_tgt == T_STATUS[TW-1:0];
  localparam integer TG_PACKET = ND + E_PACKET, TG_PSEL = ND + E_PSEL, TG_PADDR = ND + E_PADDR;
  wire wr_packet  = w_reg && aw_tgt == TG_PACKET[TW-1:0];
  wire wr_sel     = w_reg && aw_tgt == TG_PSEL[TW-1:0];
  wire wr_addr    = w_reg && aw_tgt == TG_PADDR[TW-1:0];

  // Datapath-side reset of STATUS, the counters and the HI latches: CONTROL.SOFT_RESET and the
  // cycle after it, while the datapath's registered reset (`rst <= !aresetn || soft_reset` in
  // the top) is active, so an event the datapath still signals in that cycle does not leave
  // IN_FLIGHT (and BUSY) off by one.
  reg  soft_reset_q;
  always @(posedge aclk) soft_reset_q <= soft_reset && !rst;
  wire srst = rst || soft_reset || soft_reset_q;

  // ---------------- the memory: writes ----------------
  // At most one writer per cycle: a register write (write_go), a PARAM_ADDR update on a
  // parameter-bus answer or an invalid PARAM_SEL (never with write_go or a register read), a
  // LO read latching its HI half (read_go, never with write_go).
  wire hi_evt = r_reg && ar_lo;
  wire pa_evt = w_bad || r_bad || p_done;
  wire mem_we = (w_reg && w_mem) || pa_evt || hi_evt;
  wire [RAW-1:0] mem_wa = w_reg ? aw_ra : hi_evt ? E_STARVE_HI[RAW-1:0] : E_PADDR[RAW-1:0];
  // The written word, also PARAM_ADDR's next value: the data on a register write (PARAM_ADDR:
  // its new value), the memory's next address on an answer, STARVE_CYCLES[63:32] on a read of
  // STARVE_CYCLES_LO, else PARAM_ADDR + 1 (after a timeout or an invalid PARAM_SEL).
  // (a 4:1 mux per bit on a select computed once)
  // ws: 0 w_data, 1 p_next, 2 STARVE_CYCLES[63:32], 3 + 1; a value for every possible writer.
  wire wpair = aw_full && w_full && !s_axil_bvalid;
  (* keep *) wire ws1;
  (* keep *) wire ws0;
  assign ws1 = p_busy ? !p_ack : !(wpair && !w_param);
  assign ws0 = p_busy || (wpair ? w_param : r_param);
  wire [31:0] pa_inc = param_addr + 32'd1;
  wire [31:0] mem_wd = ws1 ? (ws0 ? pa_inc : starve_cycles[63:32]) : (ws0 ? p_next : w_data);
  reg [31:0] mem [0:ND-1];
  integer mi;
  initial for (mi = 0; mi < ND; mi = mi + 1) mem[mi] = minit(mi);
  always @(posedge aclk) if (mem_we) mem[mem_wa] <= mem_wd;
  // Shadow valid bits: set by a write, cleared by the word's reset.
  reg [S-1:0] valid;
  genvar ge;
  generate for (ge = 0; ge < S; ge = ge + 1) begin : g_valid
    wire clr = (ge == E_PADDR) ? (rst || wr_sel) : (ge == E_STARVE_HI) ? srst : rst_cfg;
    always @(posedge aclk) begin
      if (clr) valid[ge] <= 1'b0;
      else if (mem_we && mem_wa == ge) valid[ge] <= 1'b1;
    end
  end endgenerate

  // ---------------- read data ----------------
  wire [ND-1:0] vpad = {{(ND-S){1'b0}}, valid};
  wire vld  = vpad[ar_ra];
  wire zinv = ar_zr && !vld;
  wire [RAW-1:0] mem_ra = {ar_ra[RAW-1] | (ar_alt && !vld), ar_ra[RAW-2:0]};
  wire [31:0] mem_q = mem[mem_ra];
  wire [3*ND-1:0] rpad = {{(3*(ND-L)){1'b0}}, l_round};
  reg [2:0] narrow;
  always @* begin
    case (ar_nk)
      N_CONTROL: narrow = {1'b0, start, 1'b0};
      N_STATUS:  narrow = {err_param, err_input, busy};
      N_CFG:     narrow = rpad[ar_ra*3 +: 3];
      default:   narrow = 3'd0;
    endcase
  end
  // Three 4:1 stages per bit (kept apart: yosys/abc maps them to three LUTs per bit).
  (* keep *) wire [31:0] rd_a;
  (* keep *) wire [31:0] rd_b;
  assign rd_a = (ar_code[1:0] == 2'd0) ? images_in : (ar_code[1:0] == 2'd1) ? images_out :
                (ar_code[1:0] == 2'd2) ? busy_cycles[31:0] : in_flight;
  assign rd_b = (ar_code[1:0] == 2'd0) ? stall_cycles[31:0] : (ar_code[1:0] == 2'd1) ? stall_hi :
                (ar_code[1:0] == 2'd2) ? starve_cycles[31:0] : busy_hi;
  wire [31:0] rd_p = {p_rdata[31:3], ar_nw ? narrow : p_rdata[2:0]};
  wire [31:0] rd = (ar_code[3:2] == 2'd0) ? rd_a : (ar_code[3:2] == 2'd1) ? rd_b : (ar_code[3:2] == 2'd2) ? mem_q : rd_p;
  // RDATA: loaded by a register read or a parameter-bus read answer; zero through the reset
  // on an invalid PARAM_SEL or a timeout, and per bit group for the bits a word does not have
  // (and a shadow not written since its reset).
  wire p_rdone  = p_done && !p_we_q;
  wire rd_zero  = rst || r_bad || (p_rdone && !p_ack);
  wire rd_load  = r_reg || p_rdone;
  wire rz_lo    = rd_zero || (r_reg && zinv);
  wire rz_mid   = rz_lo || (r_reg && ar_nw);
  wire rz_hi    = rz_mid || (r_reg && ar_psel);
  always @(posedge aclk) begin
    if (rz_lo)        s_axil_rdata[2:0] <= 3'd0;
    else if (rd_load) s_axil_rdata[2:0] <= rd[2:0];
  end
  always @(posedge aclk) begin
    if (rz_mid)       s_axil_rdata[16:3] <= 14'd0;
    else if (rd_load) s_axil_rdata[16:3] <= rd[16:3];
  end
  always @(posedge aclk) begin
    if (rz_hi)        s_axil_rdata[31:17] <= 15'd0;
    else if (rd_load) s_axil_rdata[31:17] <= rd[31:17];
  end

  // ---------------- handshakes and the parameter bus ----------------
  always @(posedge aclk) begin
    if (rst) begin
      aw_full       <= 1'b0;
      w_full        <= 1'b0;
      ar_full       <= 1'b0;
      s_axil_bvalid <= 1'b0;
      b_err         <= 1'b0;
      s_axil_rvalid <= 1'b0;
      p_busy        <= 1'b0;
      p_req         <= 1'b0;
    end else begin
      p_req <= w_start || r_start;
      if (s_axil_awvalid && !aw_full) aw_full <= 1'b1;
      if (s_axil_wvalid && !w_full)   w_full  <= 1'b1;
      if (s_axil_arvalid && !ar_full) ar_full <= 1'b1;
      if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
      if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
      if ((write_go && !w_start) || w_strb_bad || (p_done && p_we_q)) begin
        s_axil_bvalid <= 1'b1;
        b_err         <= w_strb_bad;
        aw_full       <= 1'b0;
        w_full        <= 1'b0;
      end
      if ((read_go && !r_start) || p_rdone) begin
        s_axil_rvalid <= 1'b1;
        ar_full       <= 1'b0;
      end
      if (w_start || r_start) p_busy <= 1'b1;
      else if (p_done)         p_busy <= 1'b0;
    end
  end
  always @(posedge aclk) begin
    if (s_axil_awvalid && !aw_full) begin
      aw_tgt  <= wtarget(s_axil_awaddr);
      w_param <= (wtarget(s_axil_awaddr) == T_PDATA[TW-1:0]);
    end
    if (s_axil_wvalid && !w_full) begin
      w_data      <= s_axil_wdata;
      w_full_strb <= (s_axil_wstrb == 4'hF);
    end
    if (s_axil_arvalid && !ar_full) begin
      ar_slot   <= rslot(cword(s_axil_araddr));
      ar_s      <= s_axil_araddr[3:2];
    end
  end
  always @(posedge aclk) begin
    if (rst) p_we_q <= 1'b0;
    else if (w_start || r_start) p_we_q <= w_start;
  end
  always @(posedge aclk) begin
    if (!p_busy) ptimer <= 4'd0;
    else         ptimer <= ptimer + 4'd1;
  end

  // ---------------- control and configuration registers ----------------
  always @(posedge aclk) begin
    if (rst) begin
      soft_reset     <= 1'b0;
      clear_counters <= 1'b0;
    end else begin
      soft_reset     <= wr_control && w_data[RB_CONTROL_SOFT_RESET];
      clear_counters <= wr_control && w_data[RB_CONTROL_CLEAR_COUNTERS];
    end
  end
  always @(posedge aclk) begin
    if (rst_cfg) start <= 1'b0;
    else if (wr_control) start <= w_data[RB_CONTROL_START];
  end
  always @(posedge aclk) begin
    if (rst_cfg) packet_images <= RR_OUT_PACKET_IMAGES;
    else if (wr_packet) packet_images <= w_data;
  end
  always @(posedge aclk) begin
    if (rst_cfg) param_sel <= 17'd0;
    else if (wr_sel) param_sel <= w_data[16:0];
  end
  // PARAM_ADDR: 0 on a PARAM_SEL write, else the memory's written word at each update.
  wire pa_load = wr_addr || pa_evt;
  always @(posedge aclk) begin
    if (rst || wr_sel) param_addr <= 32'd0;
    else if (pa_load)  param_addr <= mem_wd;
  end
  genvar gl;
  generate for (gl = 0; gl < NUM_LAYERS; gl = gl + 1) begin : g_layer
    localparam integer TC = T_CFG + gl, TZ = ND + E_ZERO + gl, TK = ND + E_CLAMP + gl;
    wire wr_cfg   = w_reg && aw_tgt == TC[TW-1:0];
    wire wr_zero  = w_reg && aw_tgt == TZ[TW-1:0];
    wire wr_clamp = w_reg && aw_tgt == TK[TW-1:0];
    always @(posedge aclk) begin
      if (rst_cfg) begin
        l_round[gl*3 +: 3]    <= 3'd0;
        l_zero[gl*32 +: 32]   <= 32'd0;
        l_clamp[gl*32 +: 32]  <= L_CLAMP_RESET[gl*32 +: 32];
      end else begin
        if (wr_cfg)   l_round[gl*3 +: 3]   <= w_data[RB_L_CFG_ROUNDING +: 3];
        if (wr_zero)  l_zero[gl*32 +: 32]  <= w_data;
        if (wr_clamp) l_clamp[gl*32 +: 32] <= w_data;
      end
    end
  end endgenerate

  // ---------------- status and counters ----------------
  wire crst = srst || clear_counters;       // ... and of the clearable counters
  wire w1c  = wr_status;
  wire param_error = w_bad || r_bad || (p_busy && ((p_ack && p_err) || (!p_ack && p_tout)));
  always @(posedge aclk) begin
    if (srst) begin
      err_input <= 1'b0;
      err_param <= 1'b0;
    end else begin
      if (ev_err_input) err_input <= 1'b1;
      else if (w1c && w_data[RB_STATUS_ERR_INPUT]) err_input <= 1'b0;
      if (param_error) err_param <= 1'b1;
      else if (w1c && w_data[RB_STATUS_ERR_PARAM]) err_param <= 1'b0;
    end
  end
  // IN_FLIGHT: + 1 on a first input beat, - 1 on an image's last output beat.
  always @(posedge aclk) begin
    if (srst) in_flight <= 32'd0;
    else if (ev_first_in != ev_image_out) in_flight <= in_flight + {{31{ev_image_out}}, 1'b1};
  end
  always @(posedge aclk) begin
    if (crst) images_in <= 32'd0;
    else if (ev_image_in) images_in <= images_in + 32'd1;
  end
  always @(posedge aclk) begin
    if (crst) images_out <= 32'd0;
    else if (ev_image_out) images_out <= images_out + 32'd1;
  end
  always @(posedge aclk) begin
    if (crst) busy_cycles <= 64'd0;
    else if (busy) busy_cycles <= busy_cycles + 64'd1;
  end
  always @(posedge aclk) begin
    if (crst) stall_cycles <= 64'd0;
    else if (ev_stall) stall_cycles <= stall_cycles + 64'd1;
  end
  always @(posedge aclk) begin
    if (crst) starve_cycles <= 64'd0;
    else if (busy && ev_starve) starve_cycles <= starve_cycles + 64'd1;
  end
  // Reading BUSY_CYCLES_LO or STALL_CYCLES_LO latches the HI half (STARVE's is in the memory).
  always @(posedge aclk) begin
    if (srst) busy_hi <= 32'd0;
    else if (r_reg && ar_code == M_BUSY_LO) busy_hi <= busy_cycles[63:32];
  end
  always @(posedge aclk) begin
    if (srst) stall_hi <= 32'd0;
    else if (r_reg && ar_code == M_STALL_LO) stall_hi <= stall_cycles[63:32];
  end
endmodule

"""##),
        ("zn_axis_in.v", ##"""
// zn_axis_in: the AXI4-Stream image input.
//
// An image of N pixel codes is ceil(N/8) beats of 64 bits, pixel k in byte k mod 8 of beat
// k/8; padding bytes of a last beat are ignored and TKEEP is not used. Images are counted by
// beats: TLAST may mark an image's last beat or be absent; TLAST on any other beat pulses
// err_tlast (the beat still counts). `start` = 0 holds s_tready low. The pixels leave as words
// of OUT_LANES codes (zn_resize), N/OUT_LANES words an image.
module zn_axis_in #(
  parameter integer N         = 8,
  parameter integer OUT_LANES = 8
) (
  input  wire                   clk,
  input  wire                   rst,
  input  wire                   start,
  input  wire [63:0]            s_tdata,
  input  wire [7:0]             s_tkeep,
  input  wire                   s_tvalid,
  output wire                   s_tready,
  input  wire                   s_tlast,
  output wire [OUT_LANES*8-1:0] out_data,
  output wire                   out_valid,
  input  wire                   out_ready,
  output wire                   ev_first,
  output wire                   ev_image,
  output wire                   err_tlast
);
`include "zn_regmap.vh"
`include "zn_func.vh"
  localparam integer BEATS = (N + 7) / 8;
  localparam integer BW    = zn_idxw(BEATS);

  generate if (N < 1 || OUT_LANES < 1 || N % OUT_LANES != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_in: OUT_LANES (%0d) must divide N (%0d)", OUT_LANES, N);
`else
    zn_param_error__zn_axis_in_OUT_LANES_must_divide_N u_param_error();
`endif
  end endgenerate
  // 64-bit input beats (zn_regmap.vh's ZN_BEAT_W, from OutputRecord.beatBytes).
  generate if (ZN_BEAT_W != 64) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_in: zn_regmap.vh's beat width is not the 64 bits of s_tdata");
`else
    zn_param_error__zn_axis_in_beat_width u_map_error();
`endif
  end endgenerate

  wire unused_keep = ^s_tkeep;
  wire rs_ready;
  assign s_tready = start && rs_ready;
  wire beat = s_tvalid && s_tready;

  reg [BW-1:0] bi;
  wire b_last = (bi == BEATS[BW-1:0] - 1'b1);
  always @(posedge clk) begin
    if (rst) bi <= {BW{1'b0}};
    else if (beat) bi <= b_last ? {BW{1'b0}} : bi + 1'b1;
  end
  assign ev_first  = beat && (bi == {BW{1'b0}});
  assign ev_image  = beat && b_last;
  assign err_tlast = beat && s_tlast && !b_last;

  zn_resize #(.LANE_W(8), .IN_LANES(8), .OUT_LANES(OUT_LANES), .N(N)) u_resize (
    .clk(clk), .rst(rst), .in_data(s_tdata), .in_valid(s_tvalid && start), .in_ready(rs_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule

"""##),
        ("zn_axis_out.v", ##"""
// zn_axis_out: the AXI4-Stream result output.
//
// Input: the last layer's C codes an image as ceil(C/8) words of 8 codes, zero-padded.
// Output per image: beat 0 = {sequence number, class index} ([63:32], [31:0]), then the
// ceil(C/8) value words. The class index is the argmax (lowest index on a tie; codes compare
// as int8 when SIGNED). The sequence number counts images whose beat 0 was formed since reset
// or clear_seq (mod 2^32). TLAST is set on the last beat of every K-th image,
// K = packet_images (0 acts as 1). TKEEP is all ones. The output beat is a register: TVALID,
// TDATA and TLAST hold until TREADY.
//
// Timing (output ready): the value words go into a FIFO two images deep and into zn_argmax.
// ARGMAX_SERIAL = 0: a word is taken the cycle it is offered (one a cycle). ARGMAX_SERIAL = 1
// (zn_argmax SERIAL, for slow streams: a word every 8 cycles or slower): a word of n codes is
// scanned from the cycle it is offered (at the earliest the cycle after the previous word was
// taken) and taken n - 1 cycles later (n = 8, or C - 8·(ceil(C/8) - 1) for an image's last
// word). Beat 0 leaves two cycles after the image's last word was taken, the value beats on the
// following cycles (PipelineTiming.outputStage).
module zn_axis_out #(
  parameter integer C             = 10,
  parameter integer SIGNED        = 0,
  parameter integer ARGMAX_SERIAL = 0
) (
  input  wire        clk,
  input  wire        rst,
  input  wire [63:0] in_data,
  input  wire        in_valid,
  output wire        in_ready,
  output reg  [63:0] m_tdata,
  output wire [7:0]  m_tkeep,
  output reg         m_tvalid,
  input  wire        m_tready,
  output reg         m_tlast,
  input  wire [31:0] packet_images,
  input  wire        clear_seq,
  output wire        ev_image
);
`include "zn_regmap.vh"
`include "zn_func.vh"
  localparam integer VB = (C + 7) / 8;        // value beats an image
  localparam integer PW = zn_idxw(VB);
  localparam integer XW = zn_idxw(C);         // bits of a class index

  generate if (C < 1 || (SIGNED != 0 && SIGNED != 1) || (ARGMAX_SERIAL != 0 && ARGMAX_SERIAL != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out: C (%0d) must be >= 1, SIGNED (%0d) and ARGMAX_SERIAL (%0d) 0/1", C, SIGNED, ARGMAX_SERIAL);
`else
    zn_param_error__zn_axis_out_bad_parameters u_param_error();
`endif
  end endgenerate

  // The stream format this module implements (zn_regmap.vh, from OutputRecord): 64-bit beats;
  // beat 0 = {sequence number [63:32], class index [31:0]}; 8 values a value beat.
  generate if (ZN_BEAT_W != 64 || OR_CLASS_LSB != 0 || OR_CLASS_W != 32 || OR_SEQ_LSB != 32 || OR_SEQ_W != 32 ||
               OR_VALUES_PER_BEAT != 8) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out: the output record of zn_regmap.vh is not the one this module builds");
`else
    zn_param_error__zn_axis_out_output_record u_map_error();
`endif
  end endgenerate

  assign m_tkeep = 8'hFF;

  // Fork the value words into a FIFO (two images deep) and the argmax.
  wire fifo_in_ready, am_in_ready;
  assign in_ready = fifo_in_ready && am_in_ready;
  wire [63:0] v_data;
  wire        v_valid;
  reg         v_pop;
  zn_fifo #(.W(64), .DEPTH(2 * VB)) u_values (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && am_in_ready), .in_ready(fifo_in_ready),
    .out_data(v_data), .out_valid(v_valid), .out_ready(v_pop));
  wire [31:0] am_index;
  wire        am_valid;
  reg         am_pop;
  zn_argmax #(.LANES(8), .N(C), .SIGNED(SIGNED), .SERIAL(ARGMAX_SERIAL)) u_argmax (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && fifo_in_ready), .in_ready(am_in_ready),
    .out_index(am_index), .out_valid(am_valid), .out_ready(am_pop));

  // Beat sequencer: beat0 = beat 0 is next, else value beat phase (0..VB-1) is next.
  reg  [PW-1:0] phase;
  reg           beat0;
  reg  [31:0]   seq;
  reg  [31:0]   img_in_packet;
  wire          load = !m_tvalid || m_tready;
  wire          last_value = (phase == VB[PW-1:0] - 1'b1);
  // The image ends a packet when it is the K-th: img_in_packet + 1 >= K, K = max(1, packet_images);
  // img_in_packet + 1 >= 1 always (img_in_packet < K <= 2^32 - 1 never wraps), so the 0 case
  // needs no term of its own.
  wire [31:0]   img_next = img_in_packet + 32'd1;
  wire          pkt_end  = (img_next >= packet_images);
  always @* begin
    am_pop = load && beat0 && am_valid;
    v_pop  = load && !beat0 && v_valid;
  end
  // A valid beat in m_tdata is an image's last exactly when beat 0 comes next (beat0 is set as
  // the last value beat loads and cleared as beat 0 loads).
  assign ev_image = m_tvalid && m_tready && beat0;
  wire unused_am_index = ^am_index[31:XW];

  always @(posedge clk) begin
    if (rst) begin
      m_tvalid      <= 1'b0;
      m_tlast       <= 1'b0;
      phase         <= {PW{1'b0}};
      beat0         <= 1'b1;
    end else if (load) begin
      if (am_pop) begin
        m_tvalid    <= 1'b1;
        m_tlast     <= 1'b0;
        beat0       <= 1'b0;
      end else if (v_pop) begin
        m_tvalid    <= 1'b1;
        m_tlast     <= last_value && pkt_end;
        phase       <= last_value ? {PW{1'b0}} : phase + 1'b1;
        beat0       <= last_value;
      end else begin
        m_tvalid    <= 1'b0;
        m_tlast     <= 1'b0;
      end
    end
  end
  // TDATA: beat 0 = {seq, index}; bits [31:XW] of beat 0 are zero (a synchronous reset, no mux).
  always @(posedge clk) begin
    if (am_pop || v_pop) begin
      m_tdata[63:32]  <= beat0 ? seq : v_data[63:32];
      m_tdata[XW-1:0] <= beat0 ? am_index[XW-1:0] : v_data[XW-1:0];
    end
    if (am_pop)     m_tdata[31:XW] <= {(32-XW){1'b0}};
    else if (v_pop) m_tdata[31:XW] <= v_data[31:XW];
  end
  // The packet counter: a synchronous reset at a packet's end, an enable at an image's end.
  wire img_end = v_pop && last_value;
  always @(posedge clk) begin
    if (rst || (img_end && pkt_end)) img_in_packet <= 32'd0;
    else if (img_end) img_in_packet <= img_next;
  end
  always @(posedge clk) begin
    if (rst || clear_seq) seq <= 32'd0;
    else if (am_pop) seq <= seq + 32'd1;
  end
endmodule

"""##),
        ("zn_axis_out8.v", ##"""
// zn_axis_out8: the AXI4-Stream result output for a byte-wide code stream (the sequential engine).
//
// Same output stream as zn_axis_out (ports alike except in_data, one 8-bit code a beat): the
// last layer's C codes an image, in order, in. Out per image: beat 0 = {sequence number, class
// index} ([63:32], [31:0]), then ceil(C/8) value beats of 8 codes, little-endian, zero-padded.
// The class index is the argmax (lowest index on a tie; codes compare as int8 when SIGNED, else
// uint8), run on each code as it arrives. The sequence number counts images whose beat 0 was
// formed since reset or clear_seq (mod 2^32); a clear_seq while a beat 0's sequence bytes are
// being shifted in takes effect right after that beat 0 (so a beat 0 never mixes two counts).
// TLAST on the last beat of every K-th image, K = packet_images (0 acts as 1), decided as the
// image's last value beat is formed (as in zn_axis_out: an image ends a packet when the images
// since the packet's start, itself included, are >= K at that moment, so lowering K mid-packet
// ends the packet at the next image). TKEEP is all ones. ev_image pulses on the handshake of
// each image's last beat. The output beat is a register: TVALID, TDATA and TLAST hold until TREADY.
//
// Structure: the codes go into one block RAM of two halves (2^clog2(C) codes each, one image a
// half); the writer fills one half while the reader sends the other. A beat is assembled in
// m_tdata itself, one byte a cycle shifted in from the top (8 cycles, no per-bit muxes): stage A
// reads the code (block RAM, output register reset to zero unless a real code is read), stage B
// shifts (the code, or a byte of the class index / sequence number for beat 0). in_ready is low
// while the half to be filled is still being sent, and for an image's first code while the
// previous image's class index (the running argmax registers) has not yet gone into its beat 0.
//
// Timing (output ready, reader idle): the image's last code taken at cycle a, beat 0 is handed
// over at a + 10 and value beat v at a + 10 + 9·(v + 1); the last beat's handshake is at
// a + 10 + 9·ceil(C/8) (PipelineTiming.outputStage8). An image occupies the reader for
// 9·(ceil(C/8) + 1) + 1 cycles from its last code, so codes at least every 20 cycles (the
// sequential engine: T + 10 >= 106) are never held back.
module zn_axis_out8 #(
  parameter integer C      = 10,
  parameter integer SIGNED = 0
) (
  input  wire        clk,
  input  wire        rst,
  input  wire [7:0]  in_data,
  input  wire        in_valid,
  output wire        in_ready,
  output reg  [63:0] m_tdata,
  output wire [7:0]  m_tkeep,
  output reg         m_tvalid,
  input  wire        m_tready,
  output reg         m_tlast,
  input  wire [31:0] packet_images,
  input  wire        clear_seq,
  output wire        ev_image
);
`include "zn_regmap.vh"
`include "zn_func.vh"
  localparam integer VB = (C + 7) / 8;        // value beats an image
  localparam integer XW = zn_idxw(C);         // bits of a code index (and of the class index)
  localparam integer RW = zn_idxw(8 * VB);    // bits of a byte position in the value beats (>= 3)

  generate if (C < 1 || C > 65536 || (SIGNED != 0 && SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out8: C (%0d) must be 1..65536, SIGNED (%0d) 0/1", C, SIGNED);
`else
    zn_param_error__zn_axis_out8_bad_parameters u_param_error();
`endif
  end endgenerate

  // The stream format this module implements (zn_regmap.vh, from OutputRecord): 64-bit beats;
  // beat 0 = {sequence number [63:32], class index [31:0]}; 8 values a value beat.
  generate if (ZN_BEAT_W != 64 || OR_CLASS_LSB != 0 || OR_CLASS_W != 32 || OR_SEQ_LSB != 32 || OR_SEQ_W != 32 ||
               OR_VALUES_PER_BEAT != 8) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out8: the output record of zn_regmap.vh is not the one this module builds");
`else
    zn_param_error__zn_axis_out8_output_record u_map_error();
`endif
  end endgenerate

  assign m_tkeep = 8'hFF;
  localparam integer C_M1I  = C - 1;
  localparam integer RB_M1I = 8 * VB - 1;
  localparam [XW-1:0] C_M1  = C_M1I[XW-1:0];
  localparam [RW-1:0] RB_M1 = RB_M1I[RW-1:0];

  // ---------------- writer: codes into half wh, running argmax ----------------
  reg  [XW-1:0] wk;           // index of the next code of the image
  reg           wh, rh;       // half being filled / sent
  reg  [1:0]    full;         // a half holds a whole image not yet sent
  reg           idx_pend;     // best_idx holds a finished image's class index not yet in its beat 0
  reg  [7:0]    best;         // running maximum as an unsigned key (int8: sign bit flipped)
  reg  [XW-1:0] best_idx;
  wire          w_first = (wk == {XW{1'b0}});
  wire          w_last  = (wk == C_M1);
  assign in_ready = !full[wh] && !(w_first && idx_pend);
  wire          w_take  = in_valid && in_ready;
  wire [7:0]    key     = {in_data[7] ^ (SIGNED != 0), in_data[6:0]};
  (* ram_style = "block" *) reg [7:0] mem [0:(2 << XW)-1];
  always @(posedge clk) begin
    if (w_take) mem[{wh, wk}] <= in_data;
  end
  always @(posedge clk) begin
    if (w_take && (w_first || key > best)) begin
      best     <= key;
      best_idx <= wk;
    end
  end

  // ---------------- reader stage A: one byte position a cycle ----------------
  reg  [RW-1:0] ri;           // byte position: 0..7 in beat 0 (hdr), 0..8·VB-1 in the value beats
  reg           hdr;          // the beat being assembled is beat 0
  reg           bv, bhdr, blast;
  reg  [2:0]    bpos;
  reg  [31:0]   img_in_packet;
  wire [2:0]    p        = ri[2:0];
  wire          p7       = (p == 3'd7);
  // A beat's first byte waits for the output register (free, or handed over now) and for stage B
  // to be empty (its last byte sets TVALID); the other seven follow on consecutive cycles.
  wire          a_step   = full[rh] && (p != 3'd0 || (m_tvalid ? m_tready : !bv));
  wire          hdr_end  = a_step && hdr && p7;
  wire          img_end  = a_step && !hdr && (ri == RB_M1);
  wire          real_code;  // byte position ri is below C (not padding)
  generate if (8 * VB == C) begin : g_no_pad
    assign real_code = 1'b1;
  end else begin : g_pad
    assign real_code = (ri <= C_M1I[RW-1:0]);
  end endgenerate
  wire          rd       = a_step && !hdr && real_code;
  wire [31:0]   img_next = img_in_packet + 32'd1;
  // img_in_packet + 1 >= 1 always (img_in_packet < K <= 2^32 - 1), so K = 0 acts as 1.
  wire          pkt_end  = (img_next >= packet_images);
  reg  [7:0]    mem_q;      // block RAM output register: zero unless a code is read
  always @(posedge clk) begin
    if (!rd) mem_q <= 8'd0;
    else     mem_q <= mem[{rh, ri[XW-1:0]}];
  end

  always @(posedge clk) begin
    if (rst) begin
      wk       <= {XW{1'b0}};
      wh       <= 1'b0;
      rh       <= 1'b0;
      full     <= 2'b00;
      idx_pend <= 1'b0;
      ri       <= {RW{1'b0}};
      hdr      <= 1'b1;
      bv       <= 1'b0;
    end else begin
      if (w_take) wk <= w_last ? {XW{1'b0}} : wk + 1'b1;
      if (w_take && w_last) wh <= !wh;
      // full[h]: set by the image's last code, cleared by its last byte position (never both:
      // the writer sets only an empty half, the reader clears only a full one).
      full[0] <= (full[0] || (w_take && w_last && !wh)) && !(img_end && !rh);
      full[1] <= (full[1] || (w_take && w_last && wh)) && !(img_end && rh);
      idx_pend <= (idx_pend || (w_take && w_last)) && !hdr_end;
      if (img_end) rh <= !rh;
      if (a_step) begin
        ri  <= (hdr_end || img_end) ? {RW{1'b0}} : ri + 1'b1;
        hdr <= hdr ? !p7 : img_end;
      end
      bv <= a_step;
    end
  end
  always @(posedge clk) begin
    if (a_step) begin
      bpos  <= p;
      bhdr  <= hdr;
      blast <= img_end && pkt_end;
    end
  end
  // The packet counter: a synchronous reset at a packet's end, an enable at an image's end.
  always @(posedge clk) begin
    if (rst || (img_end && pkt_end)) img_in_packet <= 32'd0;
    else if (img_end) img_in_packet <= img_next;
  end

  // ---------------- reader stage B: shift one byte into m_tdata ----------------
  reg  [31:0] seq;
  reg         clr_pend;
  wire [31:0] idx32 = {{(32-XW){1'b0}}, best_idx};
  reg  [7:0]  hbyte;          // beat 0's byte bpos: index bytes 0, 1, zero, zero, sequence bytes 0..3
  always @* begin
    case (bpos)
      3'd0:    hbyte = idx32[7:0];
      3'd1:    hbyte = idx32[15:8];
      3'd4, 3'd5, 3'd6, 3'd7: hbyte = seq[7:0];
      default: hbyte = 8'd0;
    endcase
  end
  wire unused_idx = ^idx32[31:16];
  wire b_end   = bv && (bpos == 3'd7);       // the beat's last byte: the beat becomes valid
  wire seq_win = bv && bhdr && bpos[2];      // beat 0's sequence bytes are being shifted in
  wire hdr_fin = seq_win && (bpos[1:0] == 2'b11);
  always @(posedge clk) begin
    if (bv) m_tdata <= {bhdr ? hbyte : mem_q, m_tdata[63:8]};
  end
  always @(posedge clk) begin
    if (rst) begin
      m_tvalid <= 1'b0;
      m_tlast  <= 1'b0;
    end else if (b_end) begin
      m_tvalid <= 1'b1;
      m_tlast  <= blast;
    end else if (m_tready) begin
      m_tvalid <= 1'b0;
      m_tlast  <= 1'b0;
    end
  end
  // A beat in m_tdata is its image's last exactly when stage A's next beat is a beat 0.
  assign ev_image = m_tvalid && m_tready && hdr;
  // The sequence number: during a beat 0's sequence window (4 cycles) the register rotates down a
  // byte a cycle, the byte leaving at the bottom is shifted into m_tdata and comes back at the top
  // incremented byte-serially (carry in seq_c): after the window it holds the old value + 1. A
  // clear_seq inside the window is held back until its last cycle (clr_pend). One synchronous
  // reset and one enable on the flip-flops; no byte mux.
  reg        seq_c;
  wire [8:0] seq_inc = {1'b0, seq[7:0]} + {8'd0, (bpos[1:0] == 2'b00) | seq_c};
  wire seq_clr = rst || (clear_seq && !(seq_win && !hdr_fin)) || (hdr_fin && clr_pend);
  always @(posedge clk) begin
    if (seq_clr)      seq <= 32'd0;
    else if (seq_win) seq <= {seq_inc[7:0], seq[31:8]};
  end
  always @(posedge clk) begin
    if (seq_win) seq_c <= seq_inc[8];
  end
  always @(posedge clk) begin
    if (rst || hdr_fin)             clr_pend <= 1'b0;
    else if (seq_win && clear_seq)  clr_pend <= 1'b1;
  end
endmodule

"""##),
        ("zn_dot.v", ##"""
// zn_dot: PE dot products of SIMD lanes per cycle (the MAC array of zn_mvau).
//
// out_sum[p] = sum over s of w[p][s] * x[s], exact, where w is int8 and x an 8-bit code read as
// int8 (IN_SIGNED = 1) or uint8. Every product fits 17 signed bits (int8 x uint8 lies in
// [-32640, 32385]), so each sum fits DOT_W = 17 + clog2(SIMD) bits.
//
// MUL_STYLE selects how the PE*SIMD products are built:
//   0 (DSP)    one multiply a product; synthesis maps each 8x9 multiply to a DSP48E1.
//   1 (LUT)    shift-and-add partial products, no multiply operator: LUTs and carry chains.
//   2 (PACKED) two products a DSP48E1: rows 2q and 2q+1 share x[s], so one 25x9 multiply
//              x * (w1*2^16 + w0) yields x*w1*2^16 + x*w0. As |x*w0| < 2^15, the low 16 bits
//              are x*w0 exactly and x*w1 = (P >>> 16) + P[15] (the correction). The packed
//              operand is built as {w1 - w0[7], sext16(w0)} (25 bits). The correction bits of a
//              row are summed by a second adder tree and added after the main tree. An odd last
//              row uses style 0.
// Rows are module instances (zn_dot_pair for a packed pair, zn_dot_row for a plain row, each
// with its own zn_addtree_lane trees), so hierarchical synthesis maps one row once.
// Pipeline: product register, adder trees (zn_addtree_lane), a final register; latency
// 2 + zn_tree_lat(SIMD, REG_EVERY). A TAG_W-bit tag travels alongside. `ce` freezes it all.
module zn_dot #(
  parameter integer PE        = 1,
  parameter integer SIMD      = 1,
  parameter integer IN_SIGNED = 1,
  parameter integer MUL_STYLE = 0,
  parameter integer REG_EVERY = 2,
  parameter integer TAG_W     = 1
) (
  input  wire                                              clk,
  input  wire                                              ce,
  input  wire [SIMD*8-1:0]                                 x,
  input  wire [PE*SIMD*8-1:0]                              w,
  input  wire [TAG_W-1:0]                                  in_tag,
  output wire [PE*(17 + ((SIMD > 1) ? $clog2(SIMD) : 0))-1:0] out_sum,
  output wire [TAG_W-1:0]                                  out_tag
);
`include "zn_func.vh"
  localparam integer TW    = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam integer DOT_W = 17 + TW;
  localparam integer PAIRS = (MUL_STYLE == 2) ? PE / 2 : 0;
  localparam integer SINGLE_FROM = 2 * PAIRS;   // rows >= this use a plain product

  generate if (PE < 1 || SIMD < 1 || REG_EVERY < 1 || MUL_STYLE < 0 || MUL_STYLE > 2 || TAG_W < 1 ||
               (IN_SIGNED != 0 && IN_SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_dot: PE (%0d), SIMD (%0d), REG_EVERY (%0d), TAG_W (%0d) must be >= 1, MUL_STYLE (%0d) 0..2, IN_SIGNED (%0d) 0/1",
           PE, SIMD, REG_EVERY, TAG_W, MUL_STYLE, IN_SIGNED);
`else
    zn_param_error__zn_dot_bad_parameters u_param_error();
`endif
  end endgenerate

  // Tag pipeline: as many registers as the rows' pipeline (product, tree, final register).
  localparam integer LAT = 2 + zn_tree_lat(SIMD, REG_EVERY);
  reg [TAG_W-1:0] tag_pipe [0:LAT-1];
  integer t;
  always @(posedge clk) begin
    if (ce) begin
      tag_pipe[0] <= in_tag;
      for (t = 1; t < LAT; t = t + 1) tag_pipe[t] <= tag_pipe[t-1];
    end
  end
  assign out_tag = tag_pipe[LAT-1];

  // Rows: PAIRS zn_dot_pair (rows 2q, 2q+1), then one zn_dot_row per remaining row. Identical
  // parameters, so hierarchical synthesis maps each kind once.
  genvar p;
  generate
    for (p = 0; p < PAIRS; p = p + 1) begin : g_pair
      zn_dot_pair #(.SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .REG_EVERY(REG_EVERY)) u_pair (
        .clk(clk), .ce(ce), .x(x), .w0(w[(2*p)*SIMD*8 +: SIMD*8]), .w1(w[(2*p+1)*SIMD*8 +: SIMD*8]),
        .out_sum(out_sum[(2*p)*DOT_W +: 2*DOT_W]));
    end
    for (p = SINGLE_FROM; p < PE; p = p + 1) begin : g_row
      zn_dot_row #(.SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE((MUL_STYLE == 1) ? 1 : 0), .REG_EVERY(REG_EVERY)) u_row (
        .clk(clk), .ce(ce), .x(x), .w(w[p*SIMD*8 +: SIMD*8]), .out_sum(out_sum[p*DOT_W +: DOT_W]));
    end
  endgenerate
endmodule

"""##),
        ("zn_dot_pair.v", ##"""
// zn_dot_pair: two rows of zn_dot on one DSP48E1 a lane (MUL_STYLE 2, packed):
// out_sum = {sum1, sum0}, sum_r = sum over s of w_r[s] * x[s], exact (DOT_W = 17 + clog2(SIMD)
// bits each), w_r int8, x an 8-bit code read as int8 (IN_SIGNED = 1) or uint8.
//
// Rows 0 and 1 share x[s], so one 25x9 multiply x * (w1*2^16 + w0) yields x*w1*2^16 + x*w0.
// As |x*w0| < 2^15, the low 16 bits are x*w0 exactly and x*w1 = (P >>> 16) + P[15] (the
// correction). The packed operand is built as {w1 - w0[7], sext16(w0)} (25 bits). The
// correction bits are summed by a third adder tree and added to row 1 after the main trees.
// Pipeline: product register, zn_addtree_lane trees, a final register: latency
// 2 + zn_tree_lat(SIMD, REG_EVERY). `ce` freezes it.
// A module of its own so that the PE/2 row pairs of zn_dot are one module for synthesis.
module zn_dot_pair #(
  parameter integer SIMD      = 1,
  parameter integer IN_SIGNED = 1,
  parameter integer REG_EVERY = 2
) (
  input  wire                                              clk,
  input  wire                                              ce,
  input  wire [SIMD*8-1:0]                                 x,
  input  wire [SIMD*8-1:0]                                 w0,
  input  wire [SIMD*8-1:0]                                 w1,
  output wire [2*(17 + ((SIMD > 1) ? $clog2(SIMD) : 0))-1:0] out_sum
);
  localparam integer TW    = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam integer DOT_W = 17 + TW;

  generate if (SIMD < 1 || REG_EVERY < 1 || (IN_SIGNED != 0 && IN_SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_dot_pair: SIMD (%0d), REG_EVERY (%0d) must be >= 1, IN_SIGNED (%0d) 0/1", SIMD, REG_EVERY, IN_SIGNED);
`else
    zn_param_error__zn_dot_pair_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---- product stage ----
  wire [SIMD*17-1:0] leaves0, leaves1;
  wire [SIMD*2-1:0]  corr_bits;   // P[15] of each product, as 2-bit values
  genvar s;
  generate for (s = 0; s < SIMD; s = s + 1) begin : g_lane
    wire [7:0]  xs   = x[s*8 +: 8];
    wire [7:0]  w0s  = w0[s*8 +: 8];
    wire [7:0]  w1s  = w1[s*8 +: 8];
    wire [8:0]  hi9  = {w1s[7], w1s} - {8'd0, w0s[7]};
    // |w1*2^16 + w0| < 2^24 and |x| < 2^8, so the product fits 33 signed bits.
    // Signed operands, so synthesis sees the 25x9 multiply behind the sign extension.
    wire signed [32:0] a33 = {{8{hi9[8]}}, hi9, {8{w0s[7]}}, w0s};   // w1*2^16 + w0 (25 bits), sign-extended
    wire signed [32:0] x33 = {{25{(IN_SIGNED != 0) & xs[7]}}, xs};
    reg  [32:0] prod;
    always @(posedge clk) begin
      if (ce) prod <= a33 * x33;
    end
    assign leaves0[s*17 +: 17]  = {prod[15], prod[15:0]};
    assign leaves1[s*17 +: 17]  = prod[32:16];
    assign corr_bits[s*2 +: 2]  = {1'b0, prod[15]};
  end endgenerate

  // ---- adder trees (two rows, one correction) ----
  wire [DOT_W-1:0] t0, t1;
  wire [1+TW:0]    corr_sum;
  zn_addtree_lane #(.N(SIMD), .IN_W(17), .REG_EVERY(REG_EVERY)) u_tree0 (
    .clk(clk), .ce(ce), .in_data(leaves0), .out_data(t0));
  zn_addtree_lane #(.N(SIMD), .IN_W(17), .REG_EVERY(REG_EVERY)) u_tree1 (
    .clk(clk), .ce(ce), .in_data(leaves1), .out_data(t1));
  zn_addtree_lane #(.N(SIMD), .IN_W(2), .REG_EVERY(REG_EVERY)) u_corr (
    .clk(clk), .ce(ce), .in_data(corr_bits), .out_data(corr_sum));

  // ---- final register ----
  reg [DOT_W-1:0] sum0_q, sum1_q;
  always @(posedge clk) begin
    if (ce) begin
      sum0_q <= t0;
      sum1_q <= t1 + {{(DOT_W-2-TW){1'b0}}, corr_sum};
    end
  end
  assign out_sum = {sum1_q, sum0_q};
endmodule

"""##),
        ("zn_dot_row.v", ##"""
// zn_dot_row: one row of zn_dot with plain products (MUL_STYLE 0 or 1): out = sum over s of
// w[s] * x[s], exact (DOT_W = 17 + clog2(SIMD) bits), w int8, x an 8-bit code read as int8
// (IN_SIGNED = 1) or uint8.
//
// MUL_STYLE 0: one multiply a product (a DSP48E1); 1: shift-and-add partial products (LUTs
// and carry chains, no multiply operator). Pipeline: product register, a zn_addtree_lane,
// a final register: latency 2 + zn_tree_lat(SIMD, REG_EVERY). `ce` freezes it.
// A module of its own so that the PE rows of zn_dot are one module for synthesis.
module zn_dot_row #(
  parameter integer SIMD      = 1,
  parameter integer IN_SIGNED = 1,
  parameter integer MUL_STYLE = 0,
  parameter integer REG_EVERY = 2
) (
  input  wire                                          clk,
  input  wire                                          ce,
  input  wire [SIMD*8-1:0]                             x,
  input  wire [SIMD*8-1:0]                             w,
  output wire [17 + ((SIMD > 1) ? $clog2(SIMD) : 0)-1:0] out_sum
);
  localparam integer TW    = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam integer DOT_W = 17 + TW;

  generate if (SIMD < 1 || MUL_STYLE < 0 || MUL_STYLE > 1 || REG_EVERY < 1 ||
               (IN_SIGNED != 0 && IN_SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_dot_row: SIMD (%0d), REG_EVERY (%0d) must be >= 1, MUL_STYLE (%0d) 0..1, IN_SIGNED (%0d) 0/1",
           SIMD, REG_EVERY, MUL_STYLE, IN_SIGNED);
`else
    zn_param_error__zn_dot_row_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---- product stage: leaves[s], 17 bits ----
  wire [SIMD*17-1:0] leaves;
  genvar s;
  generate for (s = 0; s < SIMD; s = s + 1) begin : g_lane
    wire [7:0]  xs  = x[s*8 +: 8];
    wire [7:0]  wv  = w[s*8 +: 8];
    wire signed [16:0] w17 = {{9{wv[7]}}, wv};
    wire signed [16:0] x17 = {{8{(IN_SIGNED != 0) & xs[7]}}, (IN_SIGNED != 0) & xs[7], xs};
    reg  [16:0] prod;
    if (MUL_STYLE == 1) begin : g_lut
      // Partial products: x bit j weighs 2^j (j < 8); bit 8 weighs -2^8.
      reg [16:0] acc;
      integer j;
      always @* begin
        acc = {17{1'b0}};
        for (j = 0; j < 8; j = j + 1) begin
          if (x17[j]) acc = acc + (w17 << j);
        end
        if (x17[8]) acc = acc - (w17 << 8);
      end
      always @(posedge clk) begin
        if (ce) prod <= acc;
      end
    end else begin : g_mul
      always @(posedge clk) begin
        if (ce) prod <= w17 * x17;
      end
    end
    assign leaves[s*17 +: 17] = prod;
  end endgenerate

  // ---- adder tree and final register ----
  wire [DOT_W-1:0] tree_sum;
  zn_addtree_lane #(.N(SIMD), .IN_W(17), .REG_EVERY(REG_EVERY)) u_tree (
    .clk(clk), .ce(ce), .in_data(leaves), .out_data(tree_sum));
  reg [DOT_W-1:0] sum_q;
  always @(posedge clk) begin
    if (ce) sum_q <= tree_sum;
  end
  assign out_sum = sum_q;
endmodule

"""##),
        ("zn_fifo.v", ##"""
// zn_fifo: synchronous stream FIFO, first-word fall-through.
//
// DEPTH entries of W bits. in_ready = not full, out_valid = not empty; neither depends
// combinationally on the other side's handshake. Storage is a plain array (LUTRAM/FFs).
module zn_fifo #(
  parameter integer W     = 8,
  parameter integer DEPTH = 2
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] in_data,
  input  wire         in_valid,
  output wire         in_ready,
  output wire [W-1:0] out_data,
  output wire         out_valid,
  input  wire         out_ready
);
`include "zn_func.vh"
  localparam integer AW = zn_idxw(DEPTH);
  localparam integer CW = zn_idxw(DEPTH + 1);

  generate if (W < 1 || DEPTH < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_fifo: W (%0d) and DEPTH (%0d) must be >= 1", W, DEPTH);
`else
    zn_param_error__zn_fifo_W_and_DEPTH_must_be_positive u_param_error();
`endif
  end endgenerate

  reg [W-1:0]  mem [0:DEPTH-1];
  reg [AW-1:0] wptr, rptr;
  reg [CW-1:0] count;

  wire push = in_valid && in_ready;
  wire pop  = out_valid && out_ready;

  assign in_ready  = (count != DEPTH[CW-1:0]);
  assign out_valid = (count != {CW{1'b0}});
  assign out_data  = mem[rptr];

  always @(posedge clk) begin
    if (push) mem[wptr] <= in_data;
  end

  always @(posedge clk) begin
    if (rst) begin
      wptr  <= {AW{1'b0}};
      rptr  <= {AW{1'b0}};
      count <= {CW{1'b0}};
    end else begin
      if (push) wptr <= (wptr == DEPTH[AW-1:0] - 1'b1) ? {AW{1'b0}} : wptr + 1'b1;
      if (pop)  rptr <= (rptr == DEPTH[AW-1:0] - 1'b1) ? {AW{1'b0}} : rptr + 1'b1;
      if (push && !pop) count <= count + 1'b1;
      else if (pop && !push) count <= count - 1'b1;
    end
  end
endmodule

"""##),
        ("zn_func.vh", ##"""
// zn_func.vh: elaboration-time (constant) functions shared by the zynqnet RTL library.
// Included inside module bodies. Plain Verilog-2005.

// Greatest common divisor of two positive integers.
function integer zn_gcd;
  input integer a;
  input integer b;
  integer fa, fb, ft;
  begin
    fa = a;
    fb = b;
    while (fb != 0) begin
      ft = fa % fb;
      fa = fb;
      fb = ft;
    end
    zn_gcd = fa;
  end
endfunction

// max(1, ceil(log2(n))): the width of an index into n things (at least one bit).
function integer zn_idxw;
  input integer n;
  integer fw, fp;
  begin
    fw = 1;
    fp = 2;
    while (fp < n) begin
      fw = fw + 1;
      fp = fp * 2;
    end
    zn_idxw = fw;
  end
endfunction

// The fewest bits of a signed number holding every value of [lo, hi] (64-bit bounds).
function integer zn_sbits;
  input reg signed [63:0] lo;
  input reg signed [63:0] hi;
  integer fw;
  reg signed [63:0] lim;
  begin
    fw = 1;
    lim = 64'sd1;  // 2^(fw-1) for fw = 1
    while (!((lo >= -lim) && (hi <= lim - 64'sd1))) begin
      fw = fw + 1;
      lim = lim * 64'sd2;
    end
    zn_sbits = fw;
  end
endfunction

// floor(log2(n)) for n >= 1.
function integer zn_flog2;
  input integer n;
  integer fw, fp;
  begin
    fw = 0;
    fp = 2;
    while (fp <= n) begin
      fw = fw + 1;
      fp = fp * 2;
    end
    zn_flog2 = fw;
  end
endfunction

// Latency (registered levels) of zn_addtree with n leaves, a register every `every` levels.
function integer zn_tree_lat;
  input integer n;
  input integer every;
  integer levels;
  begin
    levels = (n > 1) ? $clog2(n) : 0;
    zn_tree_lat = (levels == 0) ? 1 : (levels + every - 1) / every;
  end
endfunction


// RAMB18s for a d x w simple-dual-port memory: the fewest over the shapes 512 x 36, 1K x 18,
// 2K x 9, 4K x 4, 8K x 2, 16K x 1 (depth tiles times width columns).
function integer zn_ramb18_sdp;
  input integer sdp_d;
  input integer sdp_w;
  integer sdp_i, sdp_td, sdp_tw, sdp_n;
  begin
    zn_ramb18_sdp = 0;
    sdp_td = 512;
    sdp_tw = 36;
    for (sdp_i = 0; sdp_i < 6; sdp_i = sdp_i + 1) begin
      sdp_n = ((sdp_d + sdp_td - 1) / sdp_td) * ((sdp_w + sdp_tw - 1) / sdp_tw);
      if (zn_ramb18_sdp == 0 || sdp_n < zn_ramb18_sdp) zn_ramb18_sdp = sdp_n;
      sdp_td = sdp_td * 2;
      sdp_tw = (sdp_i == 1) ? 9 : (sdp_i == 2) ? 4 : sdp_tw / 2;
    end
  end
endfunction

"""##),
        ("zn_maxpool.v", ##"""
// zn_maxpool: streaming max-pool unit of a maxpool2d layer (format 2: [H, W, C], no padding).
//
// Input and output are pixels in raster order, each C codes as CB = C/SIMD words of SIMD codes.
// Output pixel (oy, ox), HO = (H-KH)/SH + 1 rows and WO = (W-KW)/SW + 1 columns, holds per
// channel c the largest code (int8 when SIGNED, else uint8) of x[oy*SH + a, ox*SW + b, c] over
// a < KH, b < KW. Any stride works, overlapping windows (stride < size) included.
//
// Structure: a zn_swu (no padding) streams each window as KH*KW*CB words in (a, b, cb) order;
// a running maximum of CB words (one per channel word) takes one word a cycle and hands the
// window's result word out on the window's last position, through a skid buffer. So an output
// pixel costs KH*KW*CB cycles of the window stream (full rate when KH*KW*HO*WO <= H*W, e.g.
// stride = size) and a result word leaves one cycle after zn_swu would hand over that word.
module zn_maxpool #(
  parameter integer H         = 4,
  parameter integer W         = 4,
  parameter integer C         = 1,
  parameter integer KH        = 2,
  parameter integer KW        = 2,
  parameter integer SH        = 2,
  parameter integer SW        = 2,
  parameter integer SIMD      = 1,
  parameter integer SIGNED    = 0,
  parameter integer RAM_BLOCK = 1
) (
  input  wire              clk,
  input  wire              rst,
  input  wire [SIMD*8-1:0] in_data,
  input  wire              in_valid,
  output wire              in_ready,
  output wire [SIMD*8-1:0] out_data,
  output wire              out_valid,
  input  wire              out_ready
);
`include "zn_func.vh"
  localparam integer SIMD_S = (SIMD < 1) ? 1 : SIMD;
  localparam integer CB     = C / SIMD_S;
  localparam integer KK     = KH * KW;
  localparam integer PW     = zn_idxw(KK);
  localparam integer BW     = zn_idxw(CB);

  generate if (SIGNED < 0 || SIGNED > 1 || KH < 1 || KW < 1 || SIMD < 1 || C < 1 || C % SIMD_S != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_maxpool: SIGNED (%0d) must be 0 or 1, KH, KW, C, SIMD >= 1 and SIMD (%0d) must divide C (%0d)", SIGNED, SIMD, C);
`else
    zn_param_error__zn_maxpool_SIGNED_0_1_and_SIMD_must_divide_C u_param_error();
`endif
  end endgenerate

  // The window stream (the shape checks of zn_swu apply).
  wire [SIMD*8-1:0] w_data;
  wire              w_valid, w_ready;
  zn_swu #(.H(H), .W(W), .C(C), .KH(KH), .KW(KW), .SH(SH), .SW(SW), .PT(0), .PL(0), .PB(0), .PR(0),
           .SIMD(SIMD), .RAM_BLOCK(RAM_BLOCK)) u_swu (
    .clk(clk), .rst(rst), .zero(8'd0), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(w_data), .out_valid(w_valid), .out_ready(w_ready));

  // Running maximum: position pos of KK in the window, channel word cb.
  reg [PW-1:0]     pos;
  reg [BW-1:0]     cb;
  reg [SIMD*8-1:0] acc [0:CB-1];
  wire             s_ready;
  wire first = (pos == {PW{1'b0}});
  wire last  = (pos == KK[PW-1:0] - 1'b1);
  assign w_ready = !last || s_ready;
  wire fire = w_valid && w_ready;
  wire [SIMD*8-1:0] cur = acc[cb];
  wire [SIMD*8-1:0] m;
  genvar j;
  generate for (j = 0; j < SIMD; j = j + 1) begin : g_lane
    wire [7:0] a = cur[8*j +: 8];
    wire [7:0] b = w_data[8*j +: 8];
    // b wins when larger; signed compare flips the sign bits.
    wire b_gt = (SIGNED != 0) ? ({~b[7], b[6:0]} > {~a[7], a[6:0]}) : (b > a);
    assign m[8*j +: 8] = (first || b_gt) ? b : a;
  end endgenerate

  always @(posedge clk) begin
    if (fire) acc[cb] <= m;
  end
  always @(posedge clk) begin
    if (rst) begin
      pos <= {PW{1'b0}};
      cb  <= {BW{1'b0}};
    end else if (fire) begin
      if (cb == CB[BW-1:0] - 1'b1) begin
        cb  <= {BW{1'b0}};
        pos <= last ? {PW{1'b0}} : pos + 1'b1;
      end else begin
        cb <= cb + 1'b1;
      end
    end
  end

  zn_skid #(.W(SIMD*8)) u_out (
    .clk(clk), .rst(rst), .in_data(m), .in_valid(w_valid && last), .in_ready(s_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule

"""##),
        ("zn_mvau.v", ##"""
// zn_mvau: matrix-vector unit of one dense layer (the multiply-accumulate part).
//
// For each image, reads the IN input codes as SF = IN/SIMD words of SIMD codes and writes
// NF = OUT/PE words of PE sums: out word nf, lane p = sum_k weight[nf*PE + p][k] * x[k]
// (raw codes, read as int8 when IN_SIGNED else uint8; the input zero point and the bias are
// applied by zn_requant). Exact: SUM_W must hold IN * (int8 x code) products; an instance
// with a smaller SUM_W does not elaborate.
//
// Structure: a double-buffered input vector (2 x SF words, so the next image loads while the
// current one is computed), weights in zn_param_ram (PE banks of SF*NF words of SIMD bytes,
// bank p at depth nf*SF + sf holding weight[nf*PE + p][sf*SIMD + j] in byte j), the
// zn_dot MAC array and PE accumulators. The input buffer is a block RAM (ram_style) when that
// saves at least IBUF_LUT_PER_RAMB18 (48; 0: never forced) LUTs per RAMB18, else synthesis chooses. One fold step (SIMD x PE MACs) a cycle: SF*NF cycles
// an image. The pipeline advances while the output skid buffer can take a word (`ce`).
module zn_mvau #(
  parameter integer IN        = 8,
  parameter integer OUT       = 8,
  parameter integer PE        = 1,
  parameter integer SIMD      = 1,
  parameter integer IN_SIGNED = 1,
  parameter integer MUL_STYLE = 0,
  parameter integer REG_EVERY = 2,
  parameter integer SUM_W     = 32,
  parameter integer IBUF_LUT_PER_RAMB18 = 48
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [SIMD*8-1:0]     in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [PE*SUM_W-1:0]   out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire                  cfg_req,
  input  wire                  cfg_we,
  input  wire [31:0]           cfg_addr,
  input  wire [31:0]           cfg_wdata,
  output wire                  cfg_ack,
  output wire [31:0]           cfg_rdata,
  output wire                  cfg_err,
  output wire [31:0]           cfg_next
);
`include "zn_func.vh"
  localparam integer SF    = IN / SIMD;
  localparam integer NF    = OUT / PE;
  localparam integer D     = SF * NF;
  localparam integer SFW   = zn_idxw(SF);
  localparam integer NFW   = zn_idxw(NF);
  localparam integer DW    = (D > 1) ? $clog2(D) : 1;
  localparam integer IBW   = zn_idxw(2 * SF);
  localparam integer TW    = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam integer DOT_W = 17 + TW;
  // Exact range of one product and of the whole sum.
  localparam signed [63:0] TMIN = (IN_SIGNED != 0) ? -64'sd16256 : -64'sd32640;
  localparam signed [63:0] TMAX = (IN_SIGNED != 0) ?  64'sd16384 :  64'sd32385;
  localparam integer NEED_W = zn_sbits(TMIN * IN, TMAX * IN);

  generate if (IN < 1 || OUT < 1 || PE < 1 || SIMD < 1 || IN % SIMD != 0 || OUT % PE != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_mvau: SIMD (%0d) must divide IN (%0d) and PE (%0d) must divide OUT (%0d)", SIMD, IN, PE, OUT);
`else
    zn_param_error__zn_mvau_SIMD_must_divide_IN_and_PE_must_divide_OUT u_param_error();
`endif
  end endgenerate
  generate if (SUM_W < NEED_W) begin : g_width_error
`ifdef VERILATOR
    $fatal(1, "zn_mvau: SUM_W (%0d) is below the proven sum width (%0d)", SUM_W, NEED_W);
`else
    zn_param_error__zn_mvau_SUM_W_below_proven_width u_param_error();
`endif
  end endgenerate

  // ---------------- output skid buffer and pipeline enable ----------------
  reg  [PE*SUM_W-1:0] res_data;
  reg                 res_valid;
  wire                res_ready;
  wire                ce = res_ready;
  zn_skid #(.W(PE*SUM_W)) u_out (
    .clk(clk), .rst(rst), .in_data(res_data), .in_valid(res_valid && ce), .in_ready(res_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));

  // ---------------- input double buffer ----------------
  reg [1:0]        full;
  reg              wbank;
  reg [SFW-1:0]    waddr;
  assign in_ready = !full[wbank];
  wire in_fire = in_valid && in_ready;
  wire [IBW-1:0] ib_waddr = (wbank ? SF[IBW-1:0] : {IBW{1'b0}}) + {{(IBW-SFW){1'b0}}, waddr};
  wire in_last = (waddr == SF[SFW-1:0] - 1'b1);

  // ---------------- issue ----------------
  reg           rbank;
  reg [SFW-1:0] sf;
  reg [NFW-1:0] nf;
  reg [DW-1:0]  wa;
  wire sf_last = (sf == SF[SFW-1:0] - 1'b1);
  wire nf_last = (nf == NF[NFW-1:0] - 1'b1);
  wire issue   = ce && full[rbank];
  wire [IBW-1:0] ib_raddr = (rbank ? SF[IBW-1:0] : {IBW{1'b0}}) + {{(IBW-SFW){1'b0}}, sf};

  always @(posedge clk) begin
    if (rst) begin
      full  <= 2'b00;
      wbank <= 1'b0;
      waddr <= {SFW{1'b0}};
      rbank <= 1'b0;
      sf    <= {SFW{1'b0}};
      nf    <= {NFW{1'b0}};
      wa    <= {DW{1'b0}};
    end else begin
      if (in_fire) begin
        waddr <= in_last ? {SFW{1'b0}} : waddr + 1'b1;
        if (in_last) begin
          full[wbank] <= 1'b1;
          wbank       <= !wbank;
        end
      end
      if (issue) begin
        sf <= sf_last ? {SFW{1'b0}} : sf + 1'b1;
        wa <= (wa == D[DW-1:0] - 1'b1) ? {DW{1'b0}} : wa + 1'b1;
        if (sf_last) begin
          nf <= nf_last ? {NFW{1'b0}} : nf + 1'b1;
          if (nf_last) begin
            // The last read of this bank happens at this edge: release it.
            full[rbank] <= 1'b0;
            rbank       <= !rbank;
          end
        end
      end
    end
  end

  // ---------------- memories (2-cycle reads) ----------------
  // The input buffer (2 x SF words of SIMD bytes, one write and one read port) is a block RAM
  // when its distributed-RAM estimate is at least IBUF_LUT_PER_RAMB18 LUTs per RAMB18 it would
  // take; otherwise synthesis chooses. Distributed: 4 LUTs per 6 bits (RAM32M, <= 32 words) or
  // per 3 bits and 64 words (RAM64M), plus a 4:1 LUT mux level past 64 words. Block: the fewest
  // RAMB18 over the simple-dual-port shapes 512 x 36 .. 16K x 1.
  localparam integer IB_D  = 2 * SF;
  localparam integer IB_W  = SIMD * 8;
  localparam integer IB_T  = (IB_D + 63) / 64;
  localparam integer IB_LUT = (IB_D <= 32) ? 4 * ((IB_W + 5) / 6)
                                           : 4 * ((IB_W + 2) / 3) * IB_T + ((IB_T > 1) ? (IB_W * IB_T + 3) / 4 : 0);
  localparam integer IB_B18 = zn_ramb18_sdp(IB_D, IB_W);
  localparam integer IB_BLOCK = (IBUF_LUT_PER_RAMB18 > 0 && IB_LUT >= IBUF_LUT_PER_RAMB18 * IB_B18) ? 1 : 0;
  reg [SIMD*8-1:0] ib_q, ib_q2;
  generate if (IB_BLOCK != 0) begin : g_ibuf_block
    (* ram_style = "block" *) reg [SIMD*8-1:0] ibuf [0:2*SF-1];
    always @(posedge clk) begin
      if (in_fire) ibuf[ib_waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (ce && issue) ib_q <= ibuf[ib_raddr];
    end
  end else begin : g_ibuf_auto
    reg [SIMD*8-1:0] ibuf [0:2*SF-1];
    always @(posedge clk) begin
      if (in_fire) ibuf[ib_waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (ce && issue) ib_q <= ibuf[ib_raddr];
    end
  end endgenerate
  always @(posedge clk) begin
    if (ce) ib_q2 <= ib_q;
  end
  wire [PE*SIMD*8-1:0] wq;
  zn_param_ram #(.BANKS(PE), .DEPTH(D), .WORD_W(SIMD*8)) u_weights (
    .clk(clk), .rst(rst), .ce(ce), .rd_en(issue), .rd_addr(wa), .rd_data(wq),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  // Tag {valid, first, last} alongside the reads.
  reg [2:0] tag1, tag2;
  always @(posedge clk) begin
    if (rst) begin
      tag1 <= 3'b000;
      tag2 <= 3'b000;
    end else if (ce) begin
      tag1 <= {issue, sf == {SFW{1'b0}}, sf_last};
      tag2 <= tag1;
    end
  end

  // ---------------- MAC array ----------------
  wire [PE*DOT_W-1:0] dot;
  wire [2:0]          dtag;
  zn_dot #(.PE(PE), .SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE(MUL_STYLE), .REG_EVERY(REG_EVERY), .TAG_W(3)) u_dot (
    .clk(clk), .ce(ce), .x(ib_q2), .w(wq), .in_tag(tag2), .out_sum(dot), .out_tag(dtag));
  // The tag pipeline inside zn_dot is not reset; qualify its valid bit until it has flushed.
  localparam integer DOT_LAT = 2 + zn_tree_lat(SIMD, REG_EVERY);
  reg [DOT_LAT-1:0] flush;
  always @(posedge clk) begin
    if (rst) flush <= {DOT_LAT{1'b0}};
    else if (ce) flush <= {flush[DOT_LAT-2:0], 1'b1};
  end
  wire d_valid = dtag[2] && flush[DOT_LAT-1];
  wire d_first = dtag[1];
  wire d_last  = dtag[0];

  // ---------------- accumulators ----------------
  reg [PE*SUM_W-1:0] acc;
  wire [PE*SUM_W-1:0] acc_next;
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : g_acc
    wire [DOT_W-1:0] dv = dot[p*DOT_W +: DOT_W];
    wire [SUM_W-1:0] de;
    if (SUM_W > DOT_W) begin : g_ext
      assign de = {{(SUM_W-DOT_W){dv[DOT_W-1]}}, dv};
    end else begin : g_trunc
      // Exact: the proven range of a partial sum fits SUM_W bits.
      assign de = dv[SUM_W-1:0];
      if (SUM_W < DOT_W) begin : g_unused
        wire [DOT_W-SUM_W-1:0] unused_high = dv[DOT_W-1:SUM_W];
      end
    end
    assign acc_next[p*SUM_W +: SUM_W] = d_first ? de : acc[p*SUM_W +: SUM_W] + de;
  end endgenerate

  always @(posedge clk) begin
    if (ce && d_valid) acc <= acc_next;
    if (ce && d_valid && d_last) res_data <= acc_next;
  end
  always @(posedge clk) begin
    if (rst) res_valid <= 1'b0;
    else if (ce) res_valid <= d_valid && d_last;
  end
endmodule

"""##),
        ("zn_param_ram.v", ##"""
// zn_param_ram: runtime-writable parameter memory with read-back.
//
// BANKS banks of DEPTH words of WORD_W bits. Two ports:
//  - compute: rd_en/rd_addr read the same word of every bank; rd_data is valid two cycles after
//    rd_en (a registered read plus an output register, which BRAM absorbs unless a bank has both
//    storage parts below: then it follows their 2:1 pick). `ce` freezes the port.
//  - config (parameter window): cfg_req with cfg_addr = (bank << (DB+CB)) | (depth << CB) | chunk,
//    DB = clog2(DEPTH), CB = clog2(CHUNKS), CHUNKS = ceil(WORD_W/32). A write stages chunks and
//    stores the word when its last chunk arrives. Every request is answered exactly four cycles
//    after the request by cfg_ack with cfg_rdata (reads: the chunk, from the memory; writes: 0), cfg_err
//    (address outside the memory: write ignored, read 0) and cfg_next, the next valid address
//    (chunk, then depth, then bank). All response outputs are zero when cfg_ack is low, so the
//    responses of many memories can be ORed.
// Storage: a bank holds its first HD = floor(DEPTH / SLICE_DEPTH) * SLICE_DEPTH words bit-sliced
// (WORD_W memories of HD x 1 bit: on xc7 SLICE_DEPTH = 32768 maps them on 32K x 1 RAMB36s, so
// no wide depth mux is needed) and the other LD = DEPTH - HD words word-wide (the whole bank when
// DEPTH < SLICE_DEPTH; SLICE_DEPTH = 0 turns slicing off). RAM_STYLE sets ram_style on the
// word-wide part: 0 synthesis' choice, 1 "block", 2 "distributed". Neither changes the ports.
// Control cost: range checks only on fields whose count is not a power of two (in their own width),
// the request address and three flags piped (loaded with a request and held otherwise: clock
// enables instead of SRL16E shift registers), cfg_next = address + 1 with the chunk (and depth)
// field forced to all ones on a last chunk (last depth), one 32-bit incrementer in the last stage;
// chunk and bank picks are binary mux trees on the address bits; zeroed answers are synchronous resets.
module zn_param_ram #(
  parameter integer BANKS       = 1,
  parameter integer DEPTH       = 1,
  parameter integer WORD_W      = 8,
  parameter integer SLICE_DEPTH = 32768,
  parameter integer RAM_STYLE   = 0
) (
  input  wire                                 clk,
  input  wire                                 rst,
  input  wire                                 ce,
  input  wire                                 rd_en,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] rd_addr,
  output reg  [BANKS*WORD_W-1:0]              rd_data,
  input  wire                                 cfg_req,
  input  wire                                 cfg_we,
  input  wire [31:0]                          cfg_addr,
  input  wire [31:0]                          cfg_wdata,
  output reg                                  cfg_ack,
  output reg  [31:0]                          cfg_rdata,
  output reg                                  cfg_err,
  output reg  [31:0]                          cfg_next
);
`include "zn_func.vh"
  localparam integer CHUNKS = (WORD_W + 31) / 32;
  localparam integer DB  = (DEPTH > 1) ? $clog2(DEPTH) : 0;
  localparam integer CB  = (CHUNKS > 1) ? $clog2(CHUNKS) : 0;
  localparam integer BB  = (BANKS > 1) ? $clog2(BANKS) : 0;
  localparam integer DAW = (DEPTH > 1) ? DB : 1;
  localparam integer BIW = zn_idxw(BANKS);
  localparam integer CIW = zn_idxw(CHUNKS);
  localparam integer LAST_W = WORD_W - 32 * (CHUNKS - 1);
  // Storage split (see "the banks"): NT full SLICE_DEPTH tiles bit-sliced, LD words word-wide.
  localparam integer NT = (SLICE_DEPTH > 0) ? DEPTH / SLICE_DEPTH : 0;
  localparam integer HD = NT * SLICE_DEPTH;
  localparam integer LD = DEPTH - HD;
  localparam integer TB = (SLICE_DEPTH > 1) ? $clog2(SLICE_DEPTH) : 1;
  localparam integer HW = (HD > 1) ? $clog2(HD) : 1;
  localparam integer LW = (LD > 1) ? $clog2(LD) : 1;

  generate if (BANKS < 1 || DEPTH < 1 || WORD_W < 1 || BB + DB + CB > 31 ||
               (SLICE_DEPTH != 0 && (SLICE_DEPTH < 2 || SLICE_DEPTH != (1 << TB))) ||
               RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_param_ram: BANKS (%0d), DEPTH (%0d), WORD_W (%0d) must be >= 1 and the address must fit 31 bits; SLICE_DEPTH (%0d) 0 or a power of two >= 2; RAM_STYLE (%0d) 0, 1 or 2",
           BANKS, DEPTH, WORD_W, SLICE_DEPTH, RAM_STYLE);
`else
    zn_param_error__zn_param_ram_bad_geometry u_param_error();
`endif
  end endgenerate

  // The used address bits; the control computes in these and in a few flags, never in 32 bits
  // except where the answer needs them (cfg_next of an address outside the memory is address + 1).
  localparam integer AW = BB + DB + CB;
  localparam integer BANKS_M1  = BANKS - 1;
  localparam integer DEPTH_M1  = DEPTH - 1;
  localparam integer CHUNKS_M1 = CHUNKS - 1;
  localparam [BIW-1:0] BANK_MAX  = BANKS_M1[BIW-1:0];
  localparam [DAW-1:0] DEPTH_MAX = DEPTH_M1[DAW-1:0];
  localparam [CIW-1:0] CHUNK_MAX = CHUNKS_M1[CIW-1:0];
  // cfg_next = base + 1, base = the address with the chunk field (last chunk) or the chunk and
  // depth fields (last chunk of the last depth) set to all ones, so the carry moves on.
  localparam [31:0] CMASK = (32'd1 << CB) - 32'd1;
  localparam [31:0] DMASK = ((32'd1 << DB) - 32'd1) << CB;

  // ---- stage 0: config address decode ----
  wire [DAW-1:0] a_depth;
  wire [CIW-1:0] a_chunk;
  wire a_bank_ok, a_depth_ok, a_chunk_ok;
  generate
    if (DB > 0) begin : g_ad
      assign a_depth = cfg_addr[CB +: DB];
    end else begin : g_ad0
      assign a_depth = {DAW{1'b0}};
    end
    if (CB > 0) begin : g_ac
      assign a_chunk = cfg_addr[CB-1:0];
    end else begin : g_ac0
      assign a_chunk = {CIW{1'b0}};
    end
    // Range checks only where a field can exceed its count (not a power of two).
    if (BANKS == (1 << BB)) begin : g_bok1
      assign a_bank_ok = 1'b1;
    end else begin : g_bok
      assign a_bank_ok = cfg_addr[DB+CB +: BB] <= BANK_MAX;
    end
    if (DEPTH == (1 << DB)) begin : g_dok1
      assign a_depth_ok = 1'b1;
    end else begin : g_dok
      assign a_depth_ok = a_depth <= DEPTH_MAX;
    end
    if (CHUNKS == (1 << CB)) begin : g_cok1
      assign a_chunk_ok = 1'b1;
    end else begin : g_cok
      assign a_chunk_ok = a_chunk <= CHUNK_MAX;
    end
  endgenerate
  wire a_high_zero = ~|(cfg_addr >> AW);
  wire a_ok = a_high_zero && a_bank_ok && a_depth_ok && a_chunk_ok;
  wire a_lc  = a_ok && (a_chunk == CHUNK_MAX);   // valid, last chunk of its word
  wire a_lcd = a_lc && (a_depth == DEPTH_MAX);   // and the last depth of its bank

  // Write-data bits above WORD_W of a one-chunk word are ignored.
  wire unused_wdata = ^cfg_wdata;

  // ---- stage 1: registered request ----
  reg            s1_req, s1_we, s1_ok, s1_lc, s1_lcd;
  reg [31:0]     s1_addr;
  reg [LAST_W-1:0] s1_wlast;
  reg            s1_commit;
  always @(posedge clk) begin
    if (rst) begin
      s1_req <= 1'b0;
    end else begin
      s1_req <= cfg_req;
    end
    // A request's fields are loaded with it and held otherwise (clock enables, no logic): only
    // answered requests use them, and held fields are not shift registers (no SRL16E per bit).
    if (cfg_req) begin
      s1_we    <= cfg_we;
      s1_ok    <= a_ok;
      s1_lc    <= a_lc;
      s1_lcd   <= a_lcd;
      s1_addr  <= cfg_addr;
      s1_wlast <= cfg_wdata[LAST_W-1:0];
    end
    s1_commit <= cfg_req && cfg_we && a_lc;
  end
  wire [BIW-1:0] s1_bank;
  wire [DAW-1:0] s1_depth;
  generate
    if (BB > 0) begin : g_s1b
      assign s1_bank = s1_addr[DB+CB +: BB];
    end else begin : g_s1b0
      assign s1_bank = {BIW{1'b0}};
    end
    if (DB > 0) begin : g_s1d
      assign s1_depth = s1_addr[CB +: DB];
    end else begin : g_s1d0
      assign s1_depth = {DAW{1'b0}};
    end
  endgenerate

  // Staging register for the chunks below the last one.
  wire [WORD_W-1:0] commit_word;
  genvar c;
  generate if (CHUNKS > 1) begin : g_stage
    reg [32*(CHUNKS-1)-1:0] stage;
    for (c = 0; c < CHUNKS - 1; c = c + 1) begin : g_chunk_reg
      localparam [CIW-1:0] CV = c;
      always @(posedge clk) begin
        if (cfg_req && cfg_we && a_ok && a_chunk == CV) stage[32*c +: 32] <= cfg_wdata;
      end
    end
    assign commit_word = {s1_wlast, stage};
  end else begin : g_nostage
    assign commit_word = s1_wlast;
  end endgenerate

  // ---- stage 2 registers (port B data, qb, is valid in this stage) ----
  reg            s2_req, s2_we, s2_ok, s2_lc, s2_lcd;
  reg [31:0]     s2_addr;
  always @(posedge clk) begin
    if (rst) s2_req <= 1'b0;
    else     s2_req <= s1_req;
    if (s1_req) begin
      s2_we   <= s1_we;
      s2_ok   <= s1_ok;
      s2_lc   <= s1_lc;
      s2_lcd  <= s1_lcd;
      s2_addr <= s1_addr;
    end
  end

  // ---- the banks ----
  // Each bank is a word-wide memory of LD words plus, for deep memories, the first HD words
  // bit-sliced: WORD_W memories of HD x 1 bit (HD a multiple of SLICE_DEPTH), which synthesis maps
  // on SLICE_DEPTH x 1 block RAMs with no per-word depth mux; the remaining LD < SLICE_DEPTH words
  // (the whole memory when DEPTH < SLICE_DEPTH) stay word-wide. Both read registered; a word's
  // part is picked by one registered flag before the output register (compute port) or by the
  // stage-2 address (config port).
  wire [BANKS*WORD_W-1:0] port_b_q;
  wire s1_rest;   // the request's depth lies in the word-wide part
  generate if (NT > 0 && LD > 0) begin : g_rest_sel
    localparam [DB-TB-1:0] NTV = NT[DB-TB-1:0];
    assign s1_rest = s1_depth[TB +: DB-TB] == NTV;
  end else begin : g_rest_sel0
    assign s1_rest = (NT == 0);
  end endgenerate
  genvar b, j;
  generate for (b = 0; b < BANKS; b = b + 1) begin : g_bank
    localparam [BIW-1:0] BV = b;
    wire wr = s1_commit && s1_bank == BV;
    wire [WORD_W-1:0] qa_l, qb_l, qa_h, qb_h;
    if (LD > 0) begin : g_word
      wire [LW-1:0] ia = rd_addr[LW-1:0];
      wire [LW-1:0] ib = s1_depth[LW-1:0];
      wire          we = wr && s1_rest;
      reg [WORD_W-1:0] qa;
      reg [WORD_W-1:0] qb;
      if (RAM_STYLE == 1) begin : g_block
        (* ram_style = "block" *) reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (we) mem[ib] <= commit_word;
          qb <= mem[ib];
        end
      end else if (RAM_STYLE == 2) begin : g_dist
        (* ram_style = "distributed" *) reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (we) mem[ib] <= commit_word;
          qb <= mem[ib];
        end
      end else begin : g_auto
        reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (we) mem[ib] <= commit_word;
          qb <= mem[ib];
        end
      end
      assign qa_l = qa;
      assign qb_l = qb;
    end else begin : g_word0
      assign qa_l = {WORD_W{1'b0}};
      assign qb_l = {WORD_W{1'b0}};
    end
    if (NT > 0) begin : g_slices
      wire [HW-1:0] ia = rd_addr[HW-1:0];
      wire [HW-1:0] ib = s1_depth[HW-1:0];
      wire          we = wr && !s1_rest;
      for (j = 0; j < WORD_W; j = j + 1) begin : g_bit
        reg mem [0:HD-1];
        reg qa, qb;
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (we) mem[ib] <= commit_word[j];
          qb <= mem[ib];
        end
        assign qa_h[j] = qa;
        assign qb_h[j] = qb;
      end
    end else begin : g_slices0
      assign qa_h = {WORD_W{1'b0}};
      assign qb_h = {WORD_W{1'b0}};
    end
    if (NT > 0 && LD > 0) begin : g_pick
      localparam [DB-TB-1:0] NTV = NT[DB-TB-1:0];
      wire ra_rest = rd_addr[TB +: DB-TB] == NTV;   // the compute read's part
      wire s2_rest = s2_addr[CB+TB +: DB-TB] == NTV; // the config read's part
      reg  ra;
      always @(posedge clk) begin
        if (ce) begin
          if (rd_en) ra <= ra_rest;
          rd_data[b*WORD_W +: WORD_W] <= ra ? qa_l : qa_h;
        end
      end
      assign port_b_q[b*WORD_W +: WORD_W] = s2_rest ? qb_l : qb_h;
    end else begin : g_one
      always @(posedge clk) begin
        if (ce) rd_data[b*WORD_W +: WORD_W] <= (NT > 0) ? qa_h : qa_l;
      end
      assign port_b_q[b*WORD_W +: WORD_W] = (NT > 0) ? qb_h : qb_l;
    end
  end endgenerate

  // ---- stage 2: port B data (qb) is valid; pick each bank's chunk with a binary mux tree on the
  // chunk bits (chunks past the word are zero; an indexed part-select with a variable, multiplied
  // index would synthesize as a full barrel shifter) ----
  localparam integer CL = 1 << CB;   // leaves of the chunk tree
  reg [32*BANKS-1:0] s3_chunks;
  generate for (b = 0; b < BANKS; b = b + 1) begin : g_chunk
    wire [32*CL-1:0] padded;
    if (32 * CL > WORD_W) begin : g_pad
      assign padded = {{(32*CL-WORD_W){1'b0}}, port_b_q[b*WORD_W +: WORD_W]};
    end else begin : g_nopad
      assign padded = port_b_q[b*WORD_W +: WORD_W];
    end
    // Heap-ordered tree: node n (1 .. 2*CL-1) at bits [32*(n-1) +: 32]; leaves CL .. 2*CL-1; the root is node 1.
    reg [32*(2*CL-1)-1:0] t;
    integer l, i;
    always @* begin
      t[32*(CL-1) +: 32*CL] = padded;
      for (l = CB - 1; l >= 0; l = l - 1) begin
        for (i = 0; i < (1 << l); i = i + 1) begin
          t[32*((1 << l) + i - 1) +: 32] = s2_addr[CB - 1 - l] ? t[32*(2*((1 << l) + i)) +: 32]
                                                                : t[32*(2*((1 << l) + i) - 1) +: 32];
        end
      end
    end
    always @(posedge clk) s3_chunks[b*32 +: 32] <= t[31:0];
  end endgenerate

  // ---- stage 3: pick the bank (the same tree on the bank bits); the response ----
  reg            s3_req, s3_rd, s3_err, s3_lc, s3_lcd;
  reg [31:0]     s3_addr;
  always @(posedge clk) begin
    if (rst) s3_req <= 1'b0;
    else     s3_req <= s2_req;
    if (s2_req) begin
      s3_rd   <= !s2_we && s2_ok;
      s3_err  <= !s2_ok;
      s3_lc   <= s2_lc;
      s3_lcd  <= s2_lcd;
      s3_addr <= s2_addr;
    end
  end
  localparam integer BL = 1 << BB;   // leaves of the bank tree
  wire [32*BL-1:0] bpadded;
  generate if (BL > BANKS) begin : g_bpad
    assign bpadded = {{(32*(BL-BANKS)){1'b0}}, s3_chunks};
  end else begin : g_nobpad
    assign bpadded = s3_chunks;
  end endgenerate
  reg [32*(2*BL-1)-1:0] bt;   // the same heap layout
  integer bl, bi;
  always @* begin
    bt[32*(BL-1) +: 32*BL] = bpadded;
    for (bl = BB - 1; bl >= 0; bl = bl - 1) begin
      for (bi = 0; bi < (1 << bl); bi = bi + 1) begin
        bt[32*((1 << bl) + bi - 1) +: 32] = s3_addr[DB + CB + BB - 1 - bl] ? bt[32*(2*((1 << bl) + bi)) +: 32]
                                                                           : bt[32*(2*((1 << bl) + bi) - 1) +: 32];
      end
    end
  end
  wire [31:0] s3_base = s3_addr | ({32{s3_lc}} & CMASK) | ({32{s3_lcd}} & DMASK);
  always @(posedge clk) begin
    if (rst) begin
      cfg_ack <= 1'b0;
      cfg_err <= 1'b0;
    end else begin
      cfg_ack <= s3_req;
      cfg_err <= s3_req && s3_err;
    end
    // Zero without an answer: synchronous resets, no 32-bit AND gates.
    if (rst || !(s3_req && s3_rd)) cfg_rdata <= 32'd0;
    else                           cfg_rdata <= bt[31:0];
    if (rst || !s3_req) cfg_next <= 32'd0;
    else                cfg_next <= s3_base + 32'd1;
  end
endmodule

"""##),
        ("zn_regmap.vh", ##"""
// Generated from Sources/ZynqNetHW/RegisterMap.swift; do not edit by hand.
// Included inside the modules that rely on the register map or the stream format; each checks
// the positions it relies on at elaboration (g_map_error). Offsets are byte offsets.
/* verilator lint_off UNUSEDPARAM */
localparam [31:0] RM_MAGIC = 32'h5A4E4554;
localparam [31:0] RM_VERSION = 32'h00010000;
localparam [11:0] RA_MAGIC = 12'h000;
localparam [11:0] RA_VERSION = 12'h004;
localparam [11:0] RA_TOPOLOGY_HASH_LO = 12'h008;
localparam [11:0] RA_TOPOLOGY_HASH_HI = 12'h00C;
localparam [11:0] RA_CONTROL = 12'h010;
localparam [11:0] RA_STATUS = 12'h014;
localparam [11:0] RA_OUT_PACKET_IMAGES = 12'h018;
localparam [11:0] RA_IN_FLIGHT = 12'h01C;
localparam [11:0] RA_IMAGES_IN = 12'h020;
localparam [11:0] RA_IMAGES_OUT = 12'h024;
localparam [11:0] RA_BUSY_CYCLES_LO = 12'h028;
localparam [11:0] RA_BUSY_CYCLES_HI = 12'h02C;
localparam [11:0] RA_STALL_CYCLES_LO = 12'h030;
localparam [11:0] RA_STALL_CYCLES_HI = 12'h034;
localparam [11:0] RA_STARVE_CYCLES_LO = 12'h038;
localparam [11:0] RA_STARVE_CYCLES_HI = 12'h03C;
localparam [11:0] RA_NUM_LAYERS = 12'h040;
localparam [11:0] RA_INPUT_COUNT = 12'h044;
localparam [11:0] RA_OUTPUT_COUNT = 12'h048;
localparam [11:0] RA_FLAGS = 12'h04C;
localparam [11:0] RA_II_CYCLES = 12'h050;
localparam [11:0] RA_PARAM_SEL = 12'h054;
localparam [11:0] RA_PARAM_ADDR = 12'h058;
localparam [11:0] RA_PARAM_DATA = 12'h05C;
localparam [11:0] RA_LAYER_BASE = 12'h100;
localparam integer RA_LAYER_STRIDE = 32;
localparam [4:0] RA_L_IN = 5'h0;
localparam [4:0] RA_L_OUT = 5'h4;
localparam [4:0] RA_L_FOLD = 5'h8;
localparam [4:0] RA_L_LANES = 5'hC;
localparam [4:0] RA_L_WIDTHS = 5'h10;
localparam [4:0] RA_L_CFG = 5'h14;
localparam [4:0] RA_L_ZERO = 5'h18;
localparam [4:0] RA_L_CLAMP = 5'h1C;
localparam integer RB_VERSION_MINOR = 0;
localparam integer RB_VERSION_MAJOR = 16;
localparam integer RB_CONTROL_SOFT_RESET = 0;
localparam integer RB_CONTROL_START = 1;
localparam integer RB_CONTROL_CLEAR_COUNTERS = 2;
localparam integer RB_STATUS_BUSY = 0;
localparam integer RB_STATUS_ERR_INPUT = 1;
localparam integer RB_STATUS_ERR_PARAM = 2;
localparam integer RB_FLAGS_INPUT_SIGNED = 0;
localparam integer RB_FLAGS_OUTPUT_SIGNED = 1;
localparam integer RB_FLAGS_SEQUENTIAL = 2;
localparam integer RB_PARAM_SEL_LAYER = 0;
localparam integer RB_PARAM_SEL_KIND = 16;
localparam integer RB_L_FOLD_PE = 0;
localparam integer RB_L_FOLD_SIMD = 16;
localparam integer RB_L_LANES_LANES = 0;
localparam integer RB_L_WIDTHS_BIAS_BITS = 0;
localparam integer RB_L_WIDTHS_MULT_BITS = 8;
localparam integer RB_L_WIDTHS_ACC_BITS = 16;
localparam integer RB_L_WIDTHS_IN_SIGNED = 24;
localparam integer RB_L_WIDTHS_OUT_SIGNED = 25;
localparam integer RB_L_WIDTHS_ROUNDINGS = 26;
localparam integer RB_L_CFG_ROUNDING = 0;
localparam integer RB_L_CLAMP_LO = 0;
localparam integer RB_L_CLAMP_HI = 16;
localparam integer RW_VERSION_MINOR = 16;
localparam integer RW_VERSION_MAJOR = 16;
localparam integer RW_CONTROL_SOFT_RESET = 1;
localparam integer RW_CONTROL_START = 1;
localparam integer RW_CONTROL_CLEAR_COUNTERS = 1;
localparam integer RW_STATUS_BUSY = 1;
localparam integer RW_STATUS_ERR_INPUT = 1;
localparam integer RW_STATUS_ERR_PARAM = 1;
localparam integer RW_FLAGS_INPUT_SIGNED = 1;
localparam integer RW_FLAGS_OUTPUT_SIGNED = 1;
localparam integer RW_FLAGS_SEQUENTIAL = 1;
localparam integer RW_PARAM_SEL_LAYER = 16;
localparam integer RW_PARAM_SEL_KIND = 1;
localparam integer RW_L_FOLD_PE = 16;
localparam integer RW_L_FOLD_SIMD = 16;
localparam integer RW_L_LANES_LANES = 16;
localparam integer RW_L_WIDTHS_BIAS_BITS = 8;
localparam integer RW_L_WIDTHS_MULT_BITS = 8;
localparam integer RW_L_WIDTHS_ACC_BITS = 8;
localparam integer RW_L_WIDTHS_IN_SIGNED = 1;
localparam integer RW_L_WIDTHS_OUT_SIGNED = 1;
localparam integer RW_L_WIDTHS_ROUNDINGS = 5;
localparam integer RW_L_CFG_ROUNDING = 3;
localparam integer RW_L_CLAMP_LO = 16;
localparam integer RW_L_CLAMP_HI = 16;
localparam [31:0] RR_MAGIC = 32'h5A4E4554;
localparam [31:0] RR_VERSION = 32'h00010000;
localparam [15:0] RR_VERSION_MINOR = 16'd0;
localparam [15:0] RR_VERSION_MAJOR = 16'd1;
localparam [31:0] RR_CONTROL = 32'h00000000;
localparam [0:0] RR_CONTROL_SOFT_RESET = 1'd0;
localparam [0:0] RR_CONTROL_START = 1'd0;
localparam [0:0] RR_CONTROL_CLEAR_COUNTERS = 1'd0;
localparam [31:0] RR_STATUS = 32'h00000000;
localparam [0:0] RR_STATUS_BUSY = 1'd0;
localparam [0:0] RR_STATUS_ERR_INPUT = 1'd0;
localparam [0:0] RR_STATUS_ERR_PARAM = 1'd0;
localparam [31:0] RR_OUT_PACKET_IMAGES = 32'h00000001;
localparam [31:0] RR_IN_FLIGHT = 32'h00000000;
localparam [31:0] RR_IMAGES_IN = 32'h00000000;
localparam [31:0] RR_IMAGES_OUT = 32'h00000000;
localparam [31:0] RR_BUSY_CYCLES_LO = 32'h00000000;
localparam [31:0] RR_BUSY_CYCLES_HI = 32'h00000000;
localparam [31:0] RR_STALL_CYCLES_LO = 32'h00000000;
localparam [31:0] RR_STALL_CYCLES_HI = 32'h00000000;
localparam [31:0] RR_STARVE_CYCLES_LO = 32'h00000000;
localparam [31:0] RR_STARVE_CYCLES_HI = 32'h00000000;
localparam [31:0] RR_PARAM_SEL = 32'h00000000;
localparam [15:0] RR_PARAM_SEL_LAYER = 16'd0;
localparam [0:0] RR_PARAM_SEL_KIND = 1'd0;
localparam [31:0] RR_PARAM_ADDR = 32'h00000000;
localparam [31:0] RR_PARAM_DATA = 32'h00000000;
localparam [31:0] RR_L_CFG = 32'h00000000;
localparam [2:0] RR_L_CFG_ROUNDING = 3'd0;
localparam [31:0] RR_L_ZERO = 32'h00000000;
localparam integer ZN_BEAT_W = 64;
localparam integer OR_CLASS_LSB = 0;
localparam integer OR_CLASS_W = 32;
localparam integer OR_SEQ_LSB = 32;
localparam integer OR_SEQ_W = 32;
localparam integer OR_VALUES_PER_BEAT = 8;
/* verilator lint_on UNUSEDPARAM */

"""##),
        ("zn_requant.v", ##"""
// zn_requant: bias, requantization and clamp of one dense layer, LANES channels a cycle.
//
// Input: words of LANES sums (SUM_W bits, signed) in channel order (word d, lane r is channel
// d*LANES + r), OUT channels an image. Output: words of LANES 8-bit codes. Per channel o, exactly
// the spec (format 2) with unbounded integers:
//   acc = bias_eff[o] + sum                      (bias_eff: the bias with the input zero point folded in)
//   p   = acc * M[o]
//   floor:     q = floor(p / 2^s)
//   half_up:   q = floor((p + 2^(s-1)) / 2^s) (s >= 1), computed as ((p >>> (s-1)) + 1) >>> 1
//   half_even: q = ((p >>> (s-1)) + (sticky | q0)) >>> 1, sticky = p mod 2^(s-1) != 0, q0 = p bit s
//              (a tie rounds up only when floor(p / 2^s) is odd)
//   gemmlowp:  s <= 31: half_up (t = floor((p 2^(31-s) + 2^30) / 2^31) is that); s > 31: the two
//              roundings are one, floor((p + 2^30 - [p<0] 2^31 + 2^(s-1)) / 2^s): stage 5 adds
//              +-2^30, then as half_up
//   float32:   a' = acc rounded to 24 significant bits as a' 2^ea (stages F1-F3, ties to even), the
//              product p = a' M (stages 4-5), b' = p rounded to 24 significant bits as b' 2^eb
//              (F4-F6), q = b' 2^(ea+eb) / 2^s to nearest, ties to even: the half_even rounding
//              of X = b' 2^40 by SH = 40 + s - ea - eb (clamped at 0: q saturates there anyway)
//   y   = min(max(zy + q, lo), hi), output as its low 8 bits (lo/hi carry relu and the clamp)
// A word's mode is the `rounding` input (a layer setting); only the modes in ROUNDINGS are built.
// Widths: acc has ACC_W = max(BIAS_W, SUM_W) + 1 bits (holds any signed BIAS_W + signed SUM_W),
// p has ACC_W + MULT_W bits (M unsigned; one more, at least 33, with gemmlowp), q is saturated to
// [-2^32, 2^32] before adding the 32-bit zy (exact: beyond that zy + q lies outside every 16-bit
// [lo, hi]).
// acc*M is split into DSP48E1-sized pieces: acc into 24-bit unsigned pieces plus a signed top
// piece of at most 25 bits (A port), M into 17-bit unsigned pieces (B port); each piece product
// is one 25x18 signed multiply.
// Parameters (bias_eff, M, s) live in zn_param_ram: LANES banks, OUT/LANES words of
// BIAS_W + MULT_W + 6 bits, {s, M, bias} from the MSB. Pipeline of 9 stages (15 with float32);
// `ce` = the output skid buffer can take a word.
module zn_requant #(
  parameter integer LANES  = 1,
  parameter integer OUT    = 1,
  parameter integer SUM_W  = 20,
  parameter integer BIAS_W = 32,
  parameter integer MULT_W = 32,
  // zn_param_ram's RAM_STYLE for the parameters (0 synthesis' choice, 1 block, 2 distributed),
  // as in zn_requant_serial.
  parameter integer PARAM_RAM_STYLE = 0,
  // The rounding modes built, a bit each: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
  // (the `rounding` codes). floor and half_up cost nothing extra; half_even adds a sticky bit,
  // gemmlowp one adder term, float32 six pipeline stages (NV = 14 instead of 8).
  parameter integer ROUNDINGS = 3
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [LANES*SUM_W-1:0] in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [LANES*8-1:0]    out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire [2:0]            rounding,     // 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
  input  wire [31:0]           zero,
  input  wire [15:0]           clamp_lo,
  input  wire [15:0]           clamp_hi,
  input  wire                  cfg_req,
  input  wire                  cfg_we,
  input  wire [31:0]           cfg_addr,
  input  wire [31:0]           cfg_wdata,
  output wire                  cfg_ack,
  output wire [31:0]           cfg_rdata,
  output wire                  cfg_err,
  output wire [31:0]           cfg_next
);
`include "zn_func.vh"
  localparam integer DEPTH = OUT / LANES;
  localparam integer DW    = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam integer QW    = BIAS_W + MULT_W + 6;
  localparam integer ACC_W = ((BIAS_W > SUM_W) ? BIAS_W : SUM_W) + 1;
  localparam integer PW    = ACC_W + MULT_W;
  localparam integer NA    = (ACC_W <= 25) ? 1 : (ACC_W - 2) / 24 + 1;   // A pieces
  localparam integer NB    = (MULT_W - 1) / 17 + 1;                      // B pieces
  localparam         HAS_HE = ((ROUNDINGS / 4) % 2) != 0;
  localparam         HAS_GM = ((ROUNDINGS / 8) % 2) != 0;
  localparam         HAS_FL = ((ROUNDINGS / 16) % 2) != 0;
  localparam integer PX    = HAS_GM ? ((PW > 32) ? PW : 32) + 1 : PW;    // p (+ gemmlowp's 2^30 term)
  localparam integer XW    = (HAS_FL && PX < 66) ? 66 : PX;              // the value rounded by stages 6-7
  localparam integer SHW   = HAS_FL ? 7 : 6;                             // its shift
  localparam integer NV    = HAS_FL ? 14 : 8;                            // stages before the result register
  localparam integer QSW   = (XW + 1 > 34) ? 34 : XW + 1;                // saturated q width

  generate if (LANES < 1 || OUT < 1 || OUT % LANES != 0 || SUM_W < 2 || SUM_W > 64 || BIAS_W < 2 || BIAS_W > 64 ||
               MULT_W < 1 || MULT_W > 32 || ROUNDINGS < 1 || ROUNDINGS > 31) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant: LANES (%0d) must divide OUT (%0d); SUM_W (%0d) 2..64, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32, ROUNDINGS (%0d) 1..31",
           LANES, OUT, SUM_W, BIAS_W, MULT_W, ROUNDINGS);
`else
    zn_param_error__zn_requant_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---------------- output skid buffer, pipeline enable ----------------
  reg  [LANES*8-1:0] res_data;
  reg                res_valid;
  wire               res_ready;
  wire               ce = res_ready;
  zn_skid #(.W(LANES*8)) u_out (
    .clk(clk), .rst(rst), .in_data(res_data), .in_valid(res_valid && ce), .in_ready(res_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));

  // ---------------- stage 0: accept, parameter read ----------------
  assign in_ready = ce;
  wire fire = in_valid && ce;
  reg [DW-1:0] d;
  always @(posedge clk) begin
    if (rst) d <= {DW{1'b0}};
    else if (fire) d <= (d == DEPTH[DW-1:0] - 1'b1) ? {DW{1'b0}} : d + 1'b1;
  end
  wire [LANES*QW-1:0] q_params;
  zn_param_ram #(.BANKS(LANES), .DEPTH(DEPTH), .WORD_W(QW), .RAM_STYLE(PARAM_RAM_STYLE)) u_params (
    .clk(clk), .rst(rst), .ce(ce), .rd_en(fire), .rd_addr(d), .rd_data(q_params),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  // Valid bits of stages 1..NV.
  reg [NV:1] v;
  always @(posedge clk) begin
    if (rst) v <= {NV{1'b0}};
    else if (ce) v <= {v[NV-1:1], fire};
  end
  always @(posedge clk) begin
    if (rst) res_valid <= 1'b0;
    else if (ce) res_valid <= v[NV];
  end

  reg [LANES*SUM_W-1:0] s1_sum, s2_sum;
  always @(posedge clk) begin
    if (ce) begin
      s1_sum <= in_data;
      s2_sum <= s1_sum;
    end
  end

  // Mode decode (rounding is a quasi-static setting, like zero and the clamp bounds). A mode that is
  // not built (its ROUNDINGS bit 0) computes floor.
  wire m_up = (rounding == 3'd1);
  wire m_he = HAS_HE && (rounding == 3'd2);
  wire m_gm = HAS_GM && (rounding == 3'd3);
  wire m_fl = HAS_FL && (rounding == 3'd4);
  wire m_rnd = m_up || m_he || m_gm || m_fl;   // round to nearest (by the increment below)
  wire m_even = m_he || m_fl;                  // ties to even

  genvar r, i, j;
  generate for (r = 0; r < LANES; r = r + 1) begin : g_lane
    wire [QW-1:0]     prm   = q_params[r*QW +: QW];
    wire [BIAS_W-1:0] bias  = prm[BIAS_W-1:0];
    wire [MULT_W-1:0] mult  = prm[BIAS_W +: MULT_W];
    wire [5:0]        shift = prm[BIAS_W+MULT_W +: 6];
    wire [SUM_W-1:0]  sum   = s2_sum[r*SUM_W +: SUM_W];

    // ---- stage 3: acc = bias + sum ----
    reg [ACC_W-1:0]  s3_acc;
    reg [MULT_W-1:0] s3_m;
    reg [5:0]        s3_s;
    always @(posedge clk) begin
      if (ce) begin
        s3_acc <= {{(ACC_W-BIAS_W){bias[BIAS_W-1]}}, bias} + {{(ACC_W-SUM_W){sum[SUM_W-1]}}, sum};
        s3_m   <= mult;
        s3_s   <= shift;
      end
    end

    // ---- float32 stages F1..F3: the multiplier's operand a' = acc rounded to 24 significant bits
    // (ties to even) as a' * 2^ea; a' = acc, ea = 0 in the other modes ----
    wire [ACC_W-1:0]  o_acc;
    wire [MULT_W-1:0] o_m;
    wire [5:0]        o_s;
    wire [6:0]        o_ea;
    if (HAS_FL) begin : g_fa
      // F1: ea = max(0, bitlen(|acc|) - 24) (bitlen of acc ^ sign: equal, or one less for a power
      // of two, which any grid up to it holds exactly).
      wire [7:0] na = zn_bitlen({{(128-ACC_W){1'b0}}, s3_acc ^ {ACC_W{s3_acc[ACC_W-1]}}});
      reg [ACC_W-1:0] f1_acc;
      reg [MULT_W-1:0] f1_m;
      reg [5:0] f1_s;
      reg [6:0] f1_ea;
      always @(posedge clk) begin
        if (ce) begin
          f1_acc <= s3_acc;
          f1_m   <= s3_m;
          f1_s   <= s3_s;
          f1_ea  <= (m_fl && na > 8'd24) ? na[6:0] - 7'd24 : 7'd0;
        end
      end
      // F2: t = acc >>> (ea - 1), sticky = acc bits below ea - 1.
      wire [6:0] sha = (f1_ea != 7'd0) ? f1_ea - 7'd1 : 7'd0;
      wire [127:0] acc128 = {{(128-ACC_W){f1_acc[ACC_W-1]}}, f1_acc};
      reg [ACC_W-1:0] f2_t;
      reg f2_st, f2_rnd;
      reg [MULT_W-1:0] f2_m;
      reg [5:0] f2_s;
      reg [6:0] f2_ea;
      always @(posedge clk) begin
        if (ce) begin
          f2_t   <= $signed(f1_acc) >>> sha;
          f2_st  <= |(acc128 & zn_lowmask(sha));
          f2_rnd <= (f1_ea != 7'd0);
          f2_m   <= f1_m;
          f2_s   <= f1_s;
          f2_ea  <= f1_ea;
        end
      end
      // F3: a' = (t + (sticky | t[1])) >>> 1 (|a'| <= 2^24: fits, ea >= 1 needs ACC_W >= 26).
      wire [ACC_W:0] ta1 = {f2_t[ACC_W-1], f2_t} + {{ACC_W{1'b0}}, f2_st | f2_t[1]};
      reg [ACC_W-1:0] f3_a;
      reg [MULT_W-1:0] f3_m;
      reg [5:0] f3_s;
      reg [6:0] f3_ea;
      always @(posedge clk) begin
        if (ce) begin
          f3_a  <= f2_rnd ? ta1[ACC_W:1] : f2_t;
          f3_m  <= f2_m;
          f3_s  <= f2_s;
          f3_ea <= f2_ea;
        end
      end
      assign o_acc = f3_a;
      assign o_m   = f3_m;
      assign o_s   = f3_s;
      assign o_ea  = f3_ea;
      wire unused_ta1 = ta1[0];
    end else begin : g_fa0
      assign o_acc = s3_acc;
      assign o_m   = s3_m;
      assign o_s   = s3_s;
      assign o_ea  = 7'd0;
    end

    // ---- stage 4: piece products (each a 25x18 signed multiply) ----
    wire [NA*NB*43-1:0] pp;
    for (i = 0; i < NA; i = i + 1) begin : g_a
      localparam integer ALO = 24 * i;
      localparam integer AWD = (i == NA - 1) ? ACC_W - ALO : 24;
      wire signed [42:0] a43;
      if (i == NA - 1) begin : g_top
        wire [AWD-1:0] ap = o_acc[ALO +: AWD];
        assign a43 = {{(43-AWD){ap[AWD-1]}}, ap};
      end else begin : g_low
        assign a43 = {19'd0, o_acc[ALO +: 24]};
      end
      for (j = 0; j < NB; j = j + 1) begin : g_b
        localparam integer BLO = 17 * j;
        localparam integer BWD = (j == NB - 1) ? MULT_W - BLO : 17;
        wire signed [42:0] b43 = {{(43-BWD){1'b0}}, o_m[BLO +: BWD]};
        reg  [42:0] prod;
        always @(posedge clk) begin
          if (ce) prod <= a43 * b43;
        end
        assign pp[(i*NB + j)*43 +: 43] = prod;
      end
    end
    reg [5:0] s4_s;
    reg [6:0] s4_ea;
    reg       s4_neg;
    always @(posedge clk) begin
      if (ce) begin
        s4_s   <= o_s;
        s4_ea  <= o_ea;
        s4_neg <= o_acc[ACC_W-1];
      end
    end

    // ---- stage 5: p = sum of shifted pieces; gemmlowp with s > 31 adds 2^30 - [p < 0] * 2^31, so
    // that its two roundings are the one below: q = floor((p + 2^30 + 2^(s-1) - [p<0] 2^31) / 2^s) ----
    reg [PW-1:0] p_sum;
    integer k;
    always @* begin
      p_sum = {PW{1'b0}};
      for (k = 0; k < NA * NB; k = k + 1) begin
        p_sum = p_sum + zn_place(pp[k*43 +: 43], 24 * (k / NB) + 17 * (k % NB));
      end
    end
    wire [PX-1:0] p_ext = {{(PX-PW){p_sum[PW-1]}}, p_sum};
    wire [PX-1:0] p_gm;
    if (HAS_GM) begin : g_gm
      wire [PX-1:0] c30  = {{(PX-30){1'b0}}, 1'b1, 29'd0} << 1;       //  2^30
      wire [PX-1:0] cm30 = ~c30 + {{(PX-1){1'b0}}, 1'b1};              // -2^30
      assign p_gm = (m_gm && s4_s > 6'd31) ? p_ext + (s4_neg ? cm30 : c30) : p_ext;
    end else begin : g_gm0
      assign p_gm = p_ext;
      wire unused_neg = s4_neg;
    end
    reg [PX-1:0] s5_p;
    reg [5:0]    s5_s;
    reg [6:0]    s5_ea;
    always @(posedge clk) begin
      if (ce) begin
        s5_p  <= p_gm;
        s5_s  <= s4_s;
        s5_ea <= s4_ea;
      end
    end

    // ---- float32 stages F4..F6: b' = p rounded to 24 significant bits (ties to even) as b' * 2^eb;
    // then the value to round is X = b' * 2^40 with shift SH = 40 + s - eb - ea (>= 0; a larger
    // exponent saturates anyway). Other modes: X = p, SH = s. (F4-F5 repeat F1-F2 on p: as one
    // submodule for both, yosys' hierarchical flow gave 264 LUT / 109 FF more a lane.) ----
    wire [XW-1:0]  x_x;
    wire [SHW-1:0] x_sh;
    if (HAS_FL) begin : g_fb
      wire [7:0] nb = zn_bitlen({{(128-PX){1'b0}}, s5_p ^ {PX{s5_p[PX-1]}}});
      reg [PX-1:0] f4_p;
      reg [5:0] f4_s;
      reg [6:0] f4_ea, f4_eb;
      always @(posedge clk) begin
        if (ce) begin
          f4_p  <= s5_p;
          f4_s  <= s5_s;
          f4_ea <= s5_ea;
          f4_eb <= (m_fl && nb > 8'd24) ? nb[6:0] - 7'd24 : 7'd0;
        end
      end
      wire [6:0] shb = (f4_eb != 7'd0) ? f4_eb - 7'd1 : 7'd0;
      wire [127:0] p128 = {{(128-PX){f4_p[PX-1]}}, f4_p};
      reg [PX-1:0] f5_t;
      reg f5_st, f5_rnd;
      reg [8:0] f5_e;     // signed: 40 + s - ea - eb
      reg [5:0] f5_s;
      always @(posedge clk) begin
        if (ce) begin
          f5_s   <= f4_s;
          f5_t   <= $signed(f4_p) >>> shb;
          f5_st  <= |(p128 & zn_lowmask(shb));
          f5_rnd <= (f4_eb != 7'd0);
          f5_e   <= 9'd40 + {3'd0, f4_s} - {2'd0, f4_ea} - {2'd0, f4_eb};
        end
      end
      localparam integer BW = (PX > 26) ? PX : 26;
      wire [BW:0] tb1 = {{(BW+1-PX){f5_t[PX-1]}}, f5_t} + {{BW{1'b0}}, f5_st | f5_t[1]};
      wire [BW-1:0] bv = f5_rnd ? tb1[BW:1] : {{(BW-PX){f5_t[PX-1]}}, f5_t};
      wire [XW-1:0] xf = {{(XW-66){bv[25]}}, bv[25:0], 40'd0};
      wire [XW-1:0] xi = {{(XW-PX){f5_t[PX-1]}}, f5_t};
      reg [XW-1:0]  f6_x;
      reg [SHW-1:0] f6_sh;
      always @(posedge clk) begin
        if (ce) begin
          f6_x  <= m_fl ? xf : xi;
          f6_sh <= m_fl ? (f5_e[8] ? {SHW{1'b0}} : f5_e[SHW-1:0]) : {1'b0, f5_s};
        end
      end
      assign x_x  = f6_x;
      assign x_sh = f6_sh;
      wire unused_fb = ^{tb1[0], bv, f5_e[7]};
    end else begin : g_fb0
      assign x_x  = s5_p;
      assign x_sh = s5_s;
      wire unused_ea = ^s5_ea;
    end

    // ---- stage 6: t = X >>> sh, sh = SH - 1 when rounding to nearest (SH >= 1), else SH; the
    // sticky bit: X bits below sh are not all zero (ties to even) ----
    wire           rnd = m_rnd && (x_sh != {SHW{1'b0}});
    wire [SHW-1:0] sh  = rnd ? x_sh - {{(SHW-1){1'b0}}, 1'b1} : x_sh;
    reg [XW-1:0] s6_t;
    reg          s6_rnd, s6_st;
    always @(posedge clk) begin
      if (ce) begin
        s6_t   <= $signed(x_x) >>> sh;
        s6_rnd <= rnd;
      end
    end
    if (HAS_HE || HAS_FL) begin : g_st
      wire [127:0] x128 = {{(128-XW){x_x[XW-1]}}, x_x};
      always @(posedge clk) begin
        if (ce) s6_st <= m_even && |(x128 & zn_lowmask({{(7-SHW){1'b0}}, sh}));
      end
    end else begin : g_st0
      always @(posedge clk) begin
        if (ce) s6_st <= 1'b0;
      end
    end

    // ---- stage 7: q = rnd ? (t + inc) >>> 1 : t, saturated to [-2^32, 2^32]; inc = 1 (half up,
    // gemmlowp), sticky | t[1] (ties to even: a tie rounds up only to an even q) ----
    wire inc = m_even ? (s6_st | s6_t[1]) : 1'b1;
    wire [XW:0] t1 = {s6_t[XW-1], s6_t} + {{XW{1'b0}}, inc};
    wire [XW:0] qf = s6_rnd ? {t1[XW], t1[XW:1]} : {s6_t[XW-1], s6_t};
    wire [QSW-1:0] qs;
    if (XW + 1 > 34) begin : g_sat
      wire [XW:0] lim_hi = {{(XW-32){1'b0}}, 1'b1, 32'd0};          //  2^32
      wire [XW:0] lim_lo = {{(XW-32){1'b1}}, 1'b1, 32'd0};          // -2^32
      wire over  = !qf[XW] && (qf > lim_hi);
      wire under =  qf[XW] && ($signed(qf) < $signed(lim_lo));
      assign qs = over ? 34'h1_0000_0000 : under ? 34'h3_0000_0000 : qf[33:0];
    end else begin : g_nosat
      assign qs = qf;
    end
    reg [34:0] s7_q;
    always @(posedge clk) begin
      if (ce) s7_q <= {{(35-QSW){qs[QSW-1]}}, qs};
    end

    // ---- stage 8: zy + q ----
    reg [34:0] s8_v;
    always @(posedge clk) begin
      if (ce) s8_v <= s7_q + {{3{zero[31]}}, zero};
    end

    // ---- stage 9: clamp ----
    wire [34:0] lo35 = {{19{clamp_lo[15]}}, clamp_lo};
    wire [34:0] hi35 = {{19{clamp_hi[15]}}, clamp_hi};
    wire [34:0] y = ($signed(s8_v) < $signed(lo35)) ? lo35 :
                    ($signed(s8_v) > $signed(hi35)) ? hi35 : s8_v;
    wire [26:0] unused_y = y[34:8];
    always @(posedge clk) begin
      if (ce) res_data[r*8 +: 8] <= y[7:0];
    end
  end endgenerate

  // A piece product, sign-extended and shifted to its place, as a PW-bit term of p.
  function [PW-1:0] zn_place;
    input [42:0] x;
    input integer off;
    reg [127:0] t;
    begin
      t = {{85{x[42]}}, x};
      t = t << off;
      zn_place = t[PW-1:0];
    end
  endfunction

  // Bit length of a non-negative number (0 for 0): the index of its highest 1, plus one.
  function [7:0] zn_bitlen;
    input [127:0] x;
    integer b;
    begin
      zn_bitlen = 8'd0;
      for (b = 0; b < 128; b = b + 1) begin
        if (x[b]) zn_bitlen = b[7:0] + 8'd1;
      end
    end
  endfunction

  // Bits 0 .. n-1 set.
  function [127:0] zn_lowmask;
    input [6:0] n;
    begin
      zn_lowmask = ~({128{1'b1}} << n);
    end
  endfunction
endmodule

"""##),
        ("zn_requant_serial.v", ##"""
// zn_requant_serial: area-mode requantizer. The ports, parameters and parameter memory layout of
// zn_requant (a drop-in replacement; set_sel is tied to 0 then) plus NUM_SETS, but it works
// bit-serially, one lane after another, for a small fraction of the LUTs and no DSP48E1.
//
// NUM_SETS (default 1): the number of quantization settings (rounding, zero, clamp_lo,
// clamp_hi) on the inputs, set j at [j*3 +: 3] / [j*32 +: 32] / [j*16 +: 16]; the word uses set
// set_sel (< NUM_SETS, held while in_valid is high). zn_seq passes one set a layer: indexing
// {set_sel, bit} directly costs a few LUTs where a mux of whole words in front costs one a bit.
//
// Arithmetic: exactly the spec, as in zn_requant. Per channel o, with unbounded integers:
//   acc = bias_eff[o] + sum,  p = acc * M[o],
//   floor:     q = floor(p / 2^s)
//   half_up:   q = floor((p + 2^(s-1)) / 2^s) (s >= 1) = (p >>> s) + p[s-1]
//   half_even: q = (p >>> s) + p[s-1] & (sticky | p[s]), sticky = p bits 0 .. s-2 not all zero
//   gemmlowp:  s <= 31: half_up; s > 31: u = p + 2^30 (a serial incrementer from bit 30), then
//              q = (u >>> s) + u[s-1] & (sticky | !neg), sticky = u bits 31 .. s-2, neg = acc < 0
//              (t = u >>> 31 rounded by 2^(s-31) to nearest, ties away from zero)
//   y   = min(max(zy + q, lo), hi), output as its low 8 bits
// The rounding code per set: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp (ROUNDINGS: the modes
// built, bits 0-3; a code whose mode is not built computes floor). float32 is not built serially
// (ROUNDINGS bit 4 is a parameter error).
// Everything runs LSB first, one bit a cycle, on two's complement digits (sign extension of a
// finite operand gives every further digit, so no step ever wraps):
//   stage A: acc bit k = bias[min(k, BIAS_W-1)] + sum[min(k, SUM_W-1)] + carry (serial adder);
//   stage B: p bit k from a serial x parallel multiplier: t = R + (acc_k ? M : 0), p_k = t[0],
//            R = t >> 1 (R < 2^MULT_W: one MULT_W-bit adder on the carry chain); the operand
//            acc_k ? M : 0 is a register (cleared through its reset when acc_k is 0), so the
//            adder adds two registers, one LUT a bit;
//   stage C: the first s bits of p are dropped (bit s-1 starts the carry when rounding to nearest;
//            half_even and gemmlowp gate it at bit s with the sticky bit),
//            the rest are the bits of q; v = zy + q + carry is a serial adder (zy sign-extended
//            from 32 bits), its low 8 bits are kept, and two serial comparators decide v < lo and
//            v > hi (lo, hi sign-extended from 16 bits; the last bit is the sign).
// Each lane runs T = max(PW + 2, 96) bits of p, PW = ACC_W + MULT_W, ACC_W = max(BIAS_W, SUM_W) + 1:
// enough for every s = 0..63 (v = zy + q has at most max(PW - s, 32) + 1 significant bits, which
// are bits s .. s + that - 1 of the stream).
//
// Timing (fixed, independent of the data): the cycle it sees in_valid while idle it reads the
// word's parameters (2 cycles); each lane then takes T + 3 cycles (T bits, 2 pipeline stages, the
// write of its 8-bit code). The input word is accepted (in_ready high) in the cycle the last lane
// is written, D = LANES * (T + 3) + 1 cycles after the idle cycle that saw in_valid; the output
// word is offered the next cycle, when the block is idle again. So words are taken at most every
// LANES * (T + 3) + 2 cycles. A lane's code is written only when the output register is empty
// (out_valid low), so back-pressure just holds the block. in_data must stay stable while in_valid
// is high (AXI4-Stream): the block reads it before accepting it, and needs no input register.
module zn_requant_serial #(
  parameter integer LANES  = 1,
  parameter integer OUT    = 1,
  parameter integer SUM_W  = 20,
  parameter integer BIAS_W = 32,
  parameter integer MULT_W = 32,
  // zn_param_ram's RAM_STYLE for the parameters (0 synthesis' choice, 1 block, 2 distributed).
  // A lane's 71-bit words cost about 72 LUTs of LUTRAM (RAM32M) at any depth up to 32, or two
  // RAMB36 (true dual port, 36 bits a port) in block RAM; yosys picks LUTRAM up to ~32 words.
  parameter integer PARAM_RAM_STYLE = 0,
  // Quantization settings (round / zero / clamp) the block holds inputs for; set_sel picks the one a
  // word uses (zn_seq: one a layer). 1 (the dataflow designs): set_sel is unused.
  parameter integer NUM_SETS = 1,
  // The rounding modes built, a bit each: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp (float32,
  // bit 4, is not available serially). gemmlowp needs max(BIAS_W, SUM_W) <= 34 (acc's sign is read
  // from stage A when bit s >= 32 of p passes).
  parameter integer ROUNDINGS = 3
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [LANES*SUM_W-1:0] in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [LANES*8-1:0]    out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire [NUM_SETS*3-1:0] rounding,         // set j at [j*3 +: 3]: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp
  input  wire [NUM_SETS*32-1:0] zero,            // set j at [j*32 +: 32]
  input  wire [NUM_SETS*16-1:0] clamp_lo,        // set j at [j*16 +: 16]
  input  wire [NUM_SETS*16-1:0] clamp_hi,
  input  wire [((NUM_SETS > 1) ? $clog2(NUM_SETS) : 1)-1:0] set_sel,   // < NUM_SETS; held while in_valid
  input  wire                  cfg_req,
  input  wire                  cfg_we,
  input  wire [31:0]           cfg_addr,
  input  wire [31:0]           cfg_wdata,
  output wire                  cfg_ack,
  output wire [31:0]           cfg_rdata,
  output wire                  cfg_err,
  output wire [31:0]           cfg_next
);
`include "zn_func.vh"
  localparam integer DEPTH = OUT / LANES;
  localparam integer DW    = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam integer QW    = BIAS_W + MULT_W + 6;
  localparam integer ACC_W = ((BIAS_W > SUM_W) ? BIAS_W : SUM_W) + 1;
  localparam integer PW    = ACC_W + MULT_W;
  localparam integer T     = (PW + 2 > 96) ? PW + 2 : 96;        // p bits a lane
  localparam integer KW    = zn_idxw(T + 3);                      // k counts 0 .. T + 2
  localparam integer RW    = zn_idxw(LANES);
  localparam integer BIW   = zn_idxw(LANES * BIAS_W);
  localparam integer SIW   = zn_idxw(LANES * SUM_W);
  localparam [31:0]   K_LAST32 = T + 1;                          // stage C's last bit (the sign)
  localparam [31:0]   K_END32  = T + 2;                          // the lane's write cycle
  localparam [KW-1:0] K_LAST = K_LAST32[KW-1:0];
  localparam [KW-1:0] K_END  = K_END32[KW-1:0];

  localparam HAS_HE = ((ROUNDINGS / 4) % 2) != 0;
  localparam HAS_GM = ((ROUNDINGS / 8) % 2) != 0;
  generate if (LANES < 1 || OUT < 1 || OUT % LANES != 0 || SUM_W < 2 || BIAS_W < 2 || BIAS_W > 64 ||
               MULT_W < 1 || MULT_W > 32 || NUM_SETS < 1 || NUM_SETS > 65536 || ROUNDINGS < 1 || ROUNDINGS > 15 ||
               (HAS_GM && ACC_W > 35)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant_serial: LANES (%0d) must divide OUT (%0d); SUM_W (%0d) >= 2, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32, NUM_SETS (%0d) 1..65536, ROUNDINGS (%0d) 1..15 (no float32), gemmlowp: max(BIAS_W, SUM_W) <= 34",
           LANES, OUT, SUM_W, BIAS_W, MULT_W, NUM_SETS, ROUNDINGS);
`else
    zn_param_error__zn_requant_serial_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---------------- control ----------------
  localparam [1:0] S_IDLE = 2'd0, S_WAIT = 2'd1, S_RUN = 2'd2;
  reg [1:0]    state;
  reg [KW-1:0] k;                 // bit cycle of the current lane
  reg [RW-1:0] r;                 // current lane
  reg [DW-1:0] d;                 // word of the image
  reg [LANES*8-1:0] res;
  reg          res_valid;
  wire         at_end   = (k == K_END);        // k is 0 outside S_RUN
  wire         wr       = at_end && !res_valid;
  wire         last_r   = (r == LANES[RW-1:0] - 1'b1);
  wire         accept   = wr && last_r;
  wire         start    = (state == S_IDLE) && in_valid;
  assign in_ready  = accept;
  assign out_data  = res;
  assign out_valid = res_valid;

  always @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      res_valid <= 1'b0;
    end else begin
      if (res_valid && out_ready) res_valid <= 1'b0;
      case (state)
        S_IDLE: if (in_valid) state <= S_WAIT;
        S_WAIT: state <= S_RUN;
        default: begin
          if (accept) begin
            state <= S_IDLE;
            res_valid <= 1'b1;
          end
        end
      endcase
    end
  end
  // The counters return to zero through the flip-flops' synchronous reset and count with their
  // clock enable (no per-bit mux in front of the incrementer). k is 0 outside S_RUN.
  localparam integer DEPTH_M1 = DEPTH - 1;
  wire run = (state != S_IDLE) && (state != S_WAIT);
  always @(posedge clk) begin
    if (rst || state == S_WAIT || wr) k <= {KW{1'b0}};
    else if (run && !at_end)          k <= k + 1'b1;
    if (rst || state == S_WAIT || LANES == 1) r <= {RW{1'b0}};   // (one lane: constant 0)
    else if (wr && !last_r)           r <= r + 1'b1;
    if (rst || (accept && d == DEPTH_M1[DW-1:0])) d <= {DW{1'b0}};
    else if (accept)                              d <= d + 1'b1;
  end

  // ---------------- parameters: read at `start`, valid from S_RUN on (held until the next read) ----------------
  wire [LANES*QW-1:0] q_params;
  zn_param_ram #(.BANKS(LANES), .DEPTH(DEPTH), .WORD_W(QW), .RAM_STYLE(PARAM_RAM_STYLE)) u_params (
    .clk(clk), .rst(rst), .ce(1'b1), .rd_en(start), .rd_addr(d), .rd_data(q_params),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  wire [LANES*BIAS_W-1:0] all_bias;
  wire [LANES*MULT_W-1:0] all_m;
  wire [LANES*6-1:0]      all_s;
  genvar g;
  generate for (g = 0; g < LANES; g = g + 1) begin : g_lane
    assign all_bias[g*BIAS_W +: BIAS_W] = q_params[g*QW +: BIAS_W];
    assign all_m[g*MULT_W +: MULT_W]    = q_params[g*QW + BIAS_W +: MULT_W];
    assign all_s[g*6 +: 6]              = q_params[g*QW + BIAS_W + MULT_W +: 6];
  end endgenerate
  wire [MULT_W-1:0] m_r;
  wire [5:0]        s_r;
  generate if (LANES > 1) begin : g_sel
    assign m_r = all_m[r*MULT_W +: MULT_W];
    assign s_r = all_s[r*6 +: 6];
  end else begin : g_one
    assign m_r = all_m;
    assign s_r = all_s;
    wire unused_r = ^r;
  end endgenerate

  // ---------------- stage A (k = 0 .. T-1): acc bit k ----------------
  // Bit indexes saturate at the operand's top bit (sign extension).
  // Narrow indexes (a 32-bit variable index would synthesize as a shifter, not a mux); one lane:
  // a mux on the low bits of k, the sign beyond the top bit.
  wire [31:0] k32 = {{(32-KW){1'b0}}, k};
  wire b_bit, x_bit;
  generate if (LANES > 1) begin : g_ix
    wire [31:0] r32  = {{(32-RW){1'b0}}, r};
    wire [31:0] bi32 = ((k32 >= BIAS_W - 1) ? BIAS_W - 1 : k32) + BIAS_W * r32;
    wire [31:0] xi32 = ((k32 >= SUM_W - 1) ? SUM_W - 1 : k32) + SUM_W * r32;
    wire [BIW-1:0] bi = bi32[BIW-1:0];
    wire [SIW-1:0] xi = xi32[SIW-1:0];
    wire unused_ix = ^{bi32[31:BIW], xi32[31:SIW]};
    assign b_bit = all_bias[bi];
    assign x_bit = in_data[xi];
  end else begin : g_ix1
    // As the setting muxes below: 4:1 muxes on k[1:0] (the operand padded with its sign to a
    // multiple of 4), then the group; beyond the top bit the sign.
    localparam integer BG  = (BIAS_W + 3) / 4, SG = (SUM_W + 3) / 4;
    localparam integer BGW = zn_idxw(BG), SGW = zn_idxw(SG);
    wire [4*BG-1:0] bpad = {{(4*BG-BIAS_W){all_bias[BIAS_W-1]}}, all_bias};
    wire [4*SG-1:0] spad = {{(4*SG-SUM_W){in_data[SUM_W-1]}}, in_data};
    (* keep *) wire [BG-1:0] bq;
    (* keep *) wire [SG-1:0] sq;
    genvar e;
    for (e = 0; e < BG; e = e + 1) begin : g_bq
      wire [3:0] grp = bpad[4*e +: 4];
      assign bq[e] = grp[k[1:0]];
    end
    for (e = 0; e < SG; e = e + 1) begin : g_sq
      wire [3:0] grp = spad[4*e +: 4];
      assign sq[e] = grp[k[1:0]];
    end
    wire [BGW-1:0] bgi = k32[BGW+1:2];
    wire [SGW-1:0] sgi = k32[SGW+1:2];
    assign b_bit = (k32 >= BIAS_W) ? all_bias[BIAS_W-1] : bq[bgi];
    assign x_bit = (k32 >= SUM_W) ? in_data[SUM_W-1] : sq[sgi];
  end endgenerate
  // The acc bit is not kept itself: stage B's operand acc_k ? M : 0 is registered instead (mg, the
  // flip-flops' synchronous reset clears it), so the adder's inputs are two registers and it needs
  // one LUT a bit (an AND in front of the carry chain would be a second one).
  reg  ca;
  reg  [MULT_W-1:0] mg;
  wire ca_in = (k != {KW{1'b0}}) && ca;
  // (keep: one LUT drives the reset pins; without it logic optimization copies the acc bit's
  // logic into every flip-flop's data input)
  (* keep *) wire a_zero;   // the acc bit is 0 (no inverter after the XOR: a reset of positive polarity)
  assign a_zero = ~b_bit ^ x_bit ^ ca_in;
  always @(posedge clk) begin
    ca <= (b_bit & x_bit) | (b_bit & ca_in) | (x_bit & ca_in);
    if (a_zero) mg <= {MULT_W{1'b0}};
    else        mg <= m_r;
  end

  // ---------------- stage B (k = 1 .. T): p bit k-1 ----------------
  reg  [MULT_W-1:0] acc_r;    // R
  reg               p_bit;
  wire [MULT_W:0]   t = {1'b0, mg} + {1'b0, acc_r};
  always @(posedge clk) begin
    if (k == {KW{1'b0}}) acc_r <= {MULT_W{1'b0}};
    else acc_r <= t[MULT_W:1];
    p_bit <= t[0];
  end

  // ---------------- stage C (k = 2 .. T+1): p bit k-2 ----------------
  // c = i - s for p bit i: negative bits are dropped (c = -1 is bit s-1, the rounding bit), c >= 0
  // is q bit c. Set to -s-1 at k = 0, counted up from k = 1, so stage C sees i - s.
  reg  [7:0] c;
  reg        cv;          // carry of zy + q (+ the rounding bit)
  reg        lt, gt;      // v < lo, v > hi so far
  reg  [7:0] vlow;
  wire       c_on   = (k >= 2) && !at_end;
  wire       c_sign = (k == K_LAST);
  wire       low_on = c_on && (c[7:3] == 5'd0);   // q bits 0 .. 7: the code's bits
  wire       z_bit, lo_bit, hi_bit;
  wire [2:0] rc;          // the word's rounding code
  wire [7:0] code;
  // Modes: rnd = round to nearest (the bit s-1 starts the carry); at bit s the carry is gated:
  // half_even by sticky | q0, gemmlowp (s > 31) by sticky | !neg.
  wire       rnd   = (rc == 3'd1) || (HAS_HE && rc == 3'd2) || (HAS_GM && rc == 3'd3);
  wire       m_he  = HAS_HE && rc == 3'd2;
  wire       gm_hi = HAS_GM && rc == 3'd3 && s_r > 6'd31;
  // u = p + 2^30 for gemmlowp with s > 31 (p bit i at k = i + 2: bit 30 at k = 32), else p.
  wire       u_bit;
  wire       st_on;       // the bit counts into the sticky bit
  reg        st;          // sticky: a 1 among the dropped bits below s - 1
  wire       c_zero = (c == 8'd0);
  wire       gate;
  wire       cin    = c_zero ? cv & gate : cv;
  wire       v_bit  = u_bit ^ z_bit ^ cin;
  always @(posedge clk) begin
    if (k == {KW{1'b0}}) c <= {2'b11, ~s_r};
    else c <= c + 1'b1;                          // (wraps while a code waits at k = T + 2: unused then)
  end
  generate if (HAS_GM) begin : g_gm
    localparam [KW-1:0] K30 = 32;        // p bit 30
    localparam [KW-1:0] K31 = 33;        // p bit 31
    reg cg;                              // the incrementer's carry
    wire at30 = (k == K30);
    assign u_bit = p_bit ^ (at30 ? gm_hi : cg);
    always @(posedge clk) begin
      if (k == {KW{1'b0}}) cg <= 1'b0;
      else cg <= at30 ? (gm_hi & p_bit) : (cg & p_bit);
    end
    // acc's sign from stage A: at bit s (k = s + 2 >= 34 >= ACC_W - 1) stage A's bit is the sign.
    wire neg = !a_zero;
    assign st_on = !gm_hi || (k >= K31);
    assign gate  = m_he ? (st | u_bit) : gm_hi ? (st | !neg) : 1'b1;
  end else begin : g_gm0
    assign u_bit = p_bit;
    assign st_on = 1'b1;
    wire unused_gm = gm_hi;
    if (HAS_HE) begin : g_he
      assign gate = m_he ? (st | u_bit) : 1'b1;
    end else begin : g_he0
      assign gate = 1'b1;
      wire unused_he = m_he;
    end
  end endgenerate
  always @(posedge clk) begin
    if (k == {KW{1'b0}} || k == 1) st <= 1'b0;
    else if (c_on && c[7] && c != 8'hFF && st_on) st <= st | u_bit;
  end
  always @(posedge clk) begin
    if (k == {KW{1'b0}} || k == 1) begin
      cv <= 1'b0;
      lt <= 1'b0;
      gt <= 1'b0;
    end else if (c_on) begin
      if (c[7]) begin
        if (c == 8'hFF) cv <= rnd & u_bit;
      end else begin
        cv <= (u_bit & z_bit) | (u_bit & cin) | (z_bit & cin);
        if (v_bit != lo_bit) lt <= c_sign ? v_bit : !v_bit;
        if (v_bit != hi_bit) gt <= c_sign ? !v_bit : v_bit;
      end
    end
    if (low_on) vlow <= {v_bit, vlow[7:1]};
  end
  // The setting's bits, sign-extended: each set's bit by a mux on the bit index, then the set (not
  // a mux of the sets' words and then one of its bits). The muxes are built from 4:1 muxes on
  // c[1:0] (one LUT6 each; keep: left whole, logic optimization maps the plain trees worse); the
  // sign extension and the upper bits share the last LUT. With several sets the code's clamp bits
  // are taken from the lo / hi streams as they pass (8 flip-flops each) instead of a second set mux.
  wire [NUM_SETS-1:0] z_s, lo_s, hi_s;
  genvar h, e;
  generate for (h = 0; h < NUM_SETS; h = h + 1) begin : g_set
    wire [31:0] zw = zero[h*32 +: 32];
    wire [15:0] lw = clamp_lo[h*16 +: 16];
    wire [15:0] hw = clamp_hi[h*16 +: 16];
    (* keep *) wire [7:0] zq;
    (* keep *) wire [3:0] lq, hq;
    for (e = 0; e < 8; e = e + 1) begin : g_q8
      wire [3:0] zg = zw[4*e +: 4];
      assign zq[e] = zg[c[1:0]];
    end
    for (e = 0; e < 4; e = e + 1) begin : g_q4
      wire [3:0] lg = lw[4*e +: 4];
      wire [3:0] hg = hw[4*e +: 4];
      assign lq[e] = lg[c[1:0]];
      assign hq[e] = hg[c[1:0]];
    end
    assign z_s[h]  = (c[6:5] != 2'd0) ? zw[31] : zq[c[4:2]];
    assign lo_s[h] = (c[6:4] != 3'd0) ? lw[15] : lq[c[3:2]];
    assign hi_s[h] = (c[6:4] != 3'd0) ? hw[15] : hq[c[3:2]];
  end endgenerate
  generate if (NUM_SETS > 1) begin : g_sets
    (* keep *) wire z_k, lo_k, hi_k;
    assign z_k  = z_s[set_sel];
    assign lo_k = lo_s[set_sel];
    assign hi_k = hi_s[set_sel];
    reg  [7:0] lo_low, hi_low;
    assign z_bit  = z_k;
    assign lo_bit = lo_k;
    assign hi_bit = hi_k;
    assign rc     = rounding[set_sel*3 +: 3];
    always @(posedge clk) begin
      if (low_on) begin
        lo_low <= {lo_bit, lo_low[7:1]};
        hi_low <= {hi_bit, hi_low[7:1]};
      end
    end
    assign code = lt ? lo_low : gt ? hi_low : vlow;
  end else begin : g_set1
    assign z_bit  = z_s[0];
    assign lo_bit = lo_s[0];
    assign hi_bit = hi_s[0];
    assign rc     = rounding;
    assign code   = lt ? clamp_lo[7:0] : gt ? clamp_hi[7:0] : vlow;
    wire unused_sel = ^set_sel;
  end endgenerate

  // ---------------- result word ----------------
  generate if (LANES > 1) begin : g_res
    integer q;
    always @(posedge clk) begin
      for (q = 0; q < LANES; q = q + 1) begin
        if (wr && {{(32-RW){1'b0}}, r} == q) res[q*8 +: 8] <= code;
      end
    end
  end else begin : g_res1
    always @(posedge clk) begin
      if (wr) res <= code;
    end
  end endgenerate

endmodule

"""##),
        ("zn_resize.v", ##"""
// zn_resize: stream width converter (gearbox) for images of N lanes.
//
// An image of N lanes (LANE_W bits each) enters as ceil(N/IN_LANES) words of IN_LANES lanes,
// lowest lane first; the last word may be partial (its lanes beyond N are ignored). It leaves as
// ceil(N/OUT_LANES) words of OUT_LANES lanes; lanes beyond N of a last, partial word are zero.
// Images follow each other without gaps. Three implementations, chosen at elaboration:
//   - SPLIT   (IN_LANES = k·OUT_LANES, every word full): one word register, read out part by part;
//   - COLLECT (OUT_LANES = k·IN_LANES, every input word full): fill a word, then hand it over
//     (a last, partial output word is handed over after its last input word, zero-filled);
//   - GENERAL: a lane buffer of OUT_LANES + 2·IN_LANES - 1 lanes; input lanes land at the fill
//     level, which is always a multiple of G = gcd of the word sizes, so each buffer lane muxes
//     only the few input lanes that can reach it.
// out_valid never depends on out_ready. in_ready depends on out_ready in SPLIT and COLLECT
// (allowed by AXI4-Stream; put a zn_skid in front where that path matters).
module zn_resize #(
  parameter integer LANE_W    = 8,
  parameter integer IN_LANES  = 8,
  parameter integer OUT_LANES = 8,
  parameter integer N         = 8
) (
  input  wire                          clk,
  input  wire                          rst,
  input  wire [IN_LANES*LANE_W-1:0]    in_data,
  input  wire                          in_valid,
  output wire                          in_ready,
  output wire [OUT_LANES*LANE_W-1:0]   out_data,
  output wire                          out_valid,
  input  wire                          out_ready
);
`include "zn_func.vh"
  localparam integer IN_WORDS  = (N + IN_LANES - 1) / IN_LANES;
  localparam integer IN_LAST   = N - (IN_WORDS - 1) * IN_LANES;
  localparam integer OUT_WORDS = (N + OUT_LANES - 1) / OUT_LANES;
  localparam integer OUT_LAST  = N - (OUT_WORDS - 1) * OUT_LANES;
  localparam [0:0] MODE_SPLIT   = (IN_LANES % OUT_LANES == 0) && (N % IN_LANES == 0);
  localparam [0:0] MODE_COLLECT = !MODE_SPLIT && (OUT_LANES % IN_LANES == 0) && (N % IN_LANES == 0);

  generate if (LANE_W < 1 || IN_LANES < 1 || OUT_LANES < 1 || N < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_resize: LANE_W (%0d), IN_LANES (%0d), OUT_LANES (%0d) and N (%0d) must be >= 1",
           LANE_W, IN_LANES, OUT_LANES, N);
`else
    zn_param_error__zn_resize_parameters_must_be_positive u_param_error();
`endif
  end endgenerate

  generate
  if (MODE_SPLIT) begin : g_split
    localparam integer RATIO = IN_LANES / OUT_LANES;
    localparam integer PW    = zn_idxw(RATIO);
    reg [IN_LANES*LANE_W-1:0] cur;
    reg                       cur_valid;
    reg [PW-1:0]              phase;
    wire last_phase = (phase == RATIO[PW-1:0] - 1'b1);
    wire pop  = cur_valid && out_ready;
    assign in_ready  = !cur_valid || (out_ready && last_phase);
    assign out_valid = cur_valid;
    wire push = in_valid && in_ready;
    always @(posedge clk) begin
      if (rst) begin
        cur_valid <= 1'b0;
        phase     <= {PW{1'b0}};
      end else if (push) begin
        cur_valid <= 1'b1;
        phase     <= {PW{1'b0}};
      end else if (pop) begin
        cur_valid <= !last_phase;
        phase     <= last_phase ? {PW{1'b0}} : phase + 1'b1;
      end
    end
    // The word register only loads; the part in flight is selected by phase (a RATIO:1 mux of
    // OUT_LANES lanes is cheaper than shifting every bit of the word).
    always @(posedge clk) begin
      if (push) cur <= in_data;
    end
    if (RATIO > 1) begin : g_sel
      assign out_data = cur[phase*(OUT_LANES*LANE_W) +: OUT_LANES*LANE_W];
    end else begin : g_pass
      assign out_data = cur;
      wire unused_phase = ^phase;
    end
  end else if (MODE_COLLECT) begin : g_collect
    localparam integer RATIO = OUT_LANES / IN_LANES;
    localparam integer PW    = zn_idxw(RATIO);
    localparam integer IW    = IN_LANES * LANE_W;
    localparam integer LS    = OUT_LAST / IN_LANES;   // input words of the last output word
    reg [OUT_LANES*LANE_W-1:0] outr;
    reg                        outr_valid;
    reg [PW-1:0]               phase;
    wire word_last;                                   // collecting the image's last output word
    wire [PW-1:0] last_slot = word_last ? LS[PW-1:0] - 1'b1 : RATIO[PW-1:0] - 1'b1;
    wire last_phase = (phase == last_slot);
    wire pop = outr_valid && out_ready;
    assign in_ready  = !last_phase || !outr_valid || out_ready;
    assign out_valid = outr_valid;
    assign out_data  = outr;
    wire push = in_valid && in_ready;
    wire hand = push && last_phase;                   // the word is complete: hand it over
    if (LS < RATIO) begin : g_partial
      // The last output word holds LS input words; its lanes beyond N are zero.
      localparam integer OXW = zn_idxw(OUT_WORDS);
      reg [OXW-1:0] ow;
      assign word_last = (ow == OUT_WORDS[OXW-1:0] - 1'b1);
      always @(posedge clk) begin
        if (rst) ow <= {OXW{1'b0}};
        else if (hand) ow <= word_last ? {OXW{1'b0}} : ow + 1'b1;
      end
    end else begin : g_full
      assign word_last = 1'b0;
    end
    reg [(RATIO-1)*IW-1:0] acc;
    genvar g;
    for (g = 0; g < RATIO - 1; g = g + 1) begin : g_slot
      always @(posedge clk) begin
        if (push && phase == g) acc[g*IW +: IW] <= in_data;
      end
      if (g == LS - 1 && LS < RATIO) begin : g_end
        // The last input word of a last output word lands here directly.
        always @(posedge clk) begin
          if (hand) outr[g*IW +: IW] <= word_last ? in_data : acc[g*IW +: IW];
        end
      end else if (g >= LS) begin : g_masked
        always @(posedge clk) begin
          if (hand && word_last) outr[g*IW +: IW] <= {IW{1'b0}};
          else if (hand)         outr[g*IW +: IW] <= acc[g*IW +: IW];
        end
      end else begin : g_copy
        always @(posedge clk) begin
          if (hand) outr[g*IW +: IW] <= acc[g*IW +: IW];
        end
      end
    end
    if (LS < RATIO) begin : g_top_masked
      always @(posedge clk) begin
        if (hand && word_last) outr[(RATIO-1)*IW +: IW] <= {IW{1'b0}};
        else if (hand)         outr[(RATIO-1)*IW +: IW] <= in_data;
      end
    end else begin : g_top
      always @(posedge clk) begin
        if (hand) outr[(RATIO-1)*IW +: IW] <= in_data;
      end
    end
    always @(posedge clk) begin
      if (rst) begin
        outr_valid <= 1'b0;
        phase      <= {PW{1'b0}};
      end else begin
        if (push) phase <= last_phase ? {PW{1'b0}} : phase + 1'b1;
        if (hand) outr_valid <= 1'b1;
        else if (pop) outr_valid <= 1'b0;
      end
    end
  end else begin : g_general
    localparam integer G   = zn_gcd(zn_gcd(IN_LANES, OUT_LANES), zn_gcd(IN_LAST, OUT_LAST));
    localparam integer CAP = OUT_LANES + 2 * IN_LANES - 1;
    localparam integer CW  = zn_idxw(CAP + 1);
    localparam integer IXW = zn_idxw(IN_WORDS);
    localparam integer OXW = zn_idxw(OUT_WORDS);
    reg  [CAP*LANE_W-1:0] buffer;
    reg  [CW-1:0]         cnt;
    reg  [IXW-1:0]        in_idx;
    reg  [OXW-1:0]        out_idx;
    wire in_last  = (in_idx == IN_WORDS[IXW-1:0] - 1'b1);
    wire out_last = (out_idx == OUT_WORDS[OXW-1:0] - 1'b1);
    wire [CW-1:0] take   = out_last ? OUT_LAST[CW-1:0] : OUT_LANES[CW-1:0];
    wire [CW-1:0] push_n = in_last ? IN_LAST[CW-1:0] : IN_LANES[CW-1:0];
    assign out_valid = (cnt >= take);
    assign in_ready  = (cnt <= CAP[CW-1:0] - IN_LANES[CW-1:0]);
    wire pop  = out_valid && out_ready;
    wire push = in_valid && in_ready;
    wire pop_full = pop && !out_last;
    wire pop_last = pop && out_last;
    wire [CW-1:0] base = cnt - (pop ? take : {CW{1'b0}});

    genvar j;
    for (j = 0; j < OUT_LANES; j = j + 1) begin : g_out
      if (j < OUT_LAST) begin : g_always
        assign out_data[j*LANE_W +: LANE_W] = buffer[j*LANE_W +: LANE_W];
      end else begin : g_masked
        assign out_data[j*LANE_W +: LANE_W] = out_last ? {LANE_W{1'b0}} : buffer[j*LANE_W +: LANE_W];
      end
    end

    for (j = 0; j < CAP; j = j + 1) begin : g_lane
      // Input lanes that can land on buffer lane j: base = j - k, a multiple of G, base <= CAP - IN_LANES.
      reg [LANE_W-1:0] sel;
      reg              hit;
      integer          kk, bi;
      always @* begin
        sel = {LANE_W{1'b0}};
        hit = 1'b0;
        bi  = {{(32-CW){1'b0}}, base};
        for (kk = 0; kk < IN_LANES; kk = kk + 1) begin
          if (j - kk >= 0 && (j - kk) % G == 0 && j - kk <= CAP - IN_LANES && bi == j - kk) begin
            sel = in_data[kk*LANE_W +: LANE_W];
            hit = 1'b1;
          end
        end
      end
      wire [LANE_W-1:0] from_full;
      wire [LANE_W-1:0] from_last;
      if (j + OUT_LANES < CAP) begin : g_sf
        assign from_full = buffer[(j+OUT_LANES)*LANE_W +: LANE_W];
      end else begin : g_sf0
        assign from_full = {LANE_W{1'b0}};
      end
      if (j + OUT_LAST < CAP) begin : g_sl
        assign from_last = buffer[(j+OUT_LAST)*LANE_W +: LANE_W];
      end else begin : g_sl0
        assign from_last = {LANE_W{1'b0}};
      end
      always @(posedge clk) begin
        if (push && hit)   buffer[j*LANE_W +: LANE_W] <= sel;
        else if (pop_full) buffer[j*LANE_W +: LANE_W] <= from_full;
        else if (pop_last) buffer[j*LANE_W +: LANE_W] <= from_last;
      end
    end

    always @(posedge clk) begin
      if (rst) begin
        cnt     <= {CW{1'b0}};
        in_idx  <= {IXW{1'b0}};
        out_idx <= {OXW{1'b0}};
      end else begin
        cnt <= base + (push ? push_n : {CW{1'b0}});
        if (push) in_idx  <= in_last  ? {IXW{1'b0}} : in_idx + 1'b1;
        if (pop)  out_idx <= out_last ? {OXW{1'b0}} : out_idx + 1'b1;
      end
    end
  end
  endgenerate
endmodule

"""##),
        ("zn_seq.v", ##"""
// zn_seq: the sequential ("layer-folded") engine, the smallest point of the folding curve. ONE
// multiply-accumulate and ONE zn_requant_serial are shared by all NUM_LAYERS dense layers; the
// whole network is computed one output after another.
//
// Arithmetic: exactly the spec, as zn_mvau + zn_requant_serial compute it. Layer l, output o:
//   sum = sum_i w[o,i] * x_i  (w int8; x_i the input code read as int8 if L_IN_SIGNED[l] else uint8),
// then zn_requant_serial with channel o's bias_eff / M / s and layer l's l_round / l_zero / l_clamp
// ({clamp_hi, clamp_lo} at [l*32 +: 32]): the requantizer gets every layer's (NUM_SETS =
// NUM_LAYERS) and the layer of the sum it holds (set_sel = hold_l), no layer mux here. Layer l's
// codes are layer l+1's input codes. SUM_W (at least every layer's proven sum width; checked) is
// the accumulator and the requantizer's sum width.
//
// Memories:
//  - weights: ONE zn_param_ram (BANKS 1, DEPTH sum_l IN_l*OUT_l, WORD_W 8), the layers back to
//    back (layer l at WBASE_l = sum_{j<l} IN_j*OUT_j, w[o,i] at WBASE_l + o*IN_l + i), so the MAC
//    walks one address counter through the whole network;
//  - quantization: the zn_param_ram inside ONE zn_requant_serial #(LANES 1, OUT sum_l OUT_l): its
//    word counter walks the channels of all layers in order (layer l's channel o at QBASE_l + o);
//  - activations: a double-buffered input memory (2 halves of 2^clog2(IN_0) codes, written by the
//    in stream) and, for NUM_LAYERS > 1, a ping-pong memory of 2 halves for the codes between
//    layers (layer l < L-1 writes half l mod 2, layer l >= 1 reads half (l-1) mod 2); block RAM.
//    Each memory's output register is zero unless the issuing layer reads that memory (the block
//    RAM's output reset), and the DSP48E1's pre-adder adds the two: the code operand needs no mux.
//
// Parameter window (cfg_*): answers and stored contents are those of NUM_LAYERS x 2 separate
// zn_param_ram memories, kind 0 of layer l = (BANKS 1, DEPTH IN_l*OUT_l, WORD_W 8), kind 1 =
// (BANKS 1, DEPTH OUT_l, WORD_W BIAS_W+MULT_W+6): an address adapter checks the address against the
// layer's geometry, forwards valid requests to the pool at base + depth, and answers invalid ones
// itself (err, rdata 0); cfg_next is computed from the layer's geometry exactly as zn_param_ram does
// (next valid chunk, or address + 1 outside the memory): an address is in range iff it is at most
// the memory's last address (and its chunk field is a valid chunk); on that last address cfg_next
// is the memory's size 2^(address bits), otherwise address + 1 with the chunk field forced to ones
// on a last chunk (a carry chain, no per-bit LUT). Every request is answered exactly four
// cycles after it (one cfg_ack cycle; the answer outputs are zero otherwise). The request fields
// must hold until the answer (zn_axil_regs holds them). One difference from separate memories:
// the quant pool has ONE staging register for the chunks below a word's last one, so a word whose
// chunks are interleaved with chunk writes of ANOTHER layer's quant memory (the register map says
// to write a word's chunks in order) commits the other layer's staged chunks.
//
// Schedule (fixed, independent of the data; D = the requantizer's accept delay, T + 4,
// PipelineTiming.serialRequantAcceptDelay with one lane; word cycles D + 1):
//  - input: code k of an image is written to the free input half; in_ready is high exactly while
//    the half being filled is not full (a half is full from the cycle after its last code is
//    accepted until the cycle after layer 0 issued its last read of it).
//  - MAC: one weight x code product a cycle ("issue"), outputs in order, a layer's outputs one after
//    another. Output w's elements 0 .. IN-2 issue back to back from s_w; its last element issues
//    at e_w = max(s_w + IN - 1, a_{w-1} + 1), a_{w-1} the cycle the requantizer accepted the
//    previous output (the holding register is free); the next output starts at s_{w+1} = e_w + 1.
//    The sum is in the holding register (the requantizer's input) from e_w + 5; the requantizer
//    accepts it at a_w = e_w + 5 + D and offers the code at a_w + 1 (out_valid for the last layer;
//    otherwise stored into the ping-pong memory in that cycle).
//  - layer l+1 (same image) starts at a + 2, a the accept of layer l's last output. Layer 0 of an
//    image starts at max(e + 1, F), e the last issue of the previous image, F the cycle after the
//    image's last input code was accepted.
// So a layer costs about (OUT - 1) * max(IN, D + 6) + IN + D + 6 cycles.
module zn_seq #(
  parameter integer NUM_LAYERS = 2,
  parameter [NUM_LAYERS*32-1:0] L_IN  = {32'd3, 32'd4},
  parameter [NUM_LAYERS*32-1:0] L_OUT = {32'd2, 32'd3},
  parameter [NUM_LAYERS-1:0]    L_IN_SIGNED = {NUM_LAYERS{1'b1}},
  parameter integer SUM_W  = 32,
  parameter integer BIAS_W = 33,
  parameter integer MULT_W = 32,
  // The rounding modes the requantizer builds (zn_requant_serial's ROUNDINGS: floor, half_up,
  // half_even, gemmlowp; bits 0-3); l_round is layer l's code at [l*3 +: 3].
  parameter integer ROUNDINGS = 3
) (
  input  wire                    clk,
  input  wire                    rst,
  input  wire [7:0]              in_data,
  input  wire                    in_valid,
  output wire                    in_ready,
  output wire [7:0]              out_data,
  output wire                    out_valid,
  input  wire                    out_ready,
  input  wire [NUM_LAYERS*3-1:0] l_round,
  input  wire [NUM_LAYERS*32-1:0] l_zero,
  input  wire [NUM_LAYERS*32-1:0] l_clamp,
  input  wire                    cfg_req,
  input  wire                    cfg_we,
  input  wire [15:0]             cfg_layer,
  input  wire                    cfg_kind,
  input  wire [31:0]             cfg_addr,
  input  wire [31:0]             cfg_wdata,
  output wire                    cfg_ack,
  output wire [31:0]             cfg_rdata,
  output wire                    cfg_err,
  output reg  [31:0]             cfg_next
);
`include "zn_func.vh"
  localparam integer L = NUM_LAYERS;

  // ---------------- elaboration-time geometry ----------------
  function integer f_in;  input integer j; f_in  = L_IN[j*32 +: 32];  endfunction
  function integer f_out; input integer j; f_out = L_OUT[j*32 +: 32]; endfunction
  function integer f_wbase;   // weights before layer n
    input integer n;
    integer j;
    begin
      f_wbase = 0;
      for (j = 0; j < n; j = j + 1) f_wbase = f_wbase + f_in(j) * f_out(j);
    end
  endfunction
  function integer f_qbase;   // channels before layer n
    input integer n;
    integer j;
    begin
      f_qbase = 0;
      for (j = 0; j < n; j = j + 1) f_qbase = f_qbase + f_out(j);
    end
  endfunction
  function integer f_maxin;
    input integer first;
    integer j;
    begin
      f_maxin = 1;
      for (j = first; j < L; j = j + 1) if (f_in(j) > f_maxin) f_maxin = f_in(j);
    end
  endfunction
  function integer f_maxout;
    input integer dummy;
    integer j;
    begin
      f_maxout = 1 + 0 * dummy;
      for (j = 0; j < L; j = j + 1) if (f_out(j) > f_maxout) f_maxout = f_out(j);
    end
  endfunction
  // 1 when bit n is set in some layer's window size (2^(address bits) of its weight or quant memory).
  function integer f_powbit;
    input integer n;
    integer j, cbits, wb, qb;
    begin
      cbits = ((BIAS_W + MULT_W + 6 + 31) / 32 > 1) ? $clog2((BIAS_W + MULT_W + 6 + 31) / 32) : 0;
      f_powbit = 0;
      for (j = 0; j < L; j = j + 1) begin
        wb = (f_in(j) * f_out(j) > 1) ? $clog2(f_in(j) * f_out(j)) : 0;
        qb = ((f_out(j) > 1) ? $clog2(f_out(j)) : 0) + cbits;
        if (n == wb || n == qb) f_powbit = 1;
      end
    end
  endfunction
  // a <= k for a constant k, as plain gates from the least significant bit up (logic optimization
  // folds it into a few LUTs; a comparator would be mapped to carry-lookahead LUTs).
  function f_le;
    input [31:0] a;
    input [31:0] k;
    integer n;
    begin
      f_le = 1'b1;
      for (n = 0; n < 32; n = n + 1) f_le = k[n] ? (!a[n] || f_le) : (!a[n] && f_le);
    end
  endfunction
  // 1 when the parameters are bad: a count below 1 or above 2^24, a broken chain, more than 2^30
  // weights, SUM_W below a layer's proven sum width (the zn_mvau bound), widths out of range.
  function integer f_bad;
    input integer dummy;
    integer j;
    reg signed [63:0] tmin, tmax;
    reg [63:0] wsum;
    begin
      wsum = 64'd0;
      f_bad = (L < 1 || SUM_W < 2 || SUM_W > 64 || BIAS_W < 2 || BIAS_W > 64 || MULT_W < 1 || MULT_W > 32) ? 1 : 0 * dummy;
      for (j = 0; j < L; j = j + 1) begin
        if (f_in(j) < 1 || f_out(j) < 1 || f_in(j) > 16777216 || f_out(j) > 16777216) f_bad = 1;
        else begin
          tmin = L_IN_SIGNED[j] ? -64'sd16256 : -64'sd32640;
          tmax = L_IN_SIGNED[j] ?  64'sd16384 :  64'sd32385;
          if (SUM_W < zn_sbits(tmin * f_in(j), tmax * f_in(j))) f_bad = 1;
        end
        if (j >= 1) begin
          if (f_in(j) != f_out(j - 1)) f_bad = 1;
        end
        wsum = wsum + f_in(j) * f_out(j);
        if (wsum > 64'd1073741824) f_bad = 1;   // the weight pool's addresses fit 30 bits
      end
    end
  endfunction

  generate if (f_bad(0) != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_seq: NUM_LAYERS (%0d) >= 1, L_IN/L_OUT counts 1..2^24 chained (L_IN[i+1] == L_OUT[i]), at most 2^30 weights, SUM_W (%0d) 2..64 and >= every layer's proven sum width, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32",
           NUM_LAYERS, SUM_W, BIAS_W, MULT_W);
`else
    zn_param_error__zn_seq_bad_parameters u_param_error();
`endif
  end endgenerate

  localparam integer IN0    = f_in(0);
  localparam integer WTOT   = f_wbase(L);
  localparam integer QTOT   = f_qbase(L);
  localparam integer MAXIN  = f_maxin(0);
  localparam integer MAXMID = (L > 1) ? f_maxin(1) : 1;   // codes between layers
  localparam integer MAXOUT = f_maxout(0);
  localparam integer QW     = BIAS_W + MULT_W + 6;
  localparam integer CHUNKS = (QW + 31) / 32;
  localparam integer CB     = (CHUNKS > 1) ? $clog2(CHUNKS) : 0;
  localparam integer WAW    = (WTOT > 1) ? $clog2(WTOT) : 1;   // the weight pool's address width
  localparam integer LW     = zn_idxw(L);
  localparam integer IW     = zn_idxw(MAXIN);
  localparam integer OW     = zn_idxw(MAXOUT);
  localparam integer XW     = zn_idxw(IN0);                   // input half address
  localparam integer MW     = zn_idxw(MAXMID);                // ping-pong half address
  localparam integer ACC_W  = ((SUM_W > 17) ? SUM_W : 17) + 1;

  // ---------------- per-layer constants picked by a layer index ----------------
  // The counters compare with each layer's constants; the issuing / storing layer picks a flag.
  reg [IW-1:0]  ii;           // input of the issuing output
  reg [OW-1:0]  oo;           // output of the issuing layer
  reg [OW-1:0]  st_o;         // output of the storing layer
  wire [L-1:0]  k_i_last, k_o_last, k_st_last;
  genvar g;
  generate for (g = 0; g < L; g = g + 1) begin : g_k
    localparam integer IM1 = f_in(g) - 1;
    localparam integer OM1 = f_out(g) - 1;
    assign k_i_last[g]  = (ii == IM1[IW-1:0]);
    assign k_o_last[g]  = (oo == OM1[OW-1:0]);
    assign k_st_last[g] = (st_o == OM1[OW-1:0]);
  end endgenerate
  reg          i_last, o_last, st_o_last;
  reg          iss_signed;
  reg [LW-1:0] iss_l, st_l, hold_l;
  integer j;
  always @* begin
    i_last = k_i_last[0];
    o_last = k_o_last[0];
    iss_signed = L_IN_SIGNED[0];
    st_o_last = k_st_last[0];
    for (j = 1; j < L; j = j + 1) begin
      if ({{(32-LW){1'b0}}, iss_l} == j) begin
        i_last     = k_i_last[j];
        o_last     = k_o_last[j];
        iss_signed = L_IN_SIGNED[j];
      end
      if ({{(32-LW){1'b0}}, st_l} == j) st_o_last = k_st_last[j];
    end
  end
  localparam integer L_M1 = L - 1;
  localparam [LW-1:0] L_LAST = L_M1[LW-1:0];

  // ---------------- input: double-buffered input codes ----------------
  reg [XW-1:0] wi;            // next code of the half being filled
  reg          whalf, rhalf;  // half being filled / read by layer 0
  reg [1:0]    full;
  localparam integer IN0_M1I = IN0 - 1;
  localparam [XW-1:0] IN0_M1 = IN0_M1I[XW-1:0];
  assign in_ready = !full[whalf];
  wire in_take = in_valid && in_ready;
  (* ram_style = "block" *) reg [7:0] in_mem [0:(2 << XW)-1];
  always @(posedge clk) begin
    if (in_take) in_mem[{whalf, wi}] <= in_data;
  end

  // ---------------- issue: one weight x code a cycle ----------------
  reg [WAW-1:0] wa;
  reg           wait_store;   // layer iss_l >= 1 waits until the previous layer's codes are stored
  reg           nf;           // the next issue is an output's first element (ii == 0)
  reg           p1_v, p1_f, p1_l, p1_s;   // stage 1: issued, first / last element, signed
  reg           p2_v, p2_f, p2_l;
  reg           p3_v, p3_f, p3_l, p4_l;
  reg [LW-1:0]  p1_lay, p2_lay, p3_lay, p4_lay;
  reg           hold_valid;
  wire          rq_accept;
  wire          l_last = (iss_l == L_LAST);
  wire          pending = hold_valid || p1_l || p2_l || p3_l || p4_l;
  wire          can = (iss_l == {LW{1'b0}}) ? full[rhalf] : !wait_store;
  wire          go = can && !(i_last && pending);
  wire          lay_end = go && i_last && o_last;
  wire          st_take;
  wire          st_lay_end;

  always @(posedge clk) begin
    if (rst) begin
      iss_l <= {LW{1'b0}};
      wait_store <= 1'b0;
      whalf <= 1'b0;
      rhalf <= 1'b0;
      full <= 2'b00;
    end else begin
      if (in_take && wi == IN0_M1) whalf <= !whalf;
      // full[h]: set by the last code of the half, cleared by layer 0's last read of it (never both).
      full[0] <= (full[0] || (in_take && wi == IN0_M1 && !whalf)) &&
                 !(lay_end && iss_l == {LW{1'b0}} && !rhalf);
      full[1] <= (full[1] || (in_take && wi == IN0_M1 && whalf)) &&
                 !(lay_end && iss_l == {LW{1'b0}} && rhalf);
      if (lay_end) begin
        iss_l <= l_last ? {LW{1'b0}} : iss_l + 1'b1;
        if (iss_l == {LW{1'b0}}) rhalf <= !rhalf;
      end
      // Set at a non-last layer's last issue; cleared when its last code is stored (>= 6 cycles later).
      if (lay_end && !l_last) wait_store <= 1'b1;
      else if (st_lay_end) wait_store <= 1'b0;
    end
  end

  // The counters wrap to zero through the flip-flops' synchronous reset (one reset term a counter,
  // no per-bit clear mux in front of the incrementer).
  always @(posedge clk) begin
    if (rst || (in_take && wi == IN0_M1)) wi <= {XW{1'b0}};
    else if (in_take)                     wi <= wi + 1'b1;
    if (rst || (go && i_last && o_last && l_last)) wa <= {WAW{1'b0}};
    else if (go)                                   wa <= wa + 1'b1;
    if (rst || (go && i_last)) ii <= {IW{1'b0}};
    else if (go)               ii <= ii + 1'b1;
    if (rst || (go && i_last && o_last)) oo <= {OW{1'b0}};
    else if (go && i_last)               oo <= oo + 1'b1;
  end

  // weights: read at issue, rd_data two cycles later
  wire [7:0] w_q;
  wire       w_cfg_ack, w_cfg_err;
  wire [31:0] w_cfg_rdata, w_cfg_next;
  reg         w_cfg_req, q_cfg_req;
  zn_param_ram #(.BANKS(1), .DEPTH(WTOT), .WORD_W(8), .RAM_STYLE(1)) u_weights (   // block RAM even when small: LUTs count here
    .clk(clk), .rst(rst), .ce(1'b1), .rd_en(go), .rd_addr(wa), .rd_data(w_q),
    .cfg_req(w_cfg_req), .cfg_we(cfg_we), .cfg_addr({{(32-WAW){1'b0}}, c_waddr}), .cfg_wdata(cfg_wdata),
    .cfg_ack(w_cfg_ack), .cfg_rdata(w_cfg_rdata), .cfg_err(w_cfg_err), .cfg_next(w_cfg_next));

  // codes: read at issue from the input half (layer 0) or the ping-pong half (layer >= 1)
  reg  [7:0] x_in_q;
  wire [7:0] x_mid_q;
  // Each memory's output register is zero unless the issuing layer reads that memory (the block
  // RAM's output reset), so the code is the SUM of the two, formed in the DSP's pre-adder.
  wire rd_in = (iss_l == {LW{1'b0}});
  always @(posedge clk) begin
    if (!rd_in) x_in_q <= 8'd0;
    else        x_in_q <= in_mem[{rhalf, ii[XW-1:0]}];
  end

  // ---------------- pipeline: stage 1 codes, stage 2 product, stage 3 accumulate, stage 4 the sum ----------------
  reg        [8:0]       x2;
  reg signed [16:0]      pr;
  reg        [ACC_W-1:0] acc;
  reg        [SUM_W-1:0] hold;
  wire       [ACC_W-1:0] acc_next = (p3_f ? {ACC_W{1'b0}} : acc) + {{(ACC_W-17){pr[16]}}, pr};
  always @(posedge clk) begin
    if (rst) begin
      p1_v <= 1'b0; p2_v <= 1'b0; p3_v <= 1'b0;
      p1_l <= 1'b0; p2_l <= 1'b0; p3_l <= 1'b0; p4_l <= 1'b0;
      hold_valid <= 1'b0;
      nf <= 1'b1;
      // (the delay lines below are reset only so that they stay flip-flops, not SRL16 LUTs)
      p1_f <= 1'b0; p2_f <= 1'b0; p3_f <= 1'b0;
      p1_lay <= {LW{1'b0}}; p2_lay <= {LW{1'b0}}; p3_lay <= {LW{1'b0}}; p4_lay <= {LW{1'b0}};
    end else begin
      if (go) nf <= i_last;
      p1_f   <= nf;
      p2_f   <= p1_f;
      p3_f   <= p2_f;
      p1_lay <= iss_l;
      p2_lay <= p1_lay;
      p3_lay <= p2_lay;
      p4_lay <= p3_lay;
      p1_v <= go;
      p1_l <= go && i_last;
      p2_v <= p1_v;
      p2_l <= p1_l;
      p3_v <= p2_v;
      p3_l <= p2_l;
      p4_l <= p3_l;
      if (p4_l) hold_valid <= 1'b1;
      else if (rq_accept) hold_valid <= 1'b0;
    end
    p1_s   <= iss_signed;
    x2     <= {L_IN_SIGNED[0] & x_in_q[7], x_in_q} + {p1_s & x_mid_q[7], x_mid_q};
    pr     <= $signed(w_q) * $signed(x2);
    if (p3_v) acc <= acc_next;      // the multiply-accumulate packs into one DSP48E1 (M and P registers)
    if (p4_l) begin
      hold   <= acc[SUM_W-1:0];
      hold_l <= p4_lay;
    end
  end
  wire unused_acc = ^acc[ACC_W-1:SUM_W];

  // ---------------- the requantizer (holds the quant pool) ----------------
  wire [7:0] rq_out;
  wire       rq_out_valid, rq_out_ready;
  wire       q_cfg_ack, q_cfg_err;
  wire [31:0] q_cfg_rdata, q_cfg_next;
  // The quant pool in block RAM at any depth: a small one would otherwise be ~72 LUTs of RAM32M
  // (the smallest design counts LUTs; block RAM is plentiful there). Every layer's round / zero /
  // clamp goes in (NUM_SETS = L); hold_l, held with the sum, picks the layer's: the requantizer
  // indexes {layer, bit} directly instead of a mux of whole words here.
  wire [L*16-1:0] rq_lo, rq_hi;
  generate for (g = 0; g < L; g = g + 1) begin : g_clamp
    assign rq_lo[g*16 +: 16] = l_clamp[g*32 +: 16];
    assign rq_hi[g*16 +: 16] = l_clamp[g*32 + 16 +: 16];
  end endgenerate
  zn_requant_serial #(.LANES(1), .OUT(QTOT), .SUM_W(SUM_W), .BIAS_W(BIAS_W), .MULT_W(MULT_W),
                      .PARAM_RAM_STYLE(1), .NUM_SETS(L), .ROUNDINGS(ROUNDINGS)) u_requant (
    .clk(clk), .rst(rst), .in_data(hold), .in_valid(hold_valid), .in_ready(rq_accept),
    .out_data(rq_out), .out_valid(rq_out_valid), .out_ready(rq_out_ready),
    .rounding(l_round), .zero(l_zero), .clamp_lo(rq_lo), .clamp_hi(rq_hi), .set_sel(hold_l),
    .cfg_req(q_cfg_req), .cfg_we(cfg_we), .cfg_addr({{(32-QAW){1'b0}}, c_qaddr}), .cfg_wdata(cfg_wdata),
    .cfg_ack(q_cfg_ack), .cfg_rdata(q_cfg_rdata), .cfg_err(q_cfg_err), .cfg_next(q_cfg_next));

  // ---------------- store: the codes of a non-last layer go to the ping-pong memory ----------------
  wire st_is_last = (st_l == L_LAST);
  assign rq_out_ready = !st_is_last || out_ready;
  assign out_valid    = rq_out_valid && st_is_last;
  assign out_data     = rq_out;
  assign st_take      = rq_out_valid && rq_out_ready;
  assign st_lay_end   = st_take && st_o_last && !st_is_last;
  always @(posedge clk) begin
    if (rst) st_l <= {LW{1'b0}};
    else if (st_take && st_o_last) st_l <= st_is_last ? {LW{1'b0}} : st_l + 1'b1;
    if (rst || (st_take && st_o_last)) st_o <= {OW{1'b0}};
    else if (st_take)                  st_o <= st_o + 1'b1;
  end
  generate if (L > 1) begin : g_mid
    (* ram_style = "block" *) reg [7:0] mid_mem [0:(2 << MW)-1];
    reg [7:0] mid_q;
    always @(posedge clk) begin
      if (st_take && !st_is_last) mid_mem[{st_l[0], st_o[MW-1:0]}] <= rq_out;
      if (rd_in) mid_q <= 8'd0;
      else       mid_q <= mid_mem[{!iss_l[0], ii[MW-1:0]}];
    end
    assign x_mid_q = mid_q;
    if (OW > MW) begin : g_st_hi
      wire unused_st = ^st_o[OW-1:MW];
    end
  end else begin : g_nomid
    assign x_mid_q = 8'd0;
  end endgenerate

  // ---------------- parameter window: per-layer geometry on the two pools ----------------
  // Decode (combinational on the held request fields): ok, last chunk, last chunk of the last depth,
  // the depth mask, and the pool address.
  localparam [31:0] CMASK = (32'd1 << CB) - 32'd1;
  localparam integer QDBP = (QTOT > 1) ? $clog2(QTOT) : 0;
  localparam integer QAW  = (QDBP + CB > 0) ? QDBP + CB : 1;   // the quant pool's used address bits
  localparam integer CHUNKS_M1 = CHUNKS - 1;
  localparam [31:0] CHUNK_MAX = CHUNKS_M1;
  wire [31:0]  c_chunk = cfg_addr & CMASK;
  wire         c_chunk_ok = f_le(c_chunk, CHUNK_MAX);
  wire         c_chunk_last = (c_chunk == CHUNK_MAX);
  // Only the layer index's low bits are decoded: cfg_layer < NUM_LAYERS is guaranteed.
  wire [LW-1:0] c_layer = cfg_layer[LW-1:0];
  generate if (LW < 16) begin : g_lay_hi
    wire unused_layer = ^cfg_layer[15:LW];
  end endgenerate
  // Per layer: in range, last chunk of the last depth, the depth mask of cfg_next (zn_param_ram's rules:
  // bits above the memory's field zero, a field at most its count - 1).
  wire [L-1:0]    d_ok, d_lcd;
  wire [L*32-1:0] d_pow;
  wire [L*WAW-1:0] d_wbase;
  wire [L*QAW-1:0] d_qbase;
  generate for (g = 0; g < L; g = g + 1) begin : g_dec
    localparam integer WD   = f_in(g) * f_out(g);
    localparam integer QD   = f_out(g);
    localparam integer WDB  = (WD > 1) ? $clog2(WD) : 0;
    localparam integer QDBL = (QD > 1) ? $clog2(QD) : 0;
    localparam [31:0] WMASK = (32'd1 << WDB) - 32'd1;
    localparam [31:0] QMASK = (32'd1 << (QDBL + CB)) - 32'd1;
    // The last valid address of each memory: an address is in range iff it is at most that (and,
    // for the quant memory, its chunk field is a valid chunk); it is the last chunk of the last depth
    // iff it equals it.
    localparam [31:0] WLIM = WD - 1;
    localparam [31:0] QLIM = ((QD - 1) << CB) | CHUNKS_M1;
    wire w_le = f_le(cfg_addr, WLIM);
    wire q_le = f_le(cfg_addr, QLIM);
    assign d_ok[g]  = cfg_kind ? (q_le && c_chunk_ok) : w_le;
    assign d_lcd[g] = cfg_kind ? (cfg_addr == QLIM) : (cfg_addr == WLIM);
    assign d_pow[g*32 +: 32] = cfg_kind ? QMASK + 32'd1 : WMASK + 32'd1;
    localparam integer WBI = f_wbase(g);
    localparam integer QBI = f_qbase(g) << CB;
    assign d_wbase[g*WAW +: WAW] = WBI[WAW-1:0];
    assign d_qbase[g*QAW +: QAW] = QBI[QAW-1:0];
  end endgenerate
  reg          c_ok, c_lcd;
  reg [31:0]   c_pow;
  reg [WAW-1:0] c_wbase;
  reg [QAW-1:0] c_qbase;
  integer k;
  always @* begin
    c_ok = d_ok[0];
    c_lcd = d_lcd[0];
    c_pow = d_pow[31:0];
    c_wbase = {WAW{1'b0}};
    c_qbase = {QAW{1'b0}};
    for (k = 1; k < L; k = k + 1) begin
      if ({{(32-LW){1'b0}}, c_layer} == k) begin
        c_ok    = d_ok[k];
        c_lcd   = d_lcd[k];
        c_pow   = d_pow[k*32 +: 32];
        c_wbase = d_wbase[k*WAW +: WAW];
        c_qbase = d_qbase[k*QAW +: QAW];
      end
    end
  end
  wire c_lc = c_ok && (cfg_kind ? c_chunk_last : 1'b1);
  // Pool addresses (used only for requests in range): layer base + address.
  wire [WAW-1:0] c_waddr = cfg_addr[WAW-1:0] + c_wbase;
  wire [QAW-1:0] c_qaddr = cfg_addr[QAW-1:0] + c_qbase;
  always @* begin
    w_cfg_req  = cfg_req && c_ok && !cfg_kind;
    q_cfg_req  = cfg_req && c_ok && cfg_kind;
  end
  wire unused_cfg = ^{w_cfg_err, q_cfg_err, w_cfg_next, q_cfg_next, w_cfg_rdata[31:8]};
  // Answer pipeline: the pools answer valid requests four cycles later; an invalid one is answered
  // here (err). cfg_next from the held fields.
  reg r1, r2, r3, bad4;
  always @(posedge clk) begin
    if (rst) begin
      r1 <= 1'b0; r2 <= 1'b0; r3 <= 1'b0; bad4 <= 1'b0;
    end else begin
      r1 <= cfg_req;
      r2 <= r1;
      r3 <= r2;
      bad4 <= r3 && !c_ok;
    end
  end
  // cfg_next: on the last chunk of the last depth the memory's size, 2^(its address bits) (c_pow);
  // otherwise the address + 1 with the chunk field forced to all ones on a last chunk. A bit that
  // is zero in every layer's size is cleared through the flip-flop's synchronous reset.
  reg lcd3;   // c_lcd one cycle later (the fields are held until the answer)
  always @(posedge clk) lcd3 <= c_lcd;
  wire [31:0] c_inc = (cfg_addr | ({32{c_lc && cfg_kind}} & CMASK)) + 32'd1;
  generate for (g = 0; g < 32; g = g + 1) begin : g_next
    if (f_powbit(g) != 0) begin : g_p
      always @(posedge clk) begin
        if (rst || !r3) cfg_next[g] <= 1'b0;
        else            cfg_next[g] <= lcd3 ? c_pow[g] : c_inc[g];
      end
    end else begin : g_i
      wire unused_pow = c_pow[g];   // zero in every layer's size
      always @(posedge clk) begin
        if (rst || !r3 || lcd3) cfg_next[g] <= 1'b0;
        else                     cfg_next[g] <= c_inc[g];
      end
    end
  end endgenerate
  assign cfg_ack   = w_cfg_ack | q_cfg_ack | bad4;
  assign cfg_err   = bad4;
  // The weight pool's chunk is its 8-bit word zero-extended (zn_param_ram pads a word to its chunk
  // with zeros): only its low 8 bits are ORed.
  assign cfg_rdata = {q_cfg_rdata[31:8], q_cfg_rdata[7:0] | w_cfg_rdata[7:0]};
endmodule

"""##),
        ("zn_skid.v", ##"""
// zn_skid: two-entry register slice (skid buffer). Registers data, valid and ready, so it
// breaks every combinational path between its two sides at full throughput.
module zn_skid #(
  parameter integer W = 8
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] in_data,
  input  wire         in_valid,
  output wire         in_ready,
  output wire [W-1:0] out_data,
  output wire         out_valid,
  input  wire         out_ready
);
  generate if (W < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_skid: W (%0d) must be >= 1", W);
`else
    zn_param_error__zn_skid_W_must_be_positive u_param_error();
`endif
  end endgenerate

  reg [W-1:0] main_data, skid_data;
  reg         main_valid, skid_valid;

  assign in_ready  = !skid_valid;
  assign out_valid = main_valid;
  assign out_data  = main_data;

  wire push = in_valid && !skid_valid;
  wire pop  = main_valid && out_ready;

  always @(posedge clk) begin
    if (rst) begin
      main_valid <= 1'b0;
      skid_valid <= 1'b0;
    end else begin
      if (pop || !main_valid) begin
        // The main register is free this cycle: refill it from the skid register, else the input.
        main_valid <= skid_valid || push;
        skid_valid <= 1'b0;
      end else if (push) begin
        skid_valid <= 1'b1;
      end
    end
  end

  always @(posedge clk) begin
    if (pop || !main_valid) begin
      main_data <= skid_valid ? skid_data : in_data;
    end else if (push) begin
      skid_data <= in_data;
    end
  end
endmodule

"""##),
        ("zn_swu.v", ##"""
// zn_swu: sliding-window unit of a conv2d layer (format 2: [H, W, C] tensors, channels last).
//
// Input: images of H x W pixels, each pixel C codes as CB = C/SIMD words of SIMD codes (code c
// in byte c mod SIMD of word c/SIMD), pixels in raster order. Output: for every output position
// (oy, ox) in raster order (HO = (H+PT+PB-KH)/SH + 1 rows, WO likewise), its patch as
// KH*KW*CB words in (a, b, cb) order: word (a, b, cb) holds codes cb*SIMD .. cb*SIMD+SIMD-1 of
// input pixel (oy*SH + a - PT, ox*SW + b - PL), or SIMD copies of `zero` (the input zero point,
// a runtime input) where that pixel lies in the padding. That is the patch flattened as
// (kh, kw, c), the order of an OHWI weight row, so zn_mvau with IN = KH*KW*C and the same
// SIMD takes it as its input vector: zn_mvau double-buffers the vector and re-reads it for each
// of its OUT/PE folds itself, so every patch is streamed exactly once.
//
// Line buffer: R = min(KH, H) + SH rows of W*CB words in one simple-dual-port memory
// (ram_style "block" when RAM_BLOCK = 1, else synthesis chooses), a ring over the input rows.
// `dcnt` = rows written - first row the current output row needs (lo). The writer takes a word
// while dcnt < R (so it never overwrites a row at or after lo); the reader issues output row oy
// while dcnt >= the number of its window rows inside the image (it waits for whole rows). So
// the writer fills the next SH rows while the reader works on the current window.
//
// Timing (full rate: input offered every cycle, output always ready): a word issued at cycle t
// (one issue a cycle while its rows are written) is handed over at cycle t + 2 (block-RAM read
// register, output skid buffer); `WindowTiming` in ZynqNetHW models it cycle by cycle.
// Back-pressure: the read pipeline advances while the output skid buffer can take a word;
// in_ready and out_valid are registered-state functions (no combinational path in -> out).
module zn_swu #(
  parameter integer H         = 4,
  parameter integer W         = 4,
  parameter integer C         = 1,
  parameter integer KH        = 3,
  parameter integer KW        = 3,
  parameter integer SH        = 1,
  parameter integer SW        = 1,
  parameter integer PT        = 0,
  parameter integer PL        = 0,
  parameter integer PB        = 0,
  parameter integer PR        = 0,
  parameter integer SIMD      = 1,
  parameter integer RAM_BLOCK = 1
) (
  input  wire              clk,
  input  wire              rst,
  input  wire [7:0]        zero,
  input  wire [SIMD*8-1:0] in_data,
  input  wire              in_valid,
  output wire              in_ready,
  output wire [SIMD*8-1:0] out_data,
  output wire              out_valid,
  input  wire              out_ready
);
`include "zn_func.vh"
  // Safe divisors so that a bad parameter set reaches the g_param_error check below.
  localparam integer SIMD_S = (SIMD < 1) ? 1 : SIMD;
  localparam integer SH_S   = (SH < 1) ? 1 : SH;
  localparam integer SW_S   = (SW < 1) ? 1 : SW;
  localparam integer CB     = C / SIMD_S;
  localparam integer HO     = (H + PT + PB - KH) / SH_S + 1;
  localparam integer WO     = (W + PL + PR - KW) / SW_S + 1;
  localparam integer KHE    = (KH < H) ? KH : H;
  localparam integer R      = KHE + SH_S;
  localparam integer WB     = W * CB;
  localparam integer DEPTH  = R * WB;
  localparam integer AW     = zn_idxw(DEPTH);
  localparam integer CW     = 3 + zn_idxw(H + W + KH + KW + PT + PL + PB + PR + SH_S + SW_S + R + 4);
  localparam integer XW     = AW + CW;
  // First window row (clamped to [0, H]) of the last output row, and the ring step at an image's end.
  localparam integer LO_RAW  = (HO - 1) * SH_S - PT;
  localparam integer LO_LAST = (LO_RAW < 0) ? 0 : (LO_RAW > H) ? H : LO_RAW;
  localparam integer DEND    = (H - LO_LAST) % R;

  generate if (H < 1 || W < 1 || C < 1 || KH < 1 || KW < 1 || SH < 1 || SW < 1 || SIMD < 1 ||
               PT < 0 || PL < 0 || PB < 0 || PR < 0 || C % SIMD_S != 0 ||
               H + PT + PB < KH || W + PL + PR < KW || RAM_BLOCK < 0 || RAM_BLOCK > 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_swu: need H, W, C, KH, KW, SH, SW, SIMD >= 1, paddings >= 0, SIMD (%0d) dividing C (%0d), the padded image (%0dx%0d) at least the kernel (%0dx%0d), RAM_BLOCK 0/1",
           SIMD, C, H + PT + PB, W + PL + PR, KH, KW);
`else
    zn_param_error__zn_swu_bad_shape_or_SIMD_not_dividing_C u_param_error();
`endif
  end endgenerate

  localparam signed [CW-1:0] K_ONE  = 1;
  localparam signed [CW-1:0] K_ZERO = 0;
  localparam signed [CW-1:0] K_H    = H[CW-1:0];
  localparam signed [CW-1:0] K_W    = W[CW-1:0];
  localparam signed [CW-1:0] K_R    = R[CW-1:0];
  localparam signed [CW-1:0] K_SH   = SH_S[CW-1:0];
  localparam signed [CW-1:0] K_SW   = SW_S[CW-1:0];
  localparam signed [CW-1:0] K_KH1  = KH[CW-1:0] - 1'b1;
  localparam signed [CW-1:0] K_NPT  = K_ZERO - PT[CW-1:0];
  localparam signed [CW-1:0] K_NPL  = K_ZERO - PL[CW-1:0];
  localparam signed [CW-1:0] K_DEND = DEND[CW-1:0];

  // ---------------- output skid buffer and read-pipeline enable ----------------
  reg  [SIMD*8-1:0] q;
  reg               v1, pad1;
  wire              ce;
  zn_skid #(.W(SIMD*8)) u_out (
    .clk(clk), .rst(rst), .in_data(pad1 ? {SIMD{zero}} : q), .in_valid(v1 && ce), .in_ready(ce),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));

  // ---------------- writer: a ring of R rows ----------------
  reg signed [CW-1:0] dcnt;
  reg [AW-1:0]        waddr;
  reg [CW-1:0]        wx;
  assign in_ready = (dcnt < K_R);
  wire in_fire   = in_valid && in_ready;
  wire wrow_done = in_fire && (wx == WB[CW-1:0] - 1'b1);

  // ---------------- reader ----------------
  reg signed [CW-1:0] oy, ox, ka, kb, cb, yb, xb, lo_y, lo_slot;
  wire signed [CW-1:0] y  = yb + ka;
  wire signed [CW-1:0] x  = xb + kb;
  wire pad = (y < K_ZERO) || (y >= K_H) || (x < K_ZERO) || (x >= K_W);
  wire signed [CW-1:0] hi_raw = yb + K_KH1;
  wire signed [CW-1:0] hi     = (hi_raw > K_H - K_ONE) ? K_H - K_ONE : hi_raw;
  wire signed [CW-1:0] need   = hi - lo_y + K_ONE;
  wire issue = ce && (dcnt >= need);
  wire cb_last = (cb == CB[CW-1:0] - 1'b1);
  wire kb_last = (kb == KW[CW-1:0] - 1'b1);
  wire ka_last = (ka == KH[CW-1:0] - 1'b1);
  wire ox_last = (ox == WO[CW-1:0] - 1'b1);
  wire oy_last = (oy == HO[CW-1:0] - 1'b1);
  wire pix_done = issue && cb_last && kb_last && ka_last;
  wire row_done = pix_done && ox_last;
  wire img_done = row_done && oy_last;
  // The next output row's first window row, clamped to [0, H], and the ring step to it.
  wire signed [CW-1:0] yb_n   = yb + K_SH;
  wire signed [CW-1:0] lo_n   = (yb_n < K_ZERO) ? K_ZERO : (yb_n > K_H) ? K_H : yb_n;
  wire signed [CW-1:0] step   = img_done ? K_H - lo_y : lo_n - lo_y;
  wire signed [CW-1:0] sstep  = img_done ? K_DEND : lo_n - lo_y;
  wire signed [CW-1:0] slot_s = lo_slot + sstep;
  wire signed [CW-1:0] slot_n = (slot_s >= K_R) ? slot_s - K_R : slot_s;
  // Read address: ring slot of row y, then column x, then channel word cb.
  wire signed [CW-1:0] rsum = lo_slot + (y - lo_y);
  wire signed [CW-1:0] rs   = (rsum >= K_R) ? rsum - K_R : rsum;
  wire [XW-1:0] raddr_x = {{AW{1'b0}}, rs} * WB[XW-1:0] + {{AW{1'b0}}, x} * CB[XW-1:0] + {{AW{1'b0}}, cb};
  wire [AW-1:0] raddr = raddr_x[AW-1:0];
  wire [XW-AW-1:0] unused_raddr_hi = raddr_x[XW-1:AW];

  always @(posedge clk) begin
    if (rst) begin
      dcnt    <= K_ZERO;
      waddr   <= {AW{1'b0}};
      wx      <= {CW{1'b0}};
      oy      <= K_ZERO;
      ox      <= K_ZERO;
      ka      <= K_ZERO;
      kb      <= K_ZERO;
      cb      <= K_ZERO;
      yb      <= K_NPT;
      xb      <= K_NPL;
      lo_y    <= K_ZERO;
      lo_slot <= K_ZERO;
    end else begin
      if (in_fire) begin
        waddr <= (waddr == DEPTH[AW-1:0] - 1'b1) ? {AW{1'b0}} : waddr + 1'b1;
        wx    <= wrow_done ? {CW{1'b0}} : wx + 1'b1;
      end
      dcnt <= dcnt + (wrow_done ? K_ONE : K_ZERO) - (row_done ? step : K_ZERO);
      if (issue) begin
        cb <= cb_last ? K_ZERO : cb + K_ONE;
        if (cb_last) begin
          kb <= kb_last ? K_ZERO : kb + K_ONE;
          if (kb_last) begin
            ka <= ka_last ? K_ZERO : ka + K_ONE;
            if (ka_last) begin
              ox <= ox_last ? K_ZERO : ox + K_ONE;
              xb <= ox_last ? K_NPL : xb + K_SW;
              if (ox_last) begin
                oy      <= oy_last ? K_ZERO : oy + K_ONE;
                yb      <= oy_last ? K_NPT : yb_n;
                lo_y    <= oy_last ? K_ZERO : lo_n;
                lo_slot <= slot_n;
              end
            end
          end
        end
      end
    end
  end

  // ---------------- line buffer (1-cycle registered read) ----------------
  generate if (RAM_BLOCK != 0) begin : g_block
    (* ram_style = "block" *) reg [SIMD*8-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
      if (in_fire) mem[waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (issue) q <= mem[raddr];
    end
  end else begin : g_auto
    reg [SIMD*8-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
      if (in_fire) mem[waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (issue) q <= mem[raddr];
    end
  end endgenerate

  always @(posedge clk) begin
    if (ce) pad1 <= pad;
  end
  always @(posedge clk) begin
    if (rst) v1 <= 1'b0;
    else if (ce) v1 <= issue;
  end
endmodule

"""##),
    ]

    /// The Verilator C++ harness of `zynqnet verify`: (file name, text).
    public static let harness: [(String, String)] = [
        ("harness.cpp", ##"""
// Verilator co-simulation harness of the generated zynqnet_accel (used by `zynqnet verify`).
//
// Reads a job file (argv[1]), drives the design and writes a result file (argv[2]).
// Job file, one item a line, numbers in hex unless noted:
//   seed <dec> gap <dec%> stall <dec%> packet <dec> timing <dec> tlast_error <dec image or -1>
//   write <offset> <value>                     AXI-Lite writes, in order (the parameter image)
//   readback <param_sel> <count(dec)>          followed by <count> expected words, one a line
//   beats <dec beats per image> images <dec>   followed by images*beats input beats
// Result file:
//   magic/version/hash lines, readback_mismatches, images, then per output image:
//   out <beats...>   and a line "tlast <0|1>" for the last beat's TLAST,
//   then metrics: cycles, ii_cycles, latency_cycles, sim_seconds, status, counters.
// Streams: random TVALID gaps (gap %) and TREADY stalls (stall %) from `seed`, except for the
// timing phase, which re-sends the first `timing` images with no gaps and no stalls and measures
// the latency of the first of them (from its first input beat to its last output beat) and the
// steady-state initiation interval between output images.
#include "Vzynqnet_accel.h"
#include "verilated.h"
#include "zn_regmap.h"  // generated from the register map beside this file
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

static_assert(ZN_BEAT_BYTES == sizeof(uint64_t), "the streams' beats are 64-bit words here");

namespace {

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
    uint64_t next() {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    bool percent(int p) { return (int)(next() % 100) < p; }
};

struct Beat {
    uint64_t data;
    bool last;
    long image;       // image index (stream order)
    bool first;       // first beat of its image
};

struct Sim {
    Vzynqnet_accel* top;
    uint64_t cycle = 0;
    Rng rng;
    int gap = 30, stall = 30;
    bool random_streams = true;
    // Input stream state.
    std::deque<Beat> in_q;
    bool in_valid = false;
    Beat in_cur{};
    // Output.
    std::vector<uint64_t> out_beats;
    std::vector<bool> out_last;
    std::vector<uint64_t> out_beat_cycle;
    std::vector<std::pair<long, uint64_t>> first_in_cycle;  // image, cycle of first beat handshake
    bool protocol_error = false;
    std::string protocol_msg;
    bool m_prev_stalled = false;
    uint64_t m_prev_data = 0;
    bool m_prev_last = false;
    uint64_t reset_done = ~0ull;

    explicit Sim(uint64_t seed) : rng(seed) {
        top = new Vzynqnet_accel;
        top->aclk = 0;
        top->aresetn = 0;
        idle_axil();
        top->s_axis_tvalid = 0;
        top->s_axis_tdata = 0;
        top->s_axis_tkeep = ZN_BEAT_KEEP;
        top->s_axis_tlast = 0;
        top->m_axis_tready = 0;
        top->eval();
    }

    void idle_axil() {
        top->s_axil_awvalid = 0;
        top->s_axil_wvalid = 0;
        top->s_axil_bready = 0;
        top->s_axil_arvalid = 0;
        top->s_axil_rready = 0;
        top->s_axil_awprot = 0;
        top->s_axil_arprot = 0;
        top->s_axil_wstrb = 0xF;
    }

    // One clock cycle. Inputs must be set; returns after the rising edge.
    // The stream drivers run here: they set their signals before the edge and see the handshakes at it.
    void tick() {
        // Stream input driver: present a beat if none is pending.
        if (!in_valid && !in_q.empty() && (!random_streams || !rng.percent(gap))) {
            in_cur = in_q.front();
            in_q.pop_front();
            in_valid = true;
        }
        top->s_axis_tvalid = in_valid;
        top->s_axis_tdata = in_valid ? in_cur.data : 0xDEADBEEFDEADBEEFull;
        top->s_axis_tlast = in_valid && in_cur.last;
        top->s_axis_tkeep = ZN_BEAT_KEEP;
        top->m_axis_tready = random_streams ? !rng.percent(stall) : 1;
        top->aclk = 0;
        top->eval();
        // Sample the handshakes of this edge.
        // Before and during reset the outputs are not yet defined (real FFs start at 0): ignore them.
        bool live = top->aresetn && cycle >= reset_done;
        bool in_fire = live && top->s_axis_tvalid && top->s_axis_tready;
        bool out_fire = live && top->m_axis_tvalid && top->m_axis_tready;
        if (m_prev_stalled && (!top->m_axis_tvalid || top->m_axis_tdata != m_prev_data || (bool)top->m_axis_tlast != m_prev_last)) {
            protocol_error = true;
            protocol_msg = "m_axis: a stalled beat was dropped or changed at cycle " + std::to_string(cycle);
        }
        if (top->m_axis_tvalid && top->m_axis_tkeep != ZN_BEAT_KEEP) {
            protocol_error = true;
            protocol_msg = "m_axis: TKEEP is not all ones";
        }
        m_prev_stalled = live && top->m_axis_tvalid && !top->m_axis_tready;
        m_prev_data = top->m_axis_tdata;
        m_prev_last = top->m_axis_tlast;
        if (out_fire) {
            out_beats.push_back(top->m_axis_tdata);
            out_last.push_back(top->m_axis_tlast);
            out_beat_cycle.push_back(cycle);
        }
        top->aclk = 1;
        top->eval();
        if (in_fire) {
            if (in_cur.first) first_in_cycle.push_back({in_cur.image, cycle});
            in_valid = false;
        }
        cycle++;
    }

    void reset() {
        top->aresetn = 0;
        for (int i = 0; i < 16; i++) tick();
        top->aresetn = 1;
        reset_done = cycle;
        for (int i = 0; i < 4; i++) tick();
    }

    int rdelay() { return random_streams ? (int)(rng.next() % 3) : 0; }

    // AXI-Lite write: AW and W in random order and delays; B with a random delay.
    void write(uint32_t addr, uint32_t data) {
        int daw = rdelay(), dw = rdelay();
        bool aw_done = false, w_done = false, b_done = false;
        for (int guard = 0; !b_done; guard++) {
            if (guard > 1000) { protocol_error = true; protocol_msg = "AXI-Lite write timed out"; return; }
            top->s_axil_awvalid = !aw_done && daw <= 0;
            top->s_axil_awaddr = addr;
            top->s_axil_wvalid = !w_done && dw <= 0;
            top->s_axil_wdata = data;
            top->s_axil_bready = aw_done && w_done && !rng.percent(30);
            top->aclk = 0;
            top->eval();
            bool awf = top->s_axil_awvalid && top->s_axil_awready;
            bool wf = top->s_axil_wvalid && top->s_axil_wready;
            if (top->s_axil_bvalid && !(aw_done && w_done)) {
                protocol_error = true;
                protocol_msg = "AXI-Lite: BVALID before both AW and W handshakes";
            }
            bool bf = top->s_axil_bvalid && top->s_axil_bready;
            if (bf && top->s_axil_bresp != 0) { protocol_error = true; protocol_msg = "AXI-Lite: BRESP not OKAY"; }
            tick_axil_only();
            aw_done |= awf;
            w_done |= wf;
            b_done |= bf;
            daw--;
            dw--;
        }
        idle_axil();
    }

    uint32_t read(uint32_t addr) {
        int dar = rdelay();
        bool ar_done = false;
        uint32_t value = 0;
        for (int guard = 0;; guard++) {
            if (guard > 1000) { protocol_error = true; protocol_msg = "AXI-Lite read timed out"; return 0; }
            top->s_axil_arvalid = !ar_done && dar <= 0;
            top->s_axil_araddr = addr;
            top->s_axil_rready = ar_done && !rng.percent(30);
            top->aclk = 0;
            top->eval();
            bool arf = top->s_axil_arvalid && top->s_axil_arready;
            if (top->s_axil_rvalid && !ar_done) { protocol_error = true; protocol_msg = "AXI-Lite: RVALID before AR"; }
            bool rf = top->s_axil_rvalid && top->s_axil_rready;
            if (rf) value = top->s_axil_rdata;
            if (rf && top->s_axil_rresp != 0) { protocol_error = true; protocol_msg = "AXI-Lite: RRESP not OKAY"; }
            tick_axil_only();
            ar_done |= arf;
            dar--;
            if (rf) break;
        }
        idle_axil();
        return value;
    }

    // A cycle while only AXI-Lite signals move (streams idle).
    void tick_axil_only() {
        top->s_axis_tvalid = 0;
        top->m_axis_tready = 0;
        top->aclk = 0;
        top->eval();
        top->aclk = 1;
        top->eval();
        cycle++;
    }
};

bool read_words(FILE* f, std::vector<std::string>& words) {
    char buf[256];
    while (fscanf(f, "%255s", buf) == 1) words.emplace_back(buf);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    if (argc < 3) {
        fprintf(stderr, "usage: %s JOB RESULT\n", argv[0]);
        return 2;
    }
    FILE* jf = fopen(argv[1], "r");
    if (!jf) { fprintf(stderr, "cannot open %s\n", argv[1]); return 2; }
    std::vector<std::string> w;
    read_words(jf, w);
    fclose(jf);
    size_t p = 0;
    auto next = [&]() -> std::string { return p < w.size() ? w[p++] : std::string(); };
    auto hex = [&]() -> uint64_t { return strtoull(next().c_str(), nullptr, 16); };
    auto dec = [&]() -> long { return strtol(next().c_str(), nullptr, 10); };

    uint64_t seed = 1;
    int gap = 30, stall = 30, timing = 4;
    long packet = 1, tlast_error = -1;
    std::vector<std::pair<uint32_t, uint32_t>> writes;
    struct RB { uint32_t sel; std::vector<uint32_t> words; };
    std::vector<RB> readbacks;
    long beats_per_image = 0, images = 0;
    std::vector<uint64_t> beats;
    while (p < w.size()) {
        std::string k = next();
        if (k == "seed") seed = dec();
        else if (k == "gap") gap = dec();
        else if (k == "stall") stall = dec();
        else if (k == "packet") packet = dec();
        else if (k == "timing") timing = dec();
        else if (k == "tlast_error") tlast_error = dec();
        else if (k == "write") { uint32_t a = hex(); uint32_t v = hex(); writes.push_back({a, v}); }
        else if (k == "readback") {
            RB rb; rb.sel = hex(); long n = dec();
            for (long i = 0; i < n; i++) rb.words.push_back(hex());
            readbacks.push_back(rb);
        } else if (k == "beats") {
            beats_per_image = dec();
            if (next() != "images") { fprintf(stderr, "job: expected 'images'\n"); return 2; }
            images = dec();
            for (long i = 0; i < beats_per_image * images; i++) beats.push_back(hex());
        } else { fprintf(stderr, "job: unknown item '%s'\n", k.c_str()); return 2; }
    }

    Sim sim(seed);
    sim.gap = gap;
    sim.stall = stall;
    auto t0 = std::chrono::steady_clock::now();
    sim.reset();
    FILE* rf = fopen(argv[2], "w");
    if (!rf) { fprintf(stderr, "cannot write %s\n", argv[2]); return 2; }
    fprintf(rf, "magic %08x\n", sim.read(ZN_REG_MAGIC));
    fprintf(rf, "version %08x\n", sim.read(ZN_REG_VERSION));
    uint32_t hlo = sim.read(ZN_REG_TOPOLOGY_HASH_LO), hhi = sim.read(ZN_REG_TOPOLOGY_HASH_HI);
    fprintf(rf, "hash %08x%08x\n", hhi, hlo);
    for (auto& wr : writes) sim.write(wr.first, wr.second);
    long mism = 0;
    for (auto& rb : readbacks) {
        sim.write(ZN_REG_PARAM_SEL, rb.sel);
        for (size_t i = 0; i < rb.words.size(); i++) {
            uint32_t got = sim.read(ZN_REG_PARAM_DATA);
            if (got != rb.words[i]) {
                if (mism < 10) fprintf(rf, "readback_mismatch sel %x word %zu got %08x expected %08x\n", rb.sel, i, got, rb.words[i]);
                mism++;
            }
        }
    }
    fprintf(rf, "readback_mismatches %ld\n", mism);
    sim.write(ZN_REG_OUT_PACKET_IMAGES, (uint32_t)packet);
    sim.write(ZN_REG_CONTROL, ZN_CONTROL_START_MASK);

    // Phase 1: every image under random gaps and stalls.
    long total_images = images + (images > 0 ? std::min<long>(timing, images) : 0);
    long out_per_image = 0;
    uint64_t design_ii = 0;  // II_CYCLES: the cycle guards allow for slow (deeply folded) designs
    {
        uint32_t classes = sim.read(ZN_REG_OUTPUT_COUNT);
        out_per_image = 1 + (classes + ZN_OR_VALUES_PER_BEAT - 1) / ZN_OR_VALUES_PER_BEAT;
        design_ii = sim.read(ZN_REG_II_CYCLES);
    }
    for (long i = 0; i < images; i++)
        for (long b = 0; b < beats_per_image; b++) {
            bool last = b == beats_per_image - 1;
            if (i == tlast_error && b == 0 && beats_per_image > 1) last = true;  // early TLAST
            sim.in_q.push_back({beats[i * beats_per_image + b], last, i, b == 0});
        }
    sim.random_streams = true;
    uint64_t guard = sim.cycle + 200000 + (uint64_t)images * ((beats_per_image + out_per_image) * 200 + 4 * design_ii);
    while ((long)sim.out_beats.size() < images * out_per_image && sim.cycle < guard && !sim.protocol_error) sim.tick();
    // Phase 2: timing, no gaps, no stalls.
    long ti = std::min<long>(timing, images);
    size_t out_before = sim.out_beats.size();
    size_t first_before = sim.first_in_cycle.size();
    for (int i = 0; i < 64; i++) sim.tick();  // drain, idle
    sim.random_streams = false;
    for (long i = 0; i < ti; i++)
        for (long b = 0; b < beats_per_image; b++)
            sim.in_q.push_back({beats[i * beats_per_image + b], b == beats_per_image - 1, images + i, b == 0});
    guard = sim.cycle + 200000 + (uint64_t)ti * ((beats_per_image + out_per_image) * 200 + 4 * design_ii);
    while ((long)sim.out_beats.size() < total_images * out_per_image && sim.cycle < guard && !sim.protocol_error) sim.tick();
    for (int i = 0; i < 16; i++) sim.tick();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    long got_images = (long)sim.out_beats.size() / out_per_image;
    fprintf(rf, "images %ld\n", got_images);
    for (long i = 0; i < got_images; i++) {
        fprintf(rf, "out");
        for (long b = 0; b < out_per_image; b++) fprintf(rf, " %016" PRIx64, sim.out_beats[i * out_per_image + b]);
        fprintf(rf, "\n");
        long lb = i * out_per_image + out_per_image - 1;
        bool any_inner_last = false;
        for (long b = 0; b < out_per_image - 1; b++) any_inner_last |= sim.out_last[i * out_per_image + b];
        fprintf(rf, "tlast %d%s\n", (int)sim.out_last[lb], any_inner_last ? " inner" : "");
    }
    // Timing metrics.
    long latency = -1, ii = -1;
    if (ti > 0 && sim.out_beats.size() >= out_before + (size_t)(ti * out_per_image) && sim.first_in_cycle.size() > first_before) {
        uint64_t first_in = sim.first_in_cycle[first_before].second;
        uint64_t last_out = sim.out_beat_cycle[out_before + out_per_image - 1];
        latency = (long)(last_out - first_in + 1);
        if (ti >= 3) {
            // Steady state: between the ends of the second and the last timing images.
            uint64_t a = sim.out_beat_cycle[out_before + 2 * out_per_image - 1];
            uint64_t b = sim.out_beat_cycle[out_before + ti * out_per_image - 1];
            ii = (long)((b - a) / (uint64_t)(ti - 2));
        }
    }
    uint32_t status = sim.read(ZN_REG_STATUS);
    fprintf(rf, "status %08x\n", status);
    fprintf(rf, "images_in %u\n", sim.read(ZN_REG_IMAGES_IN));
    fprintf(rf, "images_out %u\n", sim.read(ZN_REG_IMAGES_OUT));
    fprintf(rf, "in_flight %u\n", sim.read(ZN_REG_IN_FLIGHT));
    fprintf(rf, "latency_cycles %ld\n", latency);
    fprintf(rf, "ii_cycles %ld\n", ii);
    fprintf(rf, "cycles %" PRIu64 "\n", sim.cycle);
    fprintf(rf, "sim_seconds %.6f\n", secs);
    fprintf(rf, "protocol %s\n", sim.protocol_error ? sim.protocol_msg.c_str() : "ok");
    fclose(rf);
    sim.top->final();
    delete sim.top;
    return 0;
}

"""##),
    ]
}
