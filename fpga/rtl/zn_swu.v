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
// PAR: the unit hands out PAR consecutive patch words a cycle as one output word of PAR*SIMD
// codes (patch word j*PAR + p in bytes p*SIMD .. p*SIMD+SIMD-1 of output word j), so zn_mvau
// takes it with SIMD = PAR*SIMD. PAR spans channel words, kernel columns or kernel rows without
// a carry between them: PAR divides CB, or PAR = m*CB with m dividing KW, or PAR = n*KW*CB
// with n dividing KH. Port p of the PAR read ports then reads at a constant offset
// (p / (PBK*PC), (p / PC) % PBK, p % PC) in (a, b, cb) from the first word (PA rows, PBK
// columns, PC channel words an issue), from its own copy of the line buffer (all copies are
// written with every input word). PAR = 1 is the plain unit.
//
// Line buffer: R = min(KH, H) + SH + XROWS rows of W*CB words in one simple-dual-port memory a port
// (ram_style "block" when RAM_BLOCK = 1, else synthesis chooses), a ring over the input rows.
// `dcnt` = rows written - first row the current output row needs (lo). The writer takes a word
// while dcnt < R (so it never overwrites a row at or after lo); the reader issues output row oy
// while dcnt >= the number of its window rows inside the image (it waits for whole rows). So
// the writer fills the next SH rows while the reader works on the current window.
//
// Timing (full rate: input offered every cycle, output always ready): a word issued at cycle t
// (one issue of PAR patch words a cycle while its rows are written) is handed over at cycle
// t + 2 (block-RAM read register, output skid buffer); `WindowTiming` in ZynqNetHW models it
// cycle by cycle. Back-pressure: the read pipeline advances while the output skid buffer can
// take a word; in_ready and out_valid are registered-state functions (no combinational path
// in -> out).
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
  parameter integer PAR       = 1,
  parameter integer RAM_BLOCK = 1,
  // Extra ring rows beyond min(KH, H) + SH: slack for a consumer whose pace varies within an image.
  parameter integer XROWS     = 0
) (
  input  wire              clk,
  input  wire              rst,
  input  wire [7:0]        zero,
  input  wire [SIMD*8-1:0] in_data,
  input  wire              in_valid,
  output wire              in_ready,
  output wire [PAR*SIMD*8-1:0] out_data,
  output wire              out_valid,
  input  wire              out_ready
);
`include "zn_func.vh"
  // Safe divisors so that a bad parameter set reaches the g_param_error check below.
  localparam integer SIMD_S = (SIMD < 1) ? 1 : SIMD;
  localparam integer SH_S   = (SH < 1) ? 1 : SH;
  localparam integer SW_S   = (SW < 1) ? 1 : SW;
  localparam integer PAR_S  = (PAR < 1) ? 1 : PAR;
  localparam integer CB     = C / SIMD_S;
  localparam integer CB_S   = (CB < 1) ? 1 : CB;
  localparam integer KWCB_S = ((KW < 1) ? 1 : KW) * CB_S;
  // An issue spans PA kernel rows, PBK kernel columns and PC channel words (PAR = PA*PBK*PC).
  localparam integer PC     = (PAR_S >= CB_S) ? CB_S : PAR_S;
  localparam integer PBK    = (PAR_S >= KWCB_S) ? KW : (PAR_S >= CB_S) ? PAR_S / CB_S : 1;
  localparam integer PA     = (PAR_S >= KWCB_S) ? PAR_S / KWCB_S : 1;
  localparam integer PBK_S  = (PBK < 1) ? 1 : PBK;
  localparam integer PA_S   = (PA < 1) ? 1 : PA;
  localparam integer HO     = (H + PT + PB - KH) / SH_S + 1;
  localparam integer WO     = (W + PL + PR - KW) / SW_S + 1;
  localparam integer KHE    = (KH < H) ? KH : H;
  localparam integer R      = KHE + SH_S + ((XROWS < 0) ? 0 : XROWS);
  localparam integer WB     = W * CB;
  localparam integer DEPTH  = R * WB;
  localparam integer AW     = zn_idxw(DEPTH);
  localparam integer CW     = 3 + zn_idxw(H + W + KH + KW + PT + PL + PB + PR + SH_S + SW_S + R + 4);
  localparam integer XW     = AW + CW;
  localparam integer DW     = SIMD_S * 8;
  // First window row (clamped to [0, H]) of the last output row, and the ring step at an image's end.
  localparam integer LO_RAW  = (HO - 1) * SH_S - PT;
  localparam integer LO_LAST = (LO_RAW < 0) ? 0 : (LO_RAW > H) ? H : LO_RAW;
  localparam integer DEND    = (H - LO_LAST) % R;

  generate if (H < 1 || W < 1 || C < 1 || KH < 1 || KW < 1 || SH < 1 || SW < 1 || SIMD < 1 ||
               PT < 0 || PL < 0 || PB < 0 || PR < 0 || C % SIMD_S != 0 ||
               H + PT + PB < KH || W + PL + PR < KW || RAM_BLOCK < 0 || RAM_BLOCK > 1 || XROWS < 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_swu: need H, W, C, KH, KW, SH, SW, SIMD >= 1, paddings >= 0, SIMD (%0d) dividing C (%0d), the padded image (%0dx%0d) at least the kernel (%0dx%0d), RAM_BLOCK 0/1",
           SIMD, C, H + PT + PB, W + PL + PR, KH, KW);
`else
    zn_param_error__zn_swu_bad_shape_or_SIMD_not_dividing_C u_param_error();
