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
