// zn_requant_lane: one lane of zn_requant's pipeline (stages 3-9, with float32 F1-F6): one
// channel's bias, requantization and clamp. zn_requant instantiates LANES of them with equal
// parameters, so the per-module synthesis flow (`zynqnet report`) maps one lane per design
// instead of LANES inline copies.
//
// In: the channel's parameter word `prm` ({s, M, bias} from the MSB, BIAS_W + MULT_W + 6 bits)
// and its sum `sum` (SUM_W bits, signed), both for the word entering stage 3 at the next enabled
// edge; the layer's decoded mode (m_rnd: round to nearest, m_even: ties to even, m_gm: gemmlowp,
// m_fl: float32; a mode not built in ROUNDINGS is ignored), zero point and clamp bounds. Out:
// the 8-bit code, registered, NV + 1 enabled edges later (NV = 8, 14 with float32): stage 9 of
// zn_requant. `ce` advances every stage. The arithmetic is zn_requant's header, per channel.
module zn_requant_lane #(
  parameter integer SUM_W     = 20,
  parameter integer BIAS_W    = 32,
  parameter integer MULT_W    = 32,
  parameter integer ROUNDINGS = 3
) (
  input  wire                         clk,
  input  wire                         ce,
  input  wire [BIAS_W+MULT_W+6-1:0]   prm,
  input  wire [SUM_W-1:0]             sum,
  input  wire                         m_rnd,
  input  wire                         m_even,
  input  wire                         m_gm,
  input  wire                         m_fl,
  input  wire [31:0]                  zero,
  input  wire [15:0]                  clamp_lo,
  input  wire [15:0]                  clamp_hi,
  output reg  [7:0]                   code
);
  localparam integer ACC_W = ((BIAS_W > SUM_W) ? BIAS_W : SUM_W) + 1;
  localparam integer PW    = ACC_W + MULT_W;
  localparam integer NA    = (ACC_W <= 25) ? 1 : (ACC_W - 2) / 24 + 1;   // A pieces
  localparam integer NB    = (MULT_W - 1) / 17 + 1;                      // B pieces
  localparam         HAS_HE = ((ROUNDINGS / 4) % 2) != 0;
  localparam         HAS_GM = ((ROUNDINGS / 8) % 2) != 0;
  localparam         HAS_FL = ((ROUNDINGS / 16) % 2) != 0;
  localparam integer PX    = HAS_GM ? ((PW > 32) ? PW : 32) + 1 : PW;    // p (+ gemmlowp's 2^30 term)
  localparam integer XW    = (HAS_FL && PX < 66) ? 66 : PX;              // the value rounded by stages 6-7
  localparam integer SHW   = HAS_FL ? 7 : 6;                             // its shift
  localparam integer QSW   = (XW + 1 > 34) ? 34 : XW + 1;                // saturated q width

  generate if (SUM_W < 2 || SUM_W > 64 || BIAS_W < 2 || BIAS_W > 64 || MULT_W < 1 || MULT_W > 32 ||
               ROUNDINGS < 1 || ROUNDINGS > 31) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant_lane: SUM_W (%0d) 2..64, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32, ROUNDINGS (%0d) 1..31",
           SUM_W, BIAS_W, MULT_W, ROUNDINGS);
