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
