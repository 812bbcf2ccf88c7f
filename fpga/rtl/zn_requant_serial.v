// zn_requant_serial: area-mode requantizer. The ports, parameters and parameter memory layout of
// zn_requant (a drop-in replacement; set_sel is tied to 0 then) plus NUM_SETS, but it works
// bit-serially, one lane after another, for a small fraction of the LUTs and no DSP48E1.
//
// NUM_SETS (default 1): the number of quantization settings (rounding, zero, clamp_lo,
// clamp_hi) on the inputs, set j at [j*3 +: 3] / [j*32 +: 32] / [j*16 +: 16]; the word uses set
// set_sel (< NUM_SETS, held while in_valid is high). zn_seq passes one set a layer: indexing
// {set_sel, bit} directly costs a few LUTs where a mux of whole words in front costs one a bit.
//
// Arithmetic: exactly the spec, as in zn_requant. Per channel o, with unbounded integers:
//   acc = bias_eff[o] + sum,  p = acc * M[o],
//   floor:     q = floor(p / 2^s)
//   half_up:   q = floor((p + 2^(s-1)) / 2^s) (s >= 1) = (p >>> s) + p[s-1]
//   half_even: q = (p >>> s) + p[s-1] & (sticky | p[s]), sticky = p bits 0 .. s-2 not all zero
//   gemmlowp:  s <= 31: half_up; s > 31: u = p + 2^30 (a serial incrementer from bit 30), then
//              q = (u >>> s) + u[s-1] & (sticky | !neg), sticky = u bits 31 .. s-2, neg = acc < 0
//              (t = u >>> 31 rounded by 2^(s-31) to nearest, ties away from zero)
//   float32:   a = acc rounded to 24 significant bits (ties to even), B = a * M rounded to 24
//              significant bits (ties to even), q = B / 2^s to nearest, ties to even (the spec's
//              b = B / 2^s: scaling by 2^-s keeps the significant bits). a and B are kept at full
//              scale (zeros below the rounding position), so every shift is a right shift.
//   y   = min(max(zy + q, lo), hi), output as its low 8 bits
// The rounding code per set: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32 (ROUNDINGS:
// the modes built, bits 0-4; a code whose mode is not built computes floor).
// float32 (built: ROUNDINGS bit 4) runs each lane in three passes of the same T + 3 cycles, for
// every word whatever its mode (the timing stays independent of the data and the settings):
//   pass 0: stage A's acc bits give bitlen(acc ^ sign) = the last k where acc bit k differs from
//           bit k-1 (bit -1 = 0): ea = max(0, that - 24);
//   pass 1: stage A's acc, rounded at bit ea on the fly (a serial round-to-nearest-even: bits
//           below ea are 0, bit ea - 1 and a sticky bit start the carry into bit ea), through
//           stage B: p = a * M, whose bit length gives eb = max(0, bitlen(p ^ sign) - 24);
//   pass 2: the same p, rounded at bit eb the same way (B), into stage C (ties to even at s).
// In the other modes ea = eb = 0: passes 1 and 2 compute p, and pass 2 is the one-pass lane.
// Everything runs LSB first, one bit a cycle, on two's complement digits (sign extension of a
// finite operand gives every further digit, so no step ever wraps):
//   stage A: acc bit k = bias[min(k, BIAS_W-1)] + sum[min(k, SUM_W-1)] + carry (serial adder);
//   stage B: p bit k from a serial x parallel multiplier: t = R + (acc_k ? M : 0), p_k = t[0],
//            R = t >> 1 (R < 2^MULT_W: one MULT_W-bit adder on the carry chain); the operand
//            acc_k ? M : 0 is a register (cleared through its reset when acc_k is 0), so the
//            adder adds two registers, one LUT a bit;
//   stage C: the first s bits of p are dropped (bit s-1 starts the carry when rounding to nearest;
//            half_even and gemmlowp gate it at bit s with the sticky bit),
//            the rest are the bits of q; v = zy + q + carry is a serial adder (zy sign-extended
//            from 32 bits), its low 8 bits are kept, and two serial comparators decide v < lo and
//            v > hi (lo, hi sign-extended from 16 bits; the last bit is the sign).
// Each lane runs T = max(PW + 2, 96) bits of p, PW = ACC_W + MULT_W, ACC_W = max(BIAS_W, SUM_W) + 1:
// enough for every s = 0..63 (v = zy + q has at most max(PW - s, 32) + 1 significant bits, which
// are bits s .. s + that - 1 of the stream; float32: |a| <= 2^(ACC_W-1) so p fits PW bits, and
// B = 2^(PW-1) at most, so v has at most max(PW + 1 - s, 33) + 1).
//
// Timing (fixed, independent of the data): the cycle it sees in_valid while idle it reads the
// word's parameters (2 cycles); each lane then takes NP * (T + 3) cycles, NP = 3 with float32
// built, else 1 (a pass: T bits, 2 pipeline stages, the write of its 8-bit code). The input word
// is accepted (in_ready high) in the cycle the last lane is written, D = LANES * NP * (T + 3) + 1
// cycles after the idle cycle that saw in_valid; the output word is offered the next cycle, when
// the block is idle again. So words are taken at most every LANES * NP * (T + 3) + 2 cycles. A lane's code is written only when the output register is empty
// (out_valid low), so back-pressure just holds the block. in_data must stay stable while in_valid
// is high (AXI4-Stream): the block reads it before accepting it, and needs no input register.
module zn_requant_serial #(
  parameter integer LANES  = 1,
  parameter integer OUT    = 1,
  parameter integer SUM_W  = 20,
  parameter integer BIAS_W = 32,
  parameter integer MULT_W = 32,
  // zn_param_ram's RAM_STYLE for the parameters (0 synthesis' choice, 1 block, 2 distributed).
  // A lane's 71-bit words cost about 72 LUTs of LUTRAM (RAM32M) at any depth up to 32, or two
  // RAMB36 (true dual port, 36 bits a port) in block RAM; yosys picks LUTRAM up to ~32 words.
  parameter integer PARAM_RAM_STYLE = 0,
  // Quantization settings (round / zero / clamp) the block holds inputs for; set_sel picks the one a
  // word uses (zn_seq: one a layer). 1 (the dataflow designs): set_sel is unused.
  parameter integer NUM_SETS = 1,
  // The rounding modes built, a bit each: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
  // (three passes a lane, see above). gemmlowp needs max(BIAS_W, SUM_W) <= 34 (acc's sign is read
  // from stage A when bit s >= 32 of p passes).
  parameter integer ROUNDINGS = 3,
  // Cycles from the idle cycle that sees a word to accepting it, LANES * NP * (T + 3) + 1 (zynqnet
  // codegen sets it from its timing model; -1: not checked).
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
  input  wire [NUM_SETS*3-1:0] rounding,         // set j at [j*3 +: 3]: 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32
  input  wire [NUM_SETS*32-1:0] zero,            // set j at [j*32 +: 32]
  input  wire [NUM_SETS*16-1:0] clamp_lo,        // set j at [j*16 +: 16]
  input  wire [NUM_SETS*16-1:0] clamp_hi,
  input  wire [((NUM_SETS > 1) ? $clog2(NUM_SETS) : 1)-1:0] set_sel,   // < NUM_SETS; held while in_valid
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
  localparam integer T     = (PW + 2 > 96) ? PW + 2 : 96;        // p bits a lane
  localparam         HAS_FL = ((ROUNDINGS / 16) % 2) != 0;
  localparam integer NP    = HAS_FL ? 3 : 1;                      // passes a lane

  // The latency the generator's timing model assumes for this instance (LATENCY, PipelineTiming.serialRequantAcceptDelay) must be
  // the pipeline's own; -1 (the default, library use) is not checked.
  generate if (LATENCY != -1 && LATENCY != LANES * NP * (T + 3) + 1) begin : g_latency_error
