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