`endif
  end endgenerate
  generate if (PAR < 1 || PA * PBK * PC != PAR || KH % PA_S != 0 || KW % PBK_S != 0 || CB_S % PC != 0) begin : g_par_error
`ifdef VERILATOR
    $fatal(1, "zn_swu: PAR (%0d) must divide CB (%0d), or be CB times a divisor of KW (%0d), or KW*CB times a divisor of KH (%0d)",
           PAR, CB, KW, KH);
`else
    zn_param_error__zn_swu_PAR_must_span_whole_channel_words_columns_or_rows u_par_error();
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
  localparam signed [CW-1:0] K_PC   = PC[CW-1:0];
  localparam signed [CW-1:0] K_PBK  = PBK_S[CW-1:0];
  localparam signed [CW-1:0] K_PA   = PA_S[CW-1:0];

  // ---------------- output skid buffer and read-pipeline enable ----------------
  reg  [PAR_S-1:0]    pad1;
  reg                 v1;
  wire                ce;
  wire [PAR_S*DW-1:0] word;
  zn_skid #(.W(PAR_S*DW)) u_out (
    .clk(clk), .rst(rst), .in_data(word), .in_valid(v1 && ce), .in_ready(ce),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));

  // ---------------- writer: a ring of R rows ----------------
  reg signed [CW-1:0] dcnt;
  reg [AW-1:0]        waddr;
  reg [CW-1:0]        wx;
  assign in_ready = (dcnt < K_R);
  wire in_fire   = in_valid && in_ready;
  wire wrow_done = in_fire && (wx == WB[CW-1:0] - 1'b1);

  // ---------------- reader ----------------
  // (ka, kb, cb): the first patch word of the issue; a counter spanned whole by one issue
  // (PC = CB, PBK = KW, PA = KH) stays 0.
  reg signed [CW-1:0] oy, ox, ka, kb, cb, yb, xb, lo_y, lo_slot;
  wire signed [CW-1:0] y  = yb + ka;
  wire signed [CW-1:0] x  = xb + kb;
  wire signed [CW-1:0] hi_raw = yb + K_KH1;
  wire signed [CW-1:0] hi     = (hi_raw > K_H - K_ONE) ? K_H - K_ONE : hi_raw;
  wire signed [CW-1:0] need   = hi - lo_y + K_ONE;
  wire issue = ce && (dcnt >= need);
  wire cb_last = (PC == CB_S) || (cb == CB[CW-1:0] - K_PC);
  wire kb_last = (PBK_S == KW) || (kb == KW[CW-1:0] - K_PBK);
  wire ka_last = (PA_S == KH) || (ka == KH[CW-1:0] - K_PA);
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
        cb <= cb_last ? K_ZERO : cb + K_PC;
        if (cb_last) begin
          kb <= kb_last ? K_ZERO : kb + K_PBK;
          if (kb_last) begin
            ka <= ka_last ? K_ZERO : ka + K_PA;
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

  // ---------------- read ports: row and column terms shared by the ports ----------------
  // Row term ia (window row y + ia): its ring slot times W*CB, and whether it is padding;
  // column term ib (window column x + ib): x*CB and whether it is padding.
  wire [PA_S*XW-1:0]  rterm;
  wire [PA_S-1:0]     rpad;
  wire [PBK_S*XW-1:0] cterm;
  wire [PBK_S-1:0]    cpad;
  genvar ia, ib, pp;
  generate for (ia = 0; ia < PA_S; ia = ia + 1) begin : g_row
    localparam signed [CW-1:0] K_IA = ia;
    wire signed [CW-1:0] yr   = y + K_IA;
    wire signed [CW-1:0] rsum = lo_slot + (yr - lo_y);
    wire signed [CW-1:0] rs   = (rsum >= K_R) ? rsum - K_R : rsum;
    assign rterm[ia*XW +: XW] = {{AW{1'b0}}, rs} * WB[XW-1:0];
    assign rpad[ia] = (yr < K_ZERO) || (yr >= K_H);
  end endgenerate
  generate for (ib = 0; ib < PBK_S; ib = ib + 1) begin : g_col
    localparam signed [CW-1:0] K_IB = ib;
    wire signed [CW-1:0] xc = x + K_IB;
    assign cterm[ib*XW +: XW] = {{AW{1'b0}}, xc} * CB[XW-1:0];
    assign cpad[ib] = (xc < K_ZERO) || (xc >= K_W);
  end endgenerate

  // ---------------- line buffers (one copy a port, 1-cycle registered read) ----------------
  generate for (pp = 0; pp < PAR_S; pp = pp + 1) begin : g_port
    localparam integer PIA = pp / (PBK_S * PC);
    localparam integer PIB = (pp / PC) % PBK_S;
    localparam integer PIC = pp % PC;
    wire [XW-1:0] raddr_x = rterm[PIA*XW +: XW] + cterm[PIB*XW +: XW] + {{AW{1'b0}}, cb} + PIC[XW-1:0];
    wire [AW-1:0] raddr = raddr_x[AW-1:0];
    wire [XW-AW-1:0] unused_raddr_hi = raddr_x[XW-1:AW];
    reg  [DW-1:0] qp;
    assign word[pp*DW +: DW] = pad1[pp] ? {SIMD_S{zero}} : qp;
    if (RAM_BLOCK != 0) begin : g_block
      (* ram_style = "block" *) reg [DW-1:0] mem [0:DEPTH-1];
      always @(posedge clk) begin
        if (in_fire) mem[waddr] <= in_data;
      end
      always @(posedge clk) begin
        if (issue) qp <= mem[raddr];
      end
    end else begin : g_auto
      reg [DW-1:0] mem [0:DEPTH-1];
      always @(posedge clk) begin
        if (in_fire) mem[waddr] <= in_data;
      end
      always @(posedge clk) begin
        if (issue) qp <= mem[raddr];
      end
    end
    always @(posedge clk) begin
      if (ce) pad1[pp] <= rpad[PIA] || cpad[PIB];
    end
  end endgenerate

  always @(posedge clk) begin
    if (rst) v1 <= 1'b0;
    else if (ce) v1 <= issue;
  end
endmodule