`ifdef VERILATOR
    $fatal(1, "zn_requant_serial: LATENCY %0d, but the pipeline's is %0d cycles", LATENCY, LANES * NP * (T + 3) + 1);
`else
    zn_param_error__zn_requant_serial_LATENCY_is_not_the_pipeline_latency u_latency_error();
`endif
  end endgenerate
  localparam integer KW    = zn_idxw(T + 3);                      // k counts 0 .. T + 2
  localparam integer RW    = zn_idxw(LANES);
  localparam integer BIW   = zn_idxw(LANES * BIAS_W);
  localparam integer SIW   = zn_idxw(LANES * SUM_W);
  localparam [31:0]   K_LAST32 = T + 1;                          // stage C's last bit (the sign)
  localparam [31:0]   K_END32  = T + 2;                          // the lane's write cycle
  localparam [KW-1:0] K_LAST = K_LAST32[KW-1:0];
  localparam [KW-1:0] K_END  = K_END32[KW-1:0];

  localparam HAS_HE = ((ROUNDINGS / 4) % 2) != 0;
  localparam HAS_GM = ((ROUNDINGS / 8) % 2) != 0;
  generate if (LANES < 1 || OUT < 1 || OUT % LANES != 0 || SUM_W < 2 || BIAS_W < 2 || BIAS_W > 64 ||
               MULT_W < 1 || MULT_W > 32 || NUM_SETS < 1 || NUM_SETS > 65536 || ROUNDINGS < 1 || ROUNDINGS > 31 ||
               (HAS_GM && ACC_W > 35)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_requant_serial: LANES (%0d) must divide OUT (%0d); SUM_W (%0d) >= 2, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32, NUM_SETS (%0d) 1..65536, ROUNDINGS (%0d) 1..31, gemmlowp: max(BIAS_W, SUM_W) <= 34",
           LANES, OUT, SUM_W, BIAS_W, MULT_W, NUM_SETS, ROUNDINGS);
`else
    zn_param_error__zn_requant_serial_bad_parameters u_param_error();
