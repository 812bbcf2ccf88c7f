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
