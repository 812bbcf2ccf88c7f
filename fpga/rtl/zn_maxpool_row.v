// zn_maxpool_row: streaming max-pool unit for windows that do not overlap (SH >= KH, SW >= KW,
// no padding; the usual pool with stride = size). The same stream interface and result as
// zn_maxpool: pixels in raster order, each C codes as CB = C/SIMD words of SIMD codes; output
// pixel (oy, ox), HO = (H-KH)/SH + 1 rows and WO = (W-KW)/SW + 1 columns, holds per channel c
// the largest code (int8 when SIGNED, else uint8) of x[oy*SH + a, ox*SW + b, c], a < KH, b < KW.
//
// Structure: no line buffer and no window position arithmetic. Since the windows do not overlap,
// every input word belongs to at most one window: input row y is phase a = y mod SH of output row
// oy = y div SH, column x phase b = x mod SW of output column ox = x div SW; counters step
// (cb, b, ox) along a row and (a, oy) down the image, and the word is in a window when a < KH,
// b < KW, oy < HO and ox < WO. One row of partial maxima, WO*CB words (a single-port LUT memory
// read and written at ox*CB + cb, kept as a running base), holds each output column's maximum so
// far: the window's first word (a = b = 0) writes itself, later ones the larger code, and the
// window's last word (a = KH-1, b = KW-1) hands the result out through a skid buffer. Words
// outside every window (the rows and columns a stride > size skips, or the last ones the floor
// leaves) are taken and dropped.
//
// Timing: one input word a cycle whenever the skid buffer can take a result, so at full rate
// (input offered every cycle, output always ready) an image takes H*W*CB cycles, and a result
// word is handed over the cycle after the input word that completes it (`WindowTiming`).
// in_ready depends only on registers (no combinational path from in_valid or out_ready).
module zn_maxpool_row #(
  parameter integer H      = 4,
  parameter integer W      = 4,
  parameter integer C      = 1,
  parameter integer KH     = 2,
  parameter integer KW     = 2,
  parameter integer SH     = 2,
  parameter integer SW     = 2,
  parameter integer SIMD   = 1,
  parameter integer SIGNED = 0
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
  // Safe divisors so that a bad parameter set reaches the g_param_error check below.
  localparam integer SIMD_S = (SIMD < 1) ? 1 : SIMD;
  localparam integer SH_S   = (SH < 1) ? 1 : SH;
  localparam integer SW_S   = (SW < 1) ? 1 : SW;
  localparam integer CB     = C / SIMD_S;
  localparam integer HO     = (H - KH) / SH_S + 1;
  localparam integer WO     = (W - KW) / SW_S + 1;
  localparam integer DEPTH  = WO * CB;
  localparam integer BW     = zn_idxw(CB);
  // Phase counters wide enough to hold SH and SW (the kernel sizes compare against them).
  localparam integer AW     = zn_idxw(SH_S + 1);
  localparam integer XBW    = zn_idxw(SW_S + 1);
  localparam integer OYW    = zn_idxw((H - 1) / SH_S + 1);
  localparam integer OXW    = zn_idxw((W - 1) / SW_S + 1);
  localparam integer PW     = zn_idxw(DEPTH + 1);     // base reaches WO*CB past the last window
  // The last input row and column as (output row or column, phase).
  localparam integer OY_END = (H - 1) / SH_S, A_END = (H - 1) % SH_S;
  localparam integer OX_END = (W - 1) / SW_S, B_END = (W - 1) % SW_S;

  generate if (H < 1 || W < 1 || C < 1 || KH < 1 || KW < 1 || SIMD < 1 || SH < KH || SW < KW ||
               H < KH || W < KW || C % SIMD_S != 0 || SIGNED < 0 || SIGNED > 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_maxpool_row: need H >= KH >= 1, W >= KW >= 1, windows that do not overlap (SH >= KH, SW >= KW), SIMD (%0d) dividing C (%0d), SIGNED 0/1",
           SIMD, C);