`endif
  end endgenerate

  // ---------------- control ----------------
  localparam [1:0] S_IDLE = 2'd0, S_WAIT = 2'd1, S_RUN = 2'd2;
  reg [1:0]    state;
  reg [KW-1:0] k;                 // bit cycle of the current lane
  reg [RW-1:0] r;                 // current lane
  reg [DW-1:0] d;                 // word of the image
  reg [LANES*8-1:0] res;
  reg          res_valid;
  wire         at_end   = (k == K_END);        // k is 0 outside S_RUN
  wire         last_ph;                         // the lane's last pass (float32 built: 3 passes)
  wire         nx_ph    = at_end && !last_ph;   // on to the lane's next pass
  wire         wr       = at_end && !res_valid && last_ph;
  wire         last_r   = (r == LANES[RW-1:0] - 1'b1);
  wire         accept   = wr && last_r;
  wire         start    = (state == S_IDLE) && in_valid;
  assign in_ready  = accept;
  assign out_data  = res;
  assign out_valid = res_valid;

  always @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      res_valid <= 1'b0;
    end else begin
      if (res_valid && out_ready) res_valid <= 1'b0;
      case (state)
        S_IDLE: if (in_valid) state <= S_WAIT;
        S_WAIT: state <= S_RUN;
        default: begin
          if (accept) begin
            state <= S_IDLE;
            res_valid <= 1'b1;
          end
        end
      endcase
    end
  end
  // The counters return to zero through the flip-flops' synchronous reset and count with their
  // clock enable (no per-bit mux in front of the incrementer). k is 0 outside S_RUN.
  localparam integer DEPTH_M1 = DEPTH - 1;
  wire run = (state != S_IDLE) && (state != S_WAIT);
  always @(posedge clk) begin
    if (rst || state == S_WAIT || wr || nx_ph) k <= {KW{1'b0}};
    else if (run && !at_end)          k <= k + 1'b1;
    if (rst || state == S_WAIT || LANES == 1) r <= {RW{1'b0}};   // (one lane: constant 0)
    else if (wr && !last_r)           r <= r + 1'b1;
    if (rst || (accept && d == DEPTH_M1[DW-1:0])) d <= {DW{1'b0}};
    else if (accept)                              d <= d + 1'b1;
  end

  // The pass of the current lane: 0 acc's length, 1 p's length, 2 the code (float32 built).
  wire [1:0] ph;
  generate if (HAS_FL) begin : g_ph
    reg [1:0] ph_r;
    always @(posedge clk) begin
      if (rst || state == S_WAIT || wr) ph_r <= 2'd0;
      else if (nx_ph)                   ph_r <= ph_r + 2'd1;
    end
    assign ph = ph_r;
    assign last_ph = (ph_r == 2'd2);
  end else begin : g_ph1
    assign ph = 2'd2;
    assign last_ph = 1'b1;
    wire unused_nx = nx_ph;
  end endgenerate

  // ---------------- parameters: read at `start`, valid from S_RUN on (held until the next read) ----------------
  wire [LANES*QW-1:0] q_params;
  zn_param_ram #(.BANKS(LANES), .DEPTH(DEPTH), .WORD_W(QW), .RAM_STYLE(PARAM_RAM_STYLE)) u_params (
    .clk(clk), .rst(rst), .ce(1'b1), .rd_en(start), .rd_addr(d), .rd_data(q_params),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  wire [LANES*BIAS_W-1:0] all_bias;
  wire [LANES*MULT_W-1:0] all_m;
  wire [LANES*6-1:0]      all_s;
  genvar g;
  generate for (g = 0; g < LANES; g = g + 1) begin : g_lane
    assign all_bias[g*BIAS_W +: BIAS_W] = q_params[g*QW +: BIAS_W];
    assign all_m[g*MULT_W +: MULT_W]    = q_params[g*QW + BIAS_W +: MULT_W];
    assign all_s[g*6 +: 6]              = q_params[g*QW + BIAS_W + MULT_W +: 6];
  end endgenerate
  wire [MULT_W-1:0] m_r;
  wire [5:0]        s_r;
  generate if (LANES > 1) begin : g_sel
    assign m_r = all_m[r*MULT_W +: MULT_W];
    assign s_r = all_s[r*6 +: 6];
  end else begin : g_one
    assign m_r = all_m;
    assign s_r = all_s;
    wire unused_r = ^r;
  end endgenerate

  // ---------------- stage A (k = 0 .. T-1): acc bit k ----------------
  // Bit indexes saturate at the operand's top bit (sign extension).
  // Narrow indexes (a 32-bit variable index would synthesize as a shifter, not a mux); one lane:
  // a mux on the low bits of k, the sign beyond the top bit.
  wire [31:0] k32 = {{(32-KW){1'b0}}, k};
  wire b_bit, x_bit;
  generate if (LANES > 1) begin : g_ix
    wire [31:0] r32  = {{(32-RW){1'b0}}, r};
    wire [31:0] bi32 = ((k32 >= BIAS_W - 1) ? BIAS_W - 1 : k32) + BIAS_W * r32;
    wire [31:0] xi32 = ((k32 >= SUM_W - 1) ? SUM_W - 1 : k32) + SUM_W * r32;
    wire [BIW-1:0] bi = bi32[BIW-1:0];
    wire [SIW-1:0] xi = xi32[SIW-1:0];
    wire unused_ix = ^{bi32[31:BIW], xi32[31:SIW]};
    assign b_bit = all_bias[bi];
    assign x_bit = in_data[xi];
  end else begin : g_ix1
    // As the setting muxes below: 4:1 muxes on k[1:0] (the operand padded with its sign to a
    // multiple of 4), then the group; beyond the top bit the sign.
    localparam integer BG  = (BIAS_W + 3) / 4, SG = (SUM_W + 3) / 4;
    localparam integer BGW = zn_idxw(BG), SGW = zn_idxw(SG);
    wire [4*BG-1:0] bpad = {{(4*BG-BIAS_W){all_bias[BIAS_W-1]}}, all_bias};
    wire [4*SG-1:0] spad = {{(4*SG-SUM_W){in_data[SUM_W-1]}}, in_data};
    (* keep *) wire [BG-1:0] bq;
    (* keep *) wire [SG-1:0] sq;
    genvar e;
    for (e = 0; e < BG; e = e + 1) begin : g_bq
      wire [3:0] grp = bpad[4*e +: 4];
      assign bq[e] = grp[k[1:0]];
    end
    for (e = 0; e < SG; e = e + 1) begin : g_sq
      wire [3:0] grp = spad[4*e +: 4];
      assign sq[e] = grp[k[1:0]];
    end
    wire [BGW-1:0] bgi = k32[BGW+1:2];
    wire [SGW-1:0] sgi = k32[SGW+1:2];
    assign b_bit = (k32 >= BIAS_W) ? all_bias[BIAS_W-1] : bq[bgi];
    assign x_bit = (k32 >= SUM_W) ? in_data[SUM_W-1] : sq[sgi];
  end endgenerate
  // The acc bit is not kept itself: stage B's operand acc_k ? M : 0 is registered instead (mg, the
  // flip-flops' synchronous reset clears it), so the adder's inputs are two registers and it needs
  // one LUT a bit (an AND in front of the carry chain would be a second one).
  reg  ca;
  reg  [MULT_W-1:0] mg;
  wire ca_in = (k != {KW{1'b0}}) && ca;
  // (keep: one LUT drives the reset pins; without it logic optimization copies the acc bit's
  // logic into every flip-flop's data input)
  (* keep *) wire a_zero;   // the acc bit is 0 (no inverter after the XOR: a reset of positive polarity)
  wire [2:0] rc;          // the word's rounding code
  wire       m_fl = HAS_FL && rc == 3'd4;
  wire [7:0] k8 = {{(8-KW){1'b0}}, k};
  generate if (HAS_FL) begin : g_fa
    // float32: pass 0 measures acc (na), passes 1-2 round it at bit ea (a serial round to nearest,
    // ties to even: bits below ea are 0, bit ea - 1 (ra) and the sticky bit below it (sa) start the
    // carry into bit ea, q0 = bit ea breaks a tie).
    wire a_raw = b_bit ^ x_bit ^ ca_in;
    reg  [7:0] na, ae1;   // the last k with acc bit k != bit k-1 (bitlen(acc ^ sign)); ea - 1
    reg        pa, a_en;  // acc bit k-1; this word rounds a (float32, ea >= 1)
    reg        sa, ra, fa, cra;
    wire on  = a_en && (ph != 2'd0);
    wire lo  = on && (k8 < ae1);    // bits below ea - 1
    wire at  = on && (k8 == ae1);   // bit ea - 1
    wire cin = (k != {KW{1'b0}}) && (fa ? ra & (sa | a_raw) : cra);
    assign a_zero = (lo || at) ? 1'b1 : ~(a_raw ^ cin);
    always @(posedge clk) begin
      pa  <= a_raw;
      if (k == {KW{1'b0}}) na <= 8'd0;
      else if (a_raw != pa) na <= k8;
      if (at_end && ph == 2'd0) begin
        a_en <= m_fl && na > 8'd24;
        ae1  <= na - 8'd25;
      end
      sa  <= ((k != {KW{1'b0}}) && sa) || (lo && a_raw);
      if (at) ra <= a_raw;
      fa  <= at;
      cra <= !(lo || at) && a_raw && cin;
    end
  end else begin : g_fa0
    assign a_zero = ~b_bit ^ x_bit ^ ca_in;
    wire unused_fa = ^{k8, ph};
  end endgenerate
  always @(posedge clk) begin
    ca <= (b_bit & x_bit) | (b_bit & ca_in) | (x_bit & ca_in);
    if (a_zero) mg <= {MULT_W{1'b0}};
    else        mg <= m_r;
  end

  // ---------------- stage B (k = 1 .. T): p bit k-1 ----------------
  reg  [MULT_W-1:0] acc_r;    // R
  reg               p_bit;
  wire [MULT_W:0]   t = {1'b0, mg} + {1'b0, acc_r};
  always @(posedge clk) begin
    if (k == {KW{1'b0}}) acc_r <= {MULT_W{1'b0}};
    else acc_r <= t[MULT_W:1];
    p_bit <= t[0];
  end

  // ---------------- stage C (k = 2 .. T+1): p bit k-2 ----------------
  // c = i - s for p bit i: negative bits are dropped (c = -1 is bit s-1, the rounding bit), c >= 0
  // is q bit c. Set to -s-1 at k = 0, counted up from k = 1, so stage C sees i - s.
  reg  [7:0] c;
  reg        cv;          // carry of zy + q (+ the rounding bit)
  reg        lt, gt;      // v < lo, v > hi so far
  reg  [7:0] vlow;
  wire       c_on   = (k >= 2) && !at_end;
  wire       c_sign = (k == K_LAST);
  wire       low_on = c_on && (c[7:3] == 5'd0);   // q bits 0 .. 7: the code's bits
  wire       z_bit, lo_bit, hi_bit;
  wire [7:0] code;
  // Modes: rnd = round to nearest (the bit s-1 starts the carry); at bit s the carry is gated:
  // half_even and float32 by sticky | q0, gemmlowp (s > 31) by sticky | !neg.
  wire       rnd   = (rc == 3'd1) || (HAS_HE && rc == 3'd2) || (HAS_GM && rc == 3'd3) || m_fl;
  wire       m_he  = (HAS_HE && rc == 3'd2) || m_fl;
  wire       gm_hi = HAS_GM && rc == 3'd3 && s_r > 6'd31;
  // u = p + 2^30 for gemmlowp with s > 31 (p bit i at k = i + 2: bit 30 at k = 32), else p;
  // w = u, or for float32 B = p rounded at bit eb (pass 2): the stream stage C rounds at s.
  wire       u_bit, w_bit;
  wire       st_on;       // the bit counts into the sticky bit
  reg        st;          // sticky: a 1 among the dropped bits below s - 1
  wire       c_zero = (c == 8'd0);
  wire       gate;
  wire       cin    = c_zero ? cv & gate : cv;
  wire       v_bit  = w_bit ^ z_bit ^ cin;
  always @(posedge clk) begin
    if (k == {KW{1'b0}}) c <= {2'b11, ~s_r};
    else c <= c + 1'b1;                          // (wraps while a code waits at k = T + 2: unused then)
  end
  generate if (HAS_GM) begin : g_gm
    localparam [KW-1:0] K30 = 32;        // p bit 30
    localparam [KW-1:0] K31 = 33;        // p bit 31
    reg cg;                              // the incrementer's carry
    wire at30 = (k == K30);
    assign u_bit = p_bit ^ (at30 ? gm_hi : cg);
    always @(posedge clk) begin
      if (k == {KW{1'b0}}) cg <= 1'b0;
      else cg <= at30 ? (gm_hi & p_bit) : (cg & p_bit);
    end
    // acc's sign from stage A: at bit s (k = s + 2 >= 34 >= ACC_W - 1) stage A's bit is the sign.
    wire neg = !a_zero;
    assign st_on = !gm_hi || (k >= K31);
    assign gate  = m_he ? (st | w_bit) : gm_hi ? (st | !neg) : 1'b1;
  end else begin : g_gm0
    assign u_bit = p_bit;
    assign st_on = 1'b1;
    wire unused_gm = gm_hi;
    if (HAS_HE || HAS_FL) begin : g_he
      assign gate = m_he ? (st | w_bit) : 1'b1;
    end else begin : g_he0
      assign gate = 1'b1;
      wire unused_he = m_he;
    end
  end endgenerate
  generate if (HAS_FL) begin : g_fb
    // float32: pass 1 measures p (p bit k-2: nbk = the last k with a change, 2 when none), pass 2
    // rounds it at bit eb as stage A rounds acc (p bit eb - 1 at k = pe1 = eb + 1).
    reg  [7:0] nbk, pe1;
    reg        pp, b_en;
    reg        sb, rb, fb, crb;
    wire k01 = (k == {KW{1'b0}}) || (k == 1);
    wire on  = b_en && (ph == 2'd2);
    wire lo  = on && (k8 < pe1);
    wire at  = on && (k8 == pe1);
    wire bin = fb ? rb & (sb | u_bit) : crb;
    assign w_bit = (lo || at) ? 1'b0 : u_bit ^ bin;
    always @(posedge clk) begin
      pp <= !k01 && u_bit;
      if (k01) nbk <= 8'd2;
      else if (u_bit != pp) nbk <= k8;
      if (at_end && ph == 2'd1) begin
        b_en <= m_fl && nbk > 8'd26;
        pe1  <= nbk - 8'd25;
      end
      sb  <= !k01 && (sb || (lo && u_bit));
      if (at) rb <= u_bit;
      fb  <= at;
      crb <= !k01 && !(lo || at) && u_bit && bin;
    end
  end else begin : g_fb0
    assign w_bit = u_bit;
  end endgenerate
  always @(posedge clk) begin
    if (k == {KW{1'b0}} || k == 1) st <= 1'b0;
    else if (c_on && c[7] && c != 8'hFF && st_on) st <= st | w_bit;
  end
  always @(posedge clk) begin
    if (k == {KW{1'b0}} || k == 1) begin
      cv <= 1'b0;
      lt <= 1'b0;
      gt <= 1'b0;
    end else if (c_on) begin
      if (c[7]) begin
        if (c == 8'hFF) cv <= rnd & w_bit;
      end else begin
        cv <= (w_bit & z_bit) | (w_bit & cin) | (z_bit & cin);
        if (v_bit != lo_bit) lt <= c_sign ? v_bit : !v_bit;
        if (v_bit != hi_bit) gt <= c_sign ? !v_bit : v_bit;
      end
    end
    if (low_on) vlow <= {v_bit, vlow[7:1]};
  end
  // The setting's bits, sign-extended: each set's bit by a mux on the bit index, then the set (not
  // a mux of the sets' words and then one of its bits). The muxes are built from 4:1 muxes on
  // c[1:0] (one LUT6 each; keep: left whole, logic optimization maps the plain trees worse); the
  // sign extension and the upper bits share the last LUT. With several sets the code's clamp bits
  // are taken from the lo / hi streams as they pass (8 flip-flops each) instead of a second set mux.
  wire [NUM_SETS-1:0] z_s, lo_s, hi_s;
  genvar h, e;
  generate for (h = 0; h < NUM_SETS; h = h + 1) begin : g_set
    wire [31:0] zw = zero[h*32 +: 32];
    wire [15:0] lw = clamp_lo[h*16 +: 16];
    wire [15:0] hw = clamp_hi[h*16 +: 16];
    (* keep *) wire [7:0] zq;
    (* keep *) wire [3:0] lq, hq;
    for (e = 0; e < 8; e = e + 1) begin : g_q8
      wire [3:0] zg = zw[4*e +: 4];
      assign zq[e] = zg[c[1:0]];
    end
    for (e = 0; e < 4; e = e + 1) begin : g_q4
      wire [3:0] lg = lw[4*e +: 4];
      wire [3:0] hg = hw[4*e +: 4];
      assign lq[e] = lg[c[1:0]];
      assign hq[e] = hg[c[1:0]];
    end
    assign z_s[h]  = (c[6:5] != 2'd0) ? zw[31] : zq[c[4:2]];
    assign lo_s[h] = (c[6:4] != 3'd0) ? lw[15] : lq[c[3:2]];
    assign hi_s[h] = (c[6:4] != 3'd0) ? hw[15] : hq[c[3:2]];
  end endgenerate
  generate if (NUM_SETS > 1) begin : g_sets
    (* keep *) wire z_k, lo_k, hi_k;
    assign z_k  = z_s[set_sel];
    assign lo_k = lo_s[set_sel];
    assign hi_k = hi_s[set_sel];
    reg  [7:0] lo_low, hi_low;
    assign z_bit  = z_k;
    assign lo_bit = lo_k;
    assign hi_bit = hi_k;
    assign rc     = rounding[set_sel*3 +: 3];
    always @(posedge clk) begin
      if (low_on) begin
        lo_low <= {lo_bit, lo_low[7:1]};
        hi_low <= {hi_bit, hi_low[7:1]};
      end
    end
    assign code = lt ? lo_low : gt ? hi_low : vlow;
  end else begin : g_set1
    assign z_bit  = z_s[0];
    assign lo_bit = lo_s[0];
    assign hi_bit = hi_s[0];
    assign rc     = rounding;
    assign code   = lt ? clamp_lo[7:0] : gt ? clamp_hi[7:0] : vlow;
    wire unused_sel = ^set_sel;
  end endgenerate

  // ---------------- result word ----------------
  generate if (LANES > 1) begin : g_res
    integer q;
    always @(posedge clk) begin
      for (q = 0; q < LANES; q = q + 1) begin
        if (wr && {{(32-RW){1'b0}}, r} == q) res[q*8 +: 8] <= code;
      end
    end
  end else begin : g_res1
    always @(posedge clk) begin
      if (wr) res <= code;
    end
  end endgenerate

endmodule