`else
    zn_param_error__zn_requant_lane_bad_parameters u_param_error();
`endif
  end endgenerate

  // Ties to even only where a mode that has them is built (a constant 0 otherwise, as in
  // zn_requant's decode); m_gm and m_fl are read only by the stages of their modes.
  wire m_even_b = (HAS_HE || HAS_FL) && m_even;
  wire unused_modes = m_gm ^ m_fl;

  genvar i, j;
  generate
  wire [BIAS_W-1:0] bias  = prm[BIAS_W-1:0];
  wire [MULT_W-1:0] mult  = prm[BIAS_W +: MULT_W];
  wire [5:0]        shift = prm[BIAS_W+MULT_W +: 6];

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

  // ---- float32 stages F1..F3: the multiplier's operand a' = acc rounded to 24 significant bits
  // (ties to even) as a' * 2^ea; a' = acc, ea = 0 in the other modes ----
  wire [ACC_W-1:0]  o_acc;
  wire [MULT_W-1:0] o_m;
  wire [5:0]        o_s;
  wire [6:0]        o_ea;
  if (HAS_FL) begin : g_fa
    // F1: ea = max(0, bitlen(|acc|) - 24) (bitlen of acc ^ sign: equal, or one less for a power
    // of two, which any grid up to it holds exactly).
    wire [7:0] na = zn_bitlen({{(128-ACC_W){1'b0}}, s3_acc ^ {ACC_W{s3_acc[ACC_W-1]}}});
    reg [ACC_W-1:0] f1_acc;
    reg [MULT_W-1:0] f1_m;
    reg [5:0] f1_s;
    reg [6:0] f1_ea;
    always @(posedge clk) begin
      if (ce) begin
        f1_acc <= s3_acc;
        f1_m   <= s3_m;
        f1_s   <= s3_s;
        f1_ea  <= (m_fl && na > 8'd24) ? na[6:0] - 7'd24 : 7'd0;
      end
    end
    // F2: t = acc >>> (ea - 1), sticky = acc bits below ea - 1.
    wire [6:0] sha = (f1_ea != 7'd0) ? f1_ea - 7'd1 : 7'd0;
    wire [127:0] acc128 = {{(128-ACC_W){f1_acc[ACC_W-1]}}, f1_acc};
    reg [ACC_W-1:0] f2_t;
    reg f2_st, f2_rnd;
    reg [MULT_W-1:0] f2_m;
    reg [5:0] f2_s;
    reg [6:0] f2_ea;
    always @(posedge clk) begin
      if (ce) begin
        f2_t   <= $signed(f1_acc) >>> sha;
        f2_st  <= |(acc128 & zn_lowmask(sha));
        f2_rnd <= (f1_ea != 7'd0);
        f2_m   <= f1_m;
        f2_s   <= f1_s;
        f2_ea  <= f1_ea;
      end
    end
    // F3: a' = (t + (sticky | t[1])) >>> 1 (|a'| <= 2^24: fits, ea >= 1 needs ACC_W >= 26).
    wire [ACC_W:0] ta1 = {f2_t[ACC_W-1], f2_t} + {{ACC_W{1'b0}}, f2_st | f2_t[1]};
    reg [ACC_W-1:0] f3_a;
    reg [MULT_W-1:0] f3_m;
    reg [5:0] f3_s;
    reg [6:0] f3_ea;
    always @(posedge clk) begin
      if (ce) begin
        f3_a  <= f2_rnd ? ta1[ACC_W:1] : f2_t;
        f3_m  <= f2_m;
        f3_s  <= f2_s;
        f3_ea <= f2_ea;
      end
    end
    assign o_acc = f3_a;
    assign o_m   = f3_m;
    assign o_s   = f3_s;
    assign o_ea  = f3_ea;
    wire unused_ta1 = ta1[0];
  end else begin : g_fa0
    assign o_acc = s3_acc;
    assign o_m   = s3_m;
    assign o_s   = s3_s;
    assign o_ea  = 7'd0;
  end

  // ---- stage 4: piece products (each a 25x18 signed multiply) ----
  wire [NA*NB*43-1:0] pp;
  for (i = 0; i < NA; i = i + 1) begin : g_a
    localparam integer ALO = 24 * i;
    localparam integer AWD = (i == NA - 1) ? ACC_W - ALO : 24;
    wire signed [42:0] a43;
    if (i == NA - 1) begin : g_top
      wire [AWD-1:0] ap = o_acc[ALO +: AWD];
      assign a43 = {{(43-AWD){ap[AWD-1]}}, ap};
    end else begin : g_low
      assign a43 = {19'd0, o_acc[ALO +: 24]};
    end
    for (j = 0; j < NB; j = j + 1) begin : g_b
      localparam integer BLO = 17 * j;
      localparam integer BWD = (j == NB - 1) ? MULT_W - BLO : 17;
      wire signed [42:0] b43 = {{(43-BWD){1'b0}}, o_m[BLO +: BWD]};
      reg  [42:0] prod;
      always @(posedge clk) begin
        if (ce) prod <= a43 * b43;
      end
      assign pp[(i*NB + j)*43 +: 43] = prod;
    end
  end
  reg [5:0] s4_s;
  reg [6:0] s4_ea;
  reg       s4_neg;
  always @(posedge clk) begin
    if (ce) begin
      s4_s   <= o_s;
      s4_ea  <= o_ea;
      s4_neg <= o_acc[ACC_W-1];
    end
  end

  // ---- stage 5: p = sum of shifted pieces; gemmlowp with s > 31 adds 2^30 - [p < 0] * 2^31, so
  // that its two roundings are the one below: q = floor((p + 2^30 + 2^(s-1) - [p<0] 2^31) / 2^s) ----
  reg [PW-1:0] p_sum;
  integer k;
  always @* begin
    p_sum = {PW{1'b0}};
    for (k = 0; k < NA * NB; k = k + 1) begin
      p_sum = p_sum + zn_place(pp[k*43 +: 43], 24 * (k / NB) + 17 * (k % NB));
    end
  end
  wire [PX-1:0] p_ext = {{(PX-PW){p_sum[PW-1]}}, p_sum};
  wire [PX-1:0] p_gm;
  if (HAS_GM) begin : g_gm
    wire [PX-1:0] c30  = {{(PX-30){1'b0}}, 1'b1, 29'd0} << 1;       //  2^30
    wire [PX-1:0] cm30 = ~c30 + {{(PX-1){1'b0}}, 1'b1};              // -2^30
    assign p_gm = (m_gm && s4_s > 6'd31) ? p_ext + (s4_neg ? cm30 : c30) : p_ext;
  end else begin : g_gm0
    assign p_gm = p_ext;
    wire unused_neg = s4_neg;
  end
  reg [PX-1:0] s5_p;
  reg [5:0]    s5_s;
  reg [6:0]    s5_ea;
  always @(posedge clk) begin
    if (ce) begin
      s5_p  <= p_gm;
      s5_s  <= s4_s;
      s5_ea <= s4_ea;
    end
  end

  // ---- float32 stages F4..F6: b' = p rounded to 24 significant bits (ties to even) as b' * 2^eb;
  // then the value to round is X = b' * 2^40 with shift SH = 40 + s - eb - ea (>= 0; a larger
  // exponent saturates anyway). Other modes: X = p, SH = s. (F4-F5 repeat F1-F2 on p: as one
  // submodule for both, yosys' hierarchical flow gave 264 LUT / 109 FF more a lane.) ----
  wire [XW-1:0]  x_x;
  wire [SHW-1:0] x_sh;
  if (HAS_FL) begin : g_fb
    wire [7:0] nb = zn_bitlen({{(128-PX){1'b0}}, s5_p ^ {PX{s5_p[PX-1]}}});
    reg [PX-1:0] f4_p;
    reg [5:0] f4_s;
    reg [6:0] f4_ea, f4_eb;
    always @(posedge clk) begin
      if (ce) begin
        f4_p  <= s5_p;
        f4_s  <= s5_s;
        f4_ea <= s5_ea;
        f4_eb <= (m_fl && nb > 8'd24) ? nb[6:0] - 7'd24 : 7'd0;
      end
    end
    wire [6:0] shb = (f4_eb != 7'd0) ? f4_eb - 7'd1 : 7'd0;
    wire [127:0] p128 = {{(128-PX){f4_p[PX-1]}}, f4_p};
    reg [PX-1:0] f5_t;
    reg f5_st, f5_rnd;
    reg [8:0] f5_e;     // signed: 40 + s - ea - eb
    reg [5:0] f5_s;
    always @(posedge clk) begin
      if (ce) begin
        f5_s   <= f4_s;
        f5_t   <= $signed(f4_p) >>> shb;
        f5_st  <= |(p128 & zn_lowmask(shb));
        f5_rnd <= (f4_eb != 7'd0);
        f5_e   <= 9'd40 + {3'd0, f4_s} - {2'd0, f4_ea} - {2'd0, f4_eb};
      end
    end
    localparam integer BW = (PX > 26) ? PX : 26;
    wire [BW:0] tb1 = {{(BW+1-PX){f5_t[PX-1]}}, f5_t} + {{BW{1'b0}}, f5_st | f5_t[1]};
    wire [BW-1:0] bv = f5_rnd ? tb1[BW:1] : {{(BW-PX){f5_t[PX-1]}}, f5_t};
    wire [XW-1:0] xf = {{(XW-66){bv[25]}}, bv[25:0], 40'd0};
    wire [XW-1:0] xi = {{(XW-PX){f5_t[PX-1]}}, f5_t};
    reg [XW-1:0]  f6_x;
    reg [SHW-1:0] f6_sh;
    always @(posedge clk) begin
      if (ce) begin
        f6_x  <= m_fl ? xf : xi;
        f6_sh <= m_fl ? (f5_e[8] ? {SHW{1'b0}} : f5_e[SHW-1:0]) : {1'b0, f5_s};
      end
    end
    assign x_x  = f6_x;
    assign x_sh = f6_sh;
    wire unused_fb = ^{tb1[0], bv, f5_e[7]};
  end else begin : g_fb0
    assign x_x  = s5_p;
    assign x_sh = s5_s;
    wire unused_ea = ^s5_ea;
  end

  // ---- stage 6: t = X >>> sh, sh = SH - 1 when rounding to nearest (SH >= 1), else SH; the
  // sticky bit: X bits below sh are not all zero (ties to even) ----
  wire           rnd = m_rnd && (x_sh != {SHW{1'b0}});
  wire [SHW-1:0] sh  = rnd ? x_sh - {{(SHW-1){1'b0}}, 1'b1} : x_sh;
  reg [XW-1:0] s6_t;
  reg          s6_rnd, s6_st;
  always @(posedge clk) begin
    if (ce) begin
      s6_t   <= $signed(x_x) >>> sh;
      s6_rnd <= rnd;
    end
  end
  if (HAS_HE || HAS_FL) begin : g_st
    wire [127:0] x128 = {{(128-XW){x_x[XW-1]}}, x_x};
    always @(posedge clk) begin
      if (ce) s6_st <= m_even_b && |(x128 & zn_lowmask({{(7-SHW){1'b0}}, sh}));
    end
  end else begin : g_st0
    always @(posedge clk) begin
      if (ce) s6_st <= 1'b0;
    end
  end

  // ---- stage 7: q = rnd ? (t + inc) >>> 1 : t, saturated to [-2^32, 2^32]; inc = 1 (half up,
  // gemmlowp), sticky | t[1] (ties to even: a tie rounds up only to an even q) ----
  wire inc = m_even_b ? (s6_st | s6_t[1]) : 1'b1;
  wire [XW:0] t1 = {s6_t[XW-1], s6_t} + {{XW{1'b0}}, inc};
  wire [XW:0] qf = s6_rnd ? {t1[XW], t1[XW:1]} : {s6_t[XW-1], s6_t};
  wire [QSW-1:0] qs;
  if (XW + 1 > 34) begin : g_sat
    wire [XW:0] lim_hi = {{(XW-32){1'b0}}, 1'b1, 32'd0};          //  2^32
    wire [XW:0] lim_lo = {{(XW-32){1'b1}}, 1'b1, 32'd0};          // -2^32
    wire over  = !qf[XW] && (qf > lim_hi);
    wire under =  qf[XW] && ($signed(qf) < $signed(lim_lo));
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
    if (ce) code <= y[7:0];
  end
  endgenerate

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

  // Bit length of a non-negative number (0 for 0): the index of its highest 1, plus one.
  function [7:0] zn_bitlen;
    input [127:0] x;
    integer b;
    begin
      zn_bitlen = 8'd0;
      for (b = 0; b < 128; b = b + 1) begin
        if (x[b]) zn_bitlen = b[7:0] + 8'd1;
      end
    end
  endfunction

  // Bits 0 .. n-1 set.
  function [127:0] zn_lowmask;
    input [6:0] n;
    begin
      zn_lowmask = ~({128{1'b1}} << n);
    end
  endfunction
endmodule
