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
