// zn_sig24: x rounded to 24 significant bits, ties to even (format 2's float32 rounding on
// integers), as y * 2^e: e = max(0, bitlen - 24) with bitlen that of x XOR its sign (one less
// than |x|'s for a power of two, which any grid up to it holds exactly), y = x / 2^e to nearest,
// ties to even, by t = x >>> (e - 1), sticky = x bits below e - 1, y = (t + (sticky | t[1])) >>> 1
// (|y| <= 2^24). With en low, or at most 24 significant bits: y = x, e = 0. Also d = base - e
// (9-bit two's complement, base taken with x). Three stages, clock enable ce (zn_requant's F1-F3
// and F4-F6).
module zn_sig24 #(
  parameter integer W = 34
) (
  input  wire         clk,
  input  wire         ce,
  input  wire         en,
  input  wire [W-1:0] x,
  input  wire [8:0]   base,
  output reg  [W-1:0] y,
  output reg  [6:0]   e,
  output reg  [8:0]   d
);
`include "zn_func.vh"
  generate if (W < 2 || W > 127) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_sig24: W (%0d) 2..127", W);
`else
    zn_param_error__zn_sig24_bad_parameters u_param_error();
`endif
  end endgenerate

  // Stage 1: e.
  wire [7:0] n = zn_bitlen({{(128-W){1'b0}}, x ^ {W{x[W-1]}}});
  reg [W-1:0] x1;
  reg [6:0]   e1;
  reg [8:0]   b1;
  always @(posedge clk) begin
    if (ce) begin
      x1 <= x;
      e1 <= (en && n > 8'd24) ? n[6:0] - 7'd24 : 7'd0;
      b1 <= base;
    end
  end
  // Stage 2: t = x >>> (e - 1), sticky.
  wire [6:0]   sh  = (e1 != 7'd0) ? e1 - 7'd1 : 7'd0;
  wire [127:0] x128 = {{(128-W){x1[W-1]}}, x1};
  reg [W-1:0] t2;
  reg         st2, r2;
  reg [6:0]   e2;
  reg [8:0]   b2;
  always @(posedge clk) begin
    if (ce) begin
      t2  <= $signed(x1) >>> sh;
      st2 <= |(x128 & zn_lowmask(sh));
      r2  <= (e1 != 7'd0);
      e2  <= e1;
      b2  <= b1;
    end
  end
  // Stage 3: y = (t + (sticky | t[1])) >>> 1 (fits: e >= 1 needs W >= 26).
  wire [W:0] t1 = {t2[W-1], t2} + {{W{1'b0}}, st2 | t2[1]};
  always @(posedge clk) begin
    if (ce) begin
      y <= r2 ? t1[W:1] : t2;
      e <= e2;
      d <= b2 - {2'b00, e2};
    end
  end
  wire unused_t1 = t1[0];
endmodule