`else
    zn_param_error__zn_maxpool_row_bad_shape_overlapping_or_SIMD_not_dividing_C u_param_error();
`endif
  end endgenerate

  reg [BW-1:0]  cb;
  reg [XBW-1:0] b;
  reg [OXW-1:0] ox;
  reg [AW-1:0]  a;
  reg [OYW-1:0] oy;
  reg [PW-1:0]  base;     // ox * CB
  wire cb_last  = (cb == CB[BW-1:0] - 1'b1);
  wire b_wrap   = (b == SW_S[XBW-1:0] - 1'b1);
  wire row_end  = (ox == OX_END[OXW-1:0]) && (b == B_END[XBW-1:0]);
  wire a_wrap   = (a == SH_S[AW-1:0] - 1'b1);
  wire img_end  = (oy == OY_END[OYW-1:0]) && (a == A_END[AW-1:0]);
  wire in_win   = (a < KH[AW-1:0]) && (b < KW[XBW-1:0]) &&
                  ({1'b0, oy} < HO[OYW:0]) && ({1'b0, ox} < WO[OXW:0]);
  wire first    = (a == {AW{1'b0}}) && (b == {XBW{1'b0}});
  wire last     = (a == KH[AW-1:0] - 1'b1) && (b == KW[XBW-1:0] - 1'b1);
  wire emit     = in_win && last;
  wire s_ready;
  assign in_ready = !emit || s_ready;
  wire fire = in_valid && in_ready;

  // The row of partial maxima (single port: read and written at the same address).
  wire [PW-1:0] addr_x = base + {{(PW-BW){1'b0}}, cb};
  wire [zn_idxw(DEPTH)-1:0] addr = addr_x[zn_idxw(DEPTH)-1:0];
  reg  [SIMD*8-1:0] row [0:DEPTH-1];
  wire [SIMD*8-1:0] cur = row[addr];
  wire [SIMD*8-1:0] m;
  genvar j;
  generate for (j = 0; j < SIMD; j = j + 1) begin : g_lane
    wire [7:0] p = cur[8*j +: 8];
    wire [7:0] q = in_data[8*j +: 8];
    // q wins when larger; the signed compare flips the sign bits.
    wire q_gt = (SIGNED != 0) ? ({~q[7], q[6:0]} > {~p[7], p[6:0]}) : (q > p);
    assign m[8*j +: 8] = (first || q_gt) ? q : p;
  end endgenerate
  generate if (PW > zn_idxw(DEPTH)) begin : g_addr_hi
    wire unused_addr_hi = ^addr_x[PW-1:zn_idxw(DEPTH)];
  end endgenerate

  always @(posedge clk) begin
    if (fire && in_win) row[addr] <= m;
  end

  // Counters: cb within the pixel, (b, ox) along the row, (a, oy) down the image.
  always @(posedge clk) begin
    if (rst) begin
      cb   <= {BW{1'b0}};
      b    <= {XBW{1'b0}};
      ox   <= {OXW{1'b0}};
      a    <= {AW{1'b0}};
      oy   <= {OYW{1'b0}};
      base <= {PW{1'b0}};
    end else if (fire) begin
      cb <= cb_last ? {BW{1'b0}} : cb + 1'b1;
      if (cb_last) begin
        if (row_end) begin
          b    <= {XBW{1'b0}};
          ox   <= {OXW{1'b0}};
          base <= {PW{1'b0}};
          if (img_end) begin
            a  <= {AW{1'b0}};
            oy <= {OYW{1'b0}};
          end else begin
            a  <= a_wrap ? {AW{1'b0}} : a + 1'b1;
            if (a_wrap) oy <= oy + 1'b1;
          end
        end else begin
          b <= b_wrap ? {XBW{1'b0}} : b + 1'b1;
          if (b_wrap) begin
            ox   <= ox + 1'b1;
            base <= base + CB[PW-1:0];
          end
        end
      end
    end
  end

  zn_skid #(.W(SIMD*8)) u_out (
    .clk(clk), .rst(rst), .in_data(m), .in_valid(in_valid && emit), .in_ready(s_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule
