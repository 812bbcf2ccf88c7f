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
// Pipeline: product register, adder trees (zn_addtree), a final register; latency
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

  generate if (PE < 1 || SIMD < 1 || MUL_STYLE < 0 || MUL_STYLE > 2 || TAG_W < 1 ||
               (IN_SIGNED != 0 && IN_SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_dot: PE (%0d), SIMD (%0d), TAG_W (%0d) must be >= 1, MUL_STYLE (%0d) 0..2, IN_SIGNED (%0d) 0/1",
           PE, SIMD, TAG_W, MUL_STYLE, IN_SIGNED);
`else
    zn_param_error__zn_dot_bad_parameters u_param_error();
`endif
  end endgenerate

  // Activations as 9-bit signed values.
  wire [SIMD*9-1:0] x9;
  genvar s, p;
  generate for (s = 0; s < SIMD; s = s + 1) begin : g_x
    wire [7:0] xs = x[s*8 +: 8];
    assign x9[s*9 +: 9] = {(IN_SIGNED != 0) & xs[7], xs};
  end endgenerate

  // ---- product stage: leaves[p][s], 17 bits ----
  wire [PE*SIMD*17-1:0] leaves;
  wire [((PAIRS > 0) ? PAIRS : 1)*SIMD*2-1:0] corr_bits;   // P[15] of each packed product, as 2-bit values
  reg  [TAG_W-1:0]      tag_m;
  always @(posedge clk) begin
    if (ce) tag_m <= in_tag;
  end

  generate
    for (p = 0; p < PE; p = p + 1) begin : g_row
      if (p >= SINGLE_FROM) begin : g_plain
        for (s = 0; s < SIMD; s = s + 1) begin : g_lane
          wire [7:0]  wv  = w[(p*SIMD + s)*8 +: 8];
          wire signed [16:0] w17 = {{9{wv[7]}}, wv};
          wire signed [16:0] x17 = {{8{x9[s*9+8]}}, x9[s*9 +: 9]};
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
          assign leaves[(p*SIMD + s)*17 +: 17] = prod;
        end
      end
    end
    for (p = 0; p < PAIRS; p = p + 1) begin : g_pair
      for (s = 0; s < SIMD; s = s + 1) begin : g_lane
        wire [7:0]  w0  = w[((2*p)*SIMD + s)*8 +: 8];
        wire [7:0]  w1  = w[((2*p+1)*SIMD + s)*8 +: 8];
        wire [8:0]  hi9 = {w1[7], w1} - {8'd0, w0[7]};
        // |w1*2^16 + w0| < 2^24 and |x| < 2^8, so the product fits 33 signed bits.
        // Signed operands, so synthesis sees the 25x9 multiply behind the sign extension.
        wire signed [32:0] a33 = {{8{hi9[8]}}, hi9, {8{w0[7]}}, w0};   // w1*2^16 + w0 (25 bits), sign-extended
        wire signed [32:0] x33 = {{24{x9[s*9+8]}}, x9[s*9 +: 9]};
        reg  [32:0] prod;
        always @(posedge clk) begin
          if (ce) prod <= a33 * x33;
        end
        assign leaves[((2*p)*SIMD + s)*17 +: 17]   = {prod[15], prod[15:0]};
        assign leaves[((2*p+1)*SIMD + s)*17 +: 17] = prod[32:16];
        assign corr_bits[(p*SIMD + s)*2 +: 2]       = {1'b0, prod[15]};
      end
    end
  endgenerate

  // ---- adder trees ----
  wire [PE*DOT_W-1:0] tree_sum;
  wire [TAG_W-1:0]    tree_tag;
  zn_addtree #(.LANES(PE), .N(SIMD), .IN_W(17), .REG_EVERY(REG_EVERY), .TAG_W(TAG_W)) u_tree (
    .clk(clk), .ce(ce), .in_data(leaves), .in_tag(tag_m), .out_data(tree_sum), .out_tag(tree_tag));

  // ---- correction trees (packed rows 2q+1): sum of P[15] over the lanes ----
  wire [((PAIRS > 0) ? PAIRS : 1)*(2+TW)-1:0] corr_sum;
  generate if (PAIRS > 0) begin : g_corr
    wire [TAG_W-1:0] unused_corr_tag;
    zn_addtree #(.LANES(PAIRS), .N(SIMD), .IN_W(2), .REG_EVERY(REG_EVERY), .TAG_W(TAG_W)) u_corr (
      .clk(clk), .ce(ce), .in_data(corr_bits), .in_tag(tag_m), .out_data(corr_sum), .out_tag(unused_corr_tag));
  end else begin : g_nocorr
    assign corr_bits = {(SIMD*2){1'b0}};
    assign corr_sum  = {(2+TW){1'b0}};
    wire unused_corr = ^{corr_bits, corr_sum};
  end endgenerate

  // ---- final register ----
  reg [PE*DOT_W-1:0] sum_q;
  reg [TAG_W-1:0]    tag_q;
  generate for (p = 0; p < PE; p = p + 1) begin : g_out
    wire [DOT_W-1:0] t = tree_sum[p*DOT_W +: DOT_W];
    if (p < 2 * PAIRS && p % 2 == 1) begin : g_fix
      wire [DOT_W-1:0] c = {{(DOT_W-2-TW){1'b0}}, corr_sum[(p/2)*(2+TW) +: 2+TW]};
      always @(posedge clk) begin
        if (ce) sum_q[p*DOT_W +: DOT_W] <= t + c;
      end
    end else begin : g_as_is
      always @(posedge clk) begin
        if (ce) sum_q[p*DOT_W +: DOT_W] <= t;
      end
    end
  end endgenerate
  always @(posedge clk) begin
    if (ce) tag_q <= tree_tag;
  end
  assign out_sum = sum_q;
  assign out_tag = tag_q;
endmodule
