// zn_requant: bias, requantization and clamp of one dense layer, LANES channels a cycle.
//
// Input: words of LANES sums (SUM_W bits, signed) in channel order (word d, lane r is channel
// d*LANES + r), OUT channels an image. Output: words of LANES 8-bit codes. Per channel o, exactly
// the spec with unbounded integers:
//   acc = bias_eff[o] + sum                      (bias_eff: the bias with the input zero point folded in)
//   p   = acc * M[o]
//   q   = floor(p / 2^s)                         (ROUND_HALF_UP = 0, or s = 0)
//   q   = floor((p + 2^(s-1)) / 2^s)             (ROUND_HALF_UP = 1, s >= 1), computed as
//         ((p >>> (s-1)) + 1) >>> 1
//   y   = min(max(zy + q, lo), hi), output as its low 8 bits
// Widths: acc has ACC_W = max(BIAS_W, SUM_W) + 1 bits (holds any signed BIAS_W + signed SUM_W),
// p has ACC_W + MULT_W bits (M unsigned), q is saturated to [-2^32, 2^32] before adding the
// 32-bit zy (exact: beyond that zy + q lies outside every 16-bit [lo, hi]).
// acc*M is split into DSP48E1-sized pieces: acc into 24-bit unsigned pieces plus a signed top
// piece of at most 25 bits (A port), M into 17-bit unsigned pieces (B port); each piece product
// is one 25x18 signed multiply.
// Parameters (bias_eff, M, s) live in zn_param_ram: LANES banks, OUT/LANES words of
// BIAS_W + MULT_W + 6 bits, {s, M, bias} from the MSB. Pipeline of 9 stages; `ce` = the output
// skid buffer can take a word.
module zn_requant #(
  parameter integer LANES  = 1,
  parameter integer OUT    = 1,
  parameter integer SUM_W  = 20,
  parameter integer BIAS_W = 32,
  parameter integer MULT_W = 32,
  // zn_param_ram's RAM_STYLE for the parameters (0 synthesis' choice, 1 block, 2 distributed),
  // as in zn_requant_serial.
  parameter integer PARAM_RAM_STYLE = 0
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [LANES*SUM_W-1:0] in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [LANES*8-1:0]    out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire                  round_half_up,
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
  localparam integer QSW   = (PW + 1 > 34) ? 34 : PW + 1;                // saturated q width

  generate if (LANES < 1 || OUT < 1 || OUT % LANES != 0 || SUM_W < 2 || BIAS_W < 2 || BIAS_W > 64 ||
               MULT_W < 1 || MULT_W > 32) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant: LANES (%0d) must divide OUT (%0d); SUM_W (%0d) >= 2, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32",
           LANES, OUT, SUM_W, BIAS_W, MULT_W);
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

  // Valid bits of stages 1..8.
  reg [8:1] v;
  always @(posedge clk) begin
    if (rst) v <= 8'd0;
    else if (ce) v <= {v[7:1], fire};
  end
  always @(posedge clk) begin
    if (rst) res_valid <= 1'b0;
    else if (ce) res_valid <= v[8];
  end

  reg [LANES*SUM_W-1:0] s1_sum, s2_sum;
  always @(posedge clk) begin
    if (ce) begin
      s1_sum <= in_data;
      s2_sum <= s1_sum;
    end
  end

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

    // ---- stage 4: piece products (each a 25x18 signed multiply) ----
    wire [NA*NB*43-1:0] pp;
    for (i = 0; i < NA; i = i + 1) begin : g_a
      localparam integer ALO = 24 * i;
      localparam integer AWD = (i == NA - 1) ? ACC_W - ALO : 24;
      wire signed [42:0] a43;
      if (i == NA - 1) begin : g_top
        wire [AWD-1:0] ap = s3_acc[ALO +: AWD];
        assign a43 = {{(43-AWD){ap[AWD-1]}}, ap};
      end else begin : g_low
        assign a43 = {19'd0, s3_acc[ALO +: 24]};
      end
      for (j = 0; j < NB; j = j + 1) begin : g_b
        localparam integer BLO = 17 * j;
        localparam integer BWD = (j == NB - 1) ? MULT_W - BLO : 17;
        wire signed [42:0] b43 = {{(43-BWD){1'b0}}, s3_m[BLO +: BWD]};
        reg  [42:0] prod;
        always @(posedge clk) begin
          if (ce) prod <= a43 * b43;
        end
        assign pp[(i*NB + j)*43 +: 43] = prod;
      end
    end
    reg [5:0] s4_s;
    always @(posedge clk) begin
      if (ce) s4_s <= s3_s;
    end

    // ---- stage 5: p = sum of shifted pieces ----
    reg [PW-1:0] p_sum;
    integer k;
    always @* begin
      p_sum = {PW{1'b0}};
      for (k = 0; k < NA * NB; k = k + 1) begin
        p_sum = p_sum + zn_place(pp[k*43 +: 43], 24 * (k / NB) + 17 * (k % NB));
      end
    end
    reg [PW-1:0] s5_p;
    reg [5:0]    s5_s;
    always @(posedge clk) begin
      if (ce) begin
        s5_p <= p_sum;
        s5_s <= s4_s;
      end
    end

    // ---- stage 6: t = p >>> sh, sh = s - 1 when rounding half up (s >= 1), else s ----
    wire       rnd = round_half_up && (s5_s != 6'd0);
    wire [5:0] sh  = rnd ? s5_s - 6'd1 : s5_s;
    reg [PW-1:0] s6_t;
    reg          s6_rnd;
    always @(posedge clk) begin
      if (ce) begin
        s6_t   <= $signed(s5_p) >>> sh;
        s6_rnd <= rnd;
      end
    end

    // ---- stage 7: q = rnd ? (t + 1) >>> 1 : t, saturated to [-2^32, 2^32] ----
    wire [PW:0] t1 = {s6_t[PW-1], s6_t} + {{PW{1'b0}}, 1'b1};
    wire [PW:0] qf = s6_rnd ? {t1[PW], t1[PW:1]} : {s6_t[PW-1], s6_t};
    wire [QSW-1:0] qs;
    if (PW + 1 > 34) begin : g_sat
      wire [PW:0] lim_hi = {{(PW-32){1'b0}}, 1'b1, 32'd0};          //  2^32
      wire [PW:0] lim_lo = {{(PW-32){1'b1}}, 1'b1, 32'd0};          // -2^32
      wire over  = !qf[PW] && (qf > lim_hi);
      wire under =  qf[PW] && ($signed(qf) < $signed(lim_lo));
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
endmodule
