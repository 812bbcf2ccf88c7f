// zn_requant: bias, requantization and clamp of one dense layer, LANES channels a cycle.
//
// Input: words of LANES sums (SUM_W bits, signed) in channel order (word d, lane r is channel
// d*LANES + r), OUT channels an image. Output: words of LANES 8-bit codes. Per channel o, exactly
// the spec (format 2) with unbounded integers:
//   acc = bias_eff[o] + sum                      (bias_eff: the bias with the input zero point folded in)
//   p   = acc * M[o]
//   floor:     q = floor(p / 2^s)
//   half_up:   q = floor((p + 2^(s-1)) / 2^s) (s >= 1), computed as ((p >>> (s-1)) + 1) >>> 1
//   half_even: q = ((p >>> (s-1)) + (sticky | q0)) >>> 1, sticky = p mod 2^(s-1) != 0, q0 = p bit s
//              (a tie rounds up only when floor(p / 2^s) is odd)
//   gemmlowp:  s <= 31: half_up (t = floor((p 2^(31-s) + 2^30) / 2^31) is that); s > 31: the two
//              roundings are one, floor((p + 2^30 - [p<0] 2^31 + 2^(s-1)) / 2^s): stage 5 adds
//              +-2^30, then as half_up
//   float32:   a' = acc rounded to 24 significant bits as a' 2^ea (stages F1-F3, ties to even), the
//              product p = a' M (stages 4-5), b' = p rounded to 24 significant bits as b' 2^eb
//              (F4-F6), q = b' 2^(ea+eb) / 2^s to nearest, ties to even: the half_even rounding
//              of X = b' 2^40 by SH = 40 + s - ea - eb (clamped at 0: q saturates there anyway)
//   y   = min(max(zy + q, lo), hi), output as its low 8 bits (lo/hi carry relu and the clamp)
// A word's mode is the `rounding` input (a layer setting); only the modes in ROUNDINGS are built.
// Widths: acc has ACC_W = max(BIAS_W, SUM_W) + 1 bits (holds any signed BIAS_W + signed SUM_W),
// p has ACC_W + MULT_W bits (M unsigned; one more, at least 33, with gemmlowp), q is saturated to
// [-2^32, 2^32] before adding the 32-bit zy (exact: beyond that zy + q lies outside every 16-bit
// [lo, hi]).
// acc*M is split into DSP48E1-sized pieces: acc into 24-bit unsigned pieces plus a signed top
// piece of at most 25 bits (A port), M into 17-bit unsigned pieces (B port); each piece product
// is one 25x18 signed multiply.
// Parameters (bias_eff, M, s) live in zn_param_ram: LANES banks, OUT/LANES words of
// BIAS_W + MULT_W + 6 bits, {s, M, bias} from the MSB. Pipeline of 9 stages (15 with float32);
// `ce` = the output skid buffer can take a word.
module zn_requant #(
  parameter integer LANES  = 1,
  parameter integer OUT    = 1,
  parameter integer SUM_W  = 20,
  parameter integer BIAS_W = 32,
  parameter integer MULT_W = 32,
  // zn_param_ram's RAM_STYLE for the parameters (0 synthesis' choice, 1 block, 2 distributed),
  // as in zn_requant_serial.
  parameter integer PARAM_RAM_STYLE = 0,
  // The rounding modes built, a bit each: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
  // (the `rounding` codes). floor and half_up cost nothing extra; half_even adds a sticky bit,
  // gemmlowp one adder term, float32 six pipeline stages (NV = 14 instead of 8).
  parameter integer ROUNDINGS = 3,
  // Cycles from accepting a word to offering it, NV + 2 (zynqnet codegen sets it from its timing
  // model; -1: not checked).
  parameter integer LATENCY = -1
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [LANES*SUM_W-1:0] in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [LANES*8-1:0]    out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire [2:0]            rounding,     // 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
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
  localparam         HAS_HE = ((ROUNDINGS / 4) % 2) != 0;
  localparam         HAS_GM = ((ROUNDINGS / 8) % 2) != 0;
  localparam         HAS_FL = ((ROUNDINGS / 16) % 2) != 0;
  localparam integer NV    = HAS_FL ? 14 : 8;                            // stages before the result register

  // The latency the generator's timing model assumes for this instance (LATENCY, PipelineTiming.pipelinedRequantLatency) must be
  // the pipeline's own; -1 (the default, library use) is not checked.
  generate if (LATENCY != -1 && LATENCY != NV + 2) begin : g_latency_error
`ifdef VERILATOR
    $fatal(1, "zn_requant: LATENCY %0d, but the pipeline's is %0d cycles", LATENCY, NV + 2);
`else
    zn_param_error__zn_requant_LATENCY_is_not_the_pipeline_latency u_latency_error();
`endif
  end endgenerate

  generate if (LANES < 1 || OUT < 1 || OUT % LANES != 0 || SUM_W < 2 || SUM_W > 64 || BIAS_W < 2 || BIAS_W > 64 ||
               MULT_W < 1 || MULT_W > 32 || ROUNDINGS < 1 || ROUNDINGS > 31) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant: LANES (%0d) must divide OUT (%0d); SUM_W (%0d) 2..64, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32, ROUNDINGS (%0d) 1..31",
           LANES, OUT, SUM_W, BIAS_W, MULT_W, ROUNDINGS);
`else
    zn_param_error__zn_requant_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---------------- output skid buffer, pipeline enable ----------------
  wire [LANES*8-1:0] res_data;
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

  // Valid bits of stages 1..NV.
  reg [NV:1] v;
  always @(posedge clk) begin
    if (rst) v <= {NV{1'b0}};
    else if (ce) v <= {v[NV-1:1], fire};
  end
  always @(posedge clk) begin
    if (rst) res_valid <= 1'b0;
    else if (ce) res_valid <= v[NV];
  end

  reg [LANES*SUM_W-1:0] s1_sum, s2_sum;
  always @(posedge clk) begin
    if (ce) begin
      s1_sum <= in_data;
      s2_sum <= s1_sum;
    end
  end

  // Mode decode (rounding is a quasi-static setting, like zero and the clamp bounds). A mode that is
  // not built (its ROUNDINGS bit 0) computes floor.
  wire m_up = (rounding == 3'd1);
  wire m_he = HAS_HE && (rounding == 3'd2);
  wire m_gm = HAS_GM && (rounding == 3'd3);
  wire m_fl = HAS_FL && (rounding == 3'd4);
  wire m_rnd = m_up || m_he || m_gm || m_fl;   // round to nearest (by the increment below)
  wire m_even = m_he || m_fl;                  // ties to even

  // The lanes (stages 3-9): one zn_requant_lane each. Each lane takes its sum sign-extended to
  // max(BIAS_W, SUM_W) bits (acc = bias + sum has the same ACC_W bits either way), so the lanes
  // of every zn_requant with the same BIAS_W, MULT_W and ROUNDINGS share their parameters: the
  // per-module synthesis flow maps one lane for all of them and multiplies it.
  localparam integer LSW = (BIAS_W > SUM_W) ? BIAS_W : SUM_W;
  genvar r;
  generate for (r = 0; r < LANES; r = r + 1) begin : g_lane
    wire [SUM_W-1:0] sum = s2_sum[r*SUM_W +: SUM_W];
    wire [LSW-1:0]   lsum;
    if (LSW > SUM_W) begin : g_ext
      assign lsum = {{(LSW-SUM_W){sum[SUM_W-1]}}, sum};
    end else begin : g_same
      assign lsum = sum;
    end
    zn_requant_lane #(.SUM_W(LSW), .BIAS_W(BIAS_W), .MULT_W(MULT_W), .ROUNDINGS(ROUNDINGS)) u_lane (
      .clk(clk), .ce(ce), .prm(q_params[r*QW +: QW]), .sum(lsum),
      .m_rnd(m_rnd), .m_even(m_even), .m_gm(m_gm), .m_fl(m_fl),
      .zero(zero), .clamp_lo(clamp_lo), .clamp_hi(clamp_hi), .code(res_data[r*8 +: 8]));
  end endgenerate
endmodule
