// zn_seq: the sequential ("layer-folded") engine, the smallest point of the folding curve. ONE
// multiply-accumulate and ONE zn_requant_serial are shared by all NUM_LAYERS dense layers; the
// whole network is computed one output after another.
//
// Arithmetic: exactly the spec, as zn_mvau + zn_requant_serial compute it. Layer l, output o:
//   sum = sum_i w[o,i] * x_i  (w int8; x_i the input code read as int8 if L_IN_SIGNED[l] else uint8),
// then zn_requant_serial with channel o's bias_eff / M / s and layer l's l_round / l_zero / l_clamp
// ({clamp_hi, clamp_lo} at [l*32 +: 32]): the requantizer gets every layer's (NUM_SETS =
// NUM_LAYERS) and the layer of the sum it holds (set_sel = hold_l), no layer mux here. Layer l's
// codes are layer l+1's input codes. SUM_W (at least every layer's proven sum width; checked) is
// the accumulator and the requantizer's sum width.
//
// Memories:
//  - weights: ONE zn_param_ram (BANKS 1, DEPTH sum_l IN_l*OUT_l, WORD_W 8), the layers back to
//    back (layer l at WBASE_l = sum_{j<l} IN_j*OUT_j, w[o,i] at WBASE_l + o*IN_l + i), so the MAC
//    walks one address counter through the whole network;
//  - quantization: the zn_param_ram inside ONE zn_requant_serial #(LANES 1, OUT sum_l OUT_l): its
//    word counter walks the channels of all layers in order (layer l's channel o at QBASE_l + o);
//  - activations: a double-buffered input memory (2 halves of 2^clog2(IN_0) codes, written by the
//    in stream) and, for NUM_LAYERS > 1, a ping-pong memory of 2 halves for the codes between
//    layers (layer l < L-1 writes half l mod 2, layer l >= 1 reads half (l-1) mod 2); block RAM.
//    Each memory's output register is zero unless the issuing layer reads that memory (the block
//    RAM's output reset), and the DSP48E1's pre-adder adds the two: the code operand needs no mux.
//
// Parameter window (cfg_*): answers and stored contents are those of NUM_LAYERS x 2 separate
// zn_param_ram memories, kind 0 of layer l = (BANKS 1, DEPTH IN_l*OUT_l, WORD_W 8), kind 1 =
// (BANKS 1, DEPTH OUT_l, WORD_W BIAS_W+MULT_W+6): an address adapter checks the address against the
// layer's geometry, forwards valid requests to the pool at base + depth, and answers invalid ones
// itself (err, rdata 0); cfg_next is computed from the layer's geometry exactly as zn_param_ram does
// (next valid chunk, or address + 1 outside the memory): an address is in range iff it is at most
// the memory's last address (and its chunk field is a valid chunk); on that last address cfg_next
// is the memory's size 2^(address bits), otherwise address + 1 with the chunk field forced to ones
// on a last chunk (a carry chain, no per-bit LUT). Every request is answered exactly four
// cycles after it (one cfg_ack cycle; the answer outputs are zero otherwise). The request fields
// must hold until the answer (zn_axil_regs holds them). One difference from separate memories:
// the quant pool has ONE staging register for the chunks below a word's last one, so a word whose
// chunks are interleaved with chunk writes of ANOTHER layer's quant memory (the register map says
// to write a word's chunks in order) commits the other layer's staged chunks.
//
// Schedule (fixed, independent of the data; D = the requantizer's accept delay, T + 4, or
// 3 * (T + 3) + 1 with float32 built, PipelineTiming.serialRequantAcceptDelay with one lane; word
// cycles D + 1):
//  - input: code k of an image is written to the free input half; in_ready is high exactly while
//    the half being filled is not full (a half is full from the cycle after its last code is
//    accepted until the cycle after layer 0 issued its last read of it).
//  - MAC: one weight x code product a cycle ("issue"), outputs in order, a layer's outputs one after
//    another. Output w's elements 0 .. IN-2 issue back to back from s_w; its last element issues
//    at e_w = max(s_w + IN - 1, a_{w-1} + 1), a_{w-1} the cycle the requantizer accepted the
//    previous output (the holding register is free); the next output starts at s_{w+1} = e_w + 1.
//    The sum is in the holding register (the requantizer's input) from e_w + 5; the requantizer
//    accepts it at a_w = e_w + 5 + D and offers the code at a_w + 1 (out_valid for the last layer;
//    otherwise stored into the ping-pong memory in that cycle).
//  - layer l+1 (same image) starts at a + 2, a the accept of layer l's last output. Layer 0 of an
//    image starts at max(e + 1, F), e the last issue of the previous image, F the cycle after the
//    image's last input code was accepted.
// So a layer costs about (OUT - 1) * max(IN, D + 6) + IN + D + 6 cycles.
module zn_seq #(
  parameter integer NUM_LAYERS = 2,
  parameter [NUM_LAYERS*32-1:0] L_IN  = {32'd3, 32'd4},
  parameter [NUM_LAYERS*32-1:0] L_OUT = {32'd2, 32'd3},
  parameter [NUM_LAYERS-1:0]    L_IN_SIGNED = {NUM_LAYERS{1'b1}},
  parameter integer SUM_W  = 32,
  parameter integer BIAS_W = 33,
  parameter integer MULT_W = 32,
  // The rounding modes the requantizer builds (zn_requant_serial's ROUNDINGS: floor, half_up,
  // half_even, gemmlowp, float32; bits 0-4; float32 makes its words three passes long);
  // l_round is layer l's code at [l*3 +: 3].
  parameter integer ROUNDINGS = 3
) (
  input  wire                    clk,
  input  wire                    rst,
  input  wire [7:0]              in_data,
  input  wire                    in_valid,
  output wire                    in_ready,
  output wire [7:0]              out_data,
  output wire                    out_valid,
  input  wire                    out_ready,
  input  wire [NUM_LAYERS*3-1:0] l_round,
  input  wire [NUM_LAYERS*32-1:0] l_zero,
  input  wire [NUM_LAYERS*32-1:0] l_clamp,
  input  wire                    cfg_req,
  input  wire                    cfg_we,
  input  wire [15:0]             cfg_layer,
  input  wire                    cfg_kind,
  input  wire [31:0]             cfg_addr,
  input  wire [31:0]             cfg_wdata,
  output wire                    cfg_ack,
  output wire [31:0]             cfg_rdata,
  output wire                    cfg_err,
  output reg  [31:0]             cfg_next
);
`include "zn_func.vh"
  localparam integer L = NUM_LAYERS;

  // ---------------- elaboration-time geometry ----------------
  function integer f_in;  input integer j; f_in  = L_IN[j*32 +: 32];  endfunction
  function integer f_out; input integer j; f_out = L_OUT[j*32 +: 32]; endfunction
  function integer f_wbase;   // weights before layer n
    input integer n;
    integer j;
    begin
      f_wbase = 0;
      for (j = 0; j < n; j = j + 1) f_wbase = f_wbase + f_in(j) * f_out(j);
    end
  endfunction
  function integer f_qbase;   // channels before layer n
    input integer n;
    integer j;
    begin
      f_qbase = 0;
      for (j = 0; j < n; j = j + 1) f_qbase = f_qbase + f_out(j);
    end
  endfunction
  function integer f_maxin;
    input integer first;
    integer j;
    begin
      f_maxin = 1;
      for (j = first; j < L; j = j + 1) if (f_in(j) > f_maxin) f_maxin = f_in(j);
    end
  endfunction
  function integer f_maxout;
    input integer dummy;
    integer j;
    begin
      f_maxout = 1 + 0 * dummy;
      for (j = 0; j < L; j = j + 1) if (f_out(j) > f_maxout) f_maxout = f_out(j);
    end
  endfunction
  // 1 when bit n is set in some layer's window size (2^(address bits) of its weight or quant memory).
  function integer f_powbit;
    input integer n;
    integer j, cbits, wb, qb;
    begin
      cbits = ((BIAS_W + MULT_W + 6 + 31) / 32 > 1) ? $clog2((BIAS_W + MULT_W + 6 + 31) / 32) : 0;
      f_powbit = 0;
      for (j = 0; j < L; j = j + 1) begin
        wb = (f_in(j) * f_out(j) > 1) ? $clog2(f_in(j) * f_out(j)) : 0;
        qb = ((f_out(j) > 1) ? $clog2(f_out(j)) : 0) + cbits;
        if (n == wb || n == qb) f_powbit = 1;
      end
    end
  endfunction
  // a <= k for a constant k, as plain gates from the least significant bit up (logic optimization
  // folds it into a few LUTs; a comparator would be mapped to carry-lookahead LUTs).
  function f_le;
    input [31:0] a;
    input [31:0] k;
    integer n;
    begin
      f_le = 1'b1;
      for (n = 0; n < 32; n = n + 1) f_le = k[n] ? (!a[n] || f_le) : (!a[n] && f_le);
    end
  endfunction
  // 1 when the parameters are bad: a count below 1 or above 2^24, a broken chain, more than 2^30
  // weights, SUM_W below a layer's proven sum width (the zn_mvau bound), widths out of range.
  function integer f_bad;
    input integer dummy;
    integer j;
    reg signed [63:0] tmin, tmax;
    reg [63:0] wsum;
    begin
      wsum = 64'd0;
      f_bad = (L < 1 || SUM_W < 2 || SUM_W > 64 || BIAS_W < 2 || BIAS_W > 64 || MULT_W < 1 || MULT_W > 32) ? 1 : 0 * dummy;
      for (j = 0; j < L; j = j + 1) begin
        if (f_in(j) < 1 || f_out(j) < 1 || f_in(j) > 16777216 || f_out(j) > 16777216) f_bad = 1;
        else begin
          tmin = L_IN_SIGNED[j] ? -64'sd16256 : -64'sd32640;
          tmax = L_IN_SIGNED[j] ?  64'sd16384 :  64'sd32385;
          if (SUM_W < zn_sbits(tmin * f_in(j), tmax * f_in(j))) f_bad = 1;
        end
        if (j >= 1) begin
          if (f_in(j) != f_out(j - 1)) f_bad = 1;
        end
        wsum = wsum + f_in(j) * f_out(j);
        if (wsum > 64'd1073741824) f_bad = 1;   // the weight pool's addresses fit 30 bits
      end
    end
  endfunction

  generate if (f_bad(0) != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_seq: NUM_LAYERS (%0d) >= 1, L_IN/L_OUT counts 1..2^24 chained (L_IN[i+1] == L_OUT[i]), at most 2^30 weights, SUM_W (%0d) 2..64 and >= every layer's proven sum width, BIAS_W (%0d) 2..64, MULT_W (%0d) 1..32",
           NUM_LAYERS, SUM_W, BIAS_W, MULT_W);
`else
    zn_param_error__zn_seq_bad_parameters u_param_error();
`endif
  end endgenerate

  localparam integer IN0    = f_in(0);
  localparam integer WTOT   = f_wbase(L);
  localparam integer QTOT   = f_qbase(L);
  localparam integer MAXIN  = f_maxin(0);
  localparam integer MAXMID = (L > 1) ? f_maxin(1) : 1;   // codes between layers
  localparam integer MAXOUT = f_maxout(0);
  localparam integer QW     = BIAS_W + MULT_W + 6;
  localparam integer CHUNKS = (QW + 31) / 32;
  localparam integer CB     = (CHUNKS > 1) ? $clog2(CHUNKS) : 0;
  localparam integer WAW    = (WTOT > 1) ? $clog2(WTOT) : 1;   // the weight pool's address width
  localparam integer LW     = zn_idxw(L);
  localparam integer IW     = zn_idxw(MAXIN);
  localparam integer OW     = zn_idxw(MAXOUT);
  localparam integer XW     = zn_idxw(IN0);                   // input half address
  localparam integer MW     = zn_idxw(MAXMID);                // ping-pong half address
  localparam integer ACC_W  = ((SUM_W > 17) ? SUM_W : 17) + 1;

  // ---------------- per-layer constants picked by a layer index ----------------
  // The counters compare with each layer's constants; the issuing / storing layer picks a flag.
  reg [IW-1:0]  ii;           // input of the issuing output
  reg [OW-1:0]  oo;           // output of the issuing layer
  reg [OW-1:0]  st_o;         // output of the storing layer
  wire [L-1:0]  k_i_last, k_o_last, k_st_last;
  genvar g;
  generate for (g = 0; g < L; g = g + 1) begin : g_k
    localparam integer IM1 = f_in(g) - 1;
    localparam integer OM1 = f_out(g) - 1;
    assign k_i_last[g]  = (ii == IM1[IW-1:0]);
    assign k_o_last[g]  = (oo == OM1[OW-1:0]);
    assign k_st_last[g] = (st_o == OM1[OW-1:0]);
  end endgenerate
  reg          i_last, o_last, st_o_last;
  reg          iss_signed;
  reg [LW-1:0] iss_l, st_l, hold_l;
  integer j;
  always @* begin
    i_last = k_i_last[0];
    o_last = k_o_last[0];
    iss_signed = L_IN_SIGNED[0];
    st_o_last = k_st_last[0];
    for (j = 1; j < L; j = j + 1) begin
      if ({{(32-LW){1'b0}}, iss_l} == j) begin
        i_last     = k_i_last[j];
        o_last     = k_o_last[j];
        iss_signed = L_IN_SIGNED[j];
      end
      if ({{(32-LW){1'b0}}, st_l} == j) st_o_last = k_st_last[j];
    end
  end
  localparam integer L_M1 = L - 1;
  localparam [LW-1:0] L_LAST = L_M1[LW-1:0];

  // ---------------- input: double-buffered input codes ----------------
  reg [XW-1:0] wi;            // next code of the half being filled
  reg          whalf, rhalf;  // half being filled / read by layer 0
  reg [1:0]    full;
  localparam integer IN0_M1I = IN0 - 1;
  localparam [XW-1:0] IN0_M1 = IN0_M1I[XW-1:0];
  assign in_ready = !full[whalf];
  wire in_take = in_valid && in_ready;
  (* ram_style = "block" *) reg [7:0] in_mem [0:(2 << XW)-1];
  always @(posedge clk) begin
    if (in_take) in_mem[{whalf, wi}] <= in_data;
  end

  // ---------------- issue: one weight x code a cycle ----------------
  reg [WAW-1:0] wa;
  reg           wait_store;   // layer iss_l >= 1 waits until the previous layer's codes are stored
  reg           nf;           // the next issue is an output's first element (ii == 0)
  reg           p1_v, p1_f, p1_l, p1_s;   // stage 1: issued, first / last element, signed
  reg           p2_v, p2_f, p2_l;
  reg           p3_v, p3_f, p3_l, p4_l;
  reg [LW-1:0]  p1_lay, p2_lay, p3_lay, p4_lay;
  reg           hold_valid;
  wire          rq_accept;
  wire          l_last = (iss_l == L_LAST);
  wire          pending = hold_valid || p1_l || p2_l || p3_l || p4_l;
  wire          can = (iss_l == {LW{1'b0}}) ? full[rhalf] : !wait_store;
  wire          go = can && !(i_last && pending);
  wire          lay_end = go && i_last && o_last;
  wire          st_take;
  wire          st_lay_end;

  always @(posedge clk) begin
    if (rst) begin
      iss_l <= {LW{1'b0}};
      wait_store <= 1'b0;
      whalf <= 1'b0;
      rhalf <= 1'b0;
      full <= 2'b00;
    end else begin
      if (in_take && wi == IN0_M1) whalf <= !whalf;
      // full[h]: set by the last code of the half, cleared by layer 0's last read of it (never both).
      full[0] <= (full[0] || (in_take && wi == IN0_M1 && !whalf)) &&
                 !(lay_end && iss_l == {LW{1'b0}} && !rhalf);
      full[1] <= (full[1] || (in_take && wi == IN0_M1 && whalf)) &&
                 !(lay_end && iss_l == {LW{1'b0}} && rhalf);
      if (lay_end) begin
        iss_l <= l_last ? {LW{1'b0}} : iss_l + 1'b1;
        if (iss_l == {LW{1'b0}}) rhalf <= !rhalf;
      end
      // Set at a non-last layer's last issue; cleared when its last code is stored (>= 6 cycles later).
      if (lay_end && !l_last) wait_store <= 1'b1;
      else if (st_lay_end) wait_store <= 1'b0;
    end
  end

  // The counters wrap to zero through the flip-flops' synchronous reset (one reset term a counter,
  // no per-bit clear mux in front of the incrementer).
  always @(posedge clk) begin
    if (rst || (in_take && wi == IN0_M1)) wi <= {XW{1'b0}};
    else if (in_take)                     wi <= wi + 1'b1;
    if (rst || (go && i_last && o_last && l_last)) wa <= {WAW{1'b0}};
    else if (go)                                   wa <= wa + 1'b1;
    if (rst || (go && i_last)) ii <= {IW{1'b0}};
    else if (go)               ii <= ii + 1'b1;
    if (rst || (go && i_last && o_last)) oo <= {OW{1'b0}};
    else if (go && i_last)               oo <= oo + 1'b1;
  end

  // weights: read at issue, rd_data two cycles later
  wire [7:0] w_q;
  wire       w_cfg_ack, w_cfg_err;
  wire [31:0] w_cfg_rdata, w_cfg_next;
  reg         w_cfg_req, q_cfg_req;
  zn_param_ram #(.BANKS(1), .DEPTH(WTOT), .WORD_W(8), .RAM_STYLE(1)) u_weights (   // block RAM even when small: LUTs count here
    .clk(clk), .rst(rst), .ce(1'b1), .rd_en(go), .rd_addr(wa), .rd_data(w_q),
    .cfg_req(w_cfg_req), .cfg_we(cfg_we), .cfg_addr({{(32-WAW){1'b0}}, c_waddr}), .cfg_wdata(cfg_wdata),
    .cfg_ack(w_cfg_ack), .cfg_rdata(w_cfg_rdata), .cfg_err(w_cfg_err), .cfg_next(w_cfg_next));

  // codes: read at issue from the input half (layer 0) or the ping-pong half (layer >= 1)
  reg  [7:0] x_in_q;
  wire [7:0] x_mid_q;
  // Each memory's output register is zero unless the issuing layer reads that memory (the block
  // RAM's output reset), so the code is the SUM of the two, formed in the DSP's pre-adder.
  wire rd_in = (iss_l == {LW{1'b0}});
  always @(posedge clk) begin
    if (!rd_in) x_in_q <= 8'd0;
    else        x_in_q <= in_mem[{rhalf, ii[XW-1:0]}];
  end

  // ---------------- pipeline: stage 1 codes, stage 2 product, stage 3 accumulate, stage 4 the sum ----------------
  reg        [8:0]       x2;
  reg signed [16:0]      pr;
  reg        [ACC_W-1:0] acc;
  reg        [SUM_W-1:0] hold;
  wire       [ACC_W-1:0] acc_next = (p3_f ? {ACC_W{1'b0}} : acc) + {{(ACC_W-17){pr[16]}}, pr};
  always @(posedge clk) begin
    if (rst) begin
      p1_v <= 1'b0; p2_v <= 1'b0; p3_v <= 1'b0;
      p1_l <= 1'b0; p2_l <= 1'b0; p3_l <= 1'b0; p4_l <= 1'b0;
      hold_valid <= 1'b0;
      nf <= 1'b1;
      // (the delay lines below are reset only so that they stay flip-flops, not SRL16 LUTs)
      p1_f <= 1'b0; p2_f <= 1'b0; p3_f <= 1'b0;
      p1_lay <= {LW{1'b0}}; p2_lay <= {LW{1'b0}}; p3_lay <= {LW{1'b0}}; p4_lay <= {LW{1'b0}};
    end else begin
      if (go) nf <= i_last;
      p1_f   <= nf;
      p2_f   <= p1_f;
      p3_f   <= p2_f;
      p1_lay <= iss_l;
      p2_lay <= p1_lay;
      p3_lay <= p2_lay;
      p4_lay <= p3_lay;
      p1_v <= go;
      p1_l <= go && i_last;
      p2_v <= p1_v;
      p2_l <= p1_l;
      p3_v <= p2_v;
      p3_l <= p2_l;
      p4_l <= p3_l;
      if (p4_l) hold_valid <= 1'b1;
      else if (rq_accept) hold_valid <= 1'b0;
    end
    p1_s   <= iss_signed;
    x2     <= {L_IN_SIGNED[0] & x_in_q[7], x_in_q} + {p1_s & x_mid_q[7], x_mid_q};
    pr     <= $signed(w_q) * $signed(x2);
    if (p3_v) acc <= acc_next;      // the multiply-accumulate packs into one DSP48E1 (M and P registers)
    if (p4_l) begin
      hold   <= acc[SUM_W-1:0];
      hold_l <= p4_lay;
    end
  end
  wire unused_acc = ^acc[ACC_W-1:SUM_W];

  // ---------------- the requantizer (holds the quant pool) ----------------
  wire [7:0] rq_out;
  wire       rq_out_valid, rq_out_ready;
  wire       q_cfg_ack, q_cfg_err;
  wire [31:0] q_cfg_rdata, q_cfg_next;
  // The quant pool in block RAM at any depth: a small one would otherwise be ~72 LUTs of RAM32M
  // (the smallest design counts LUTs; block RAM is plentiful there). Every layer's round / zero /
  // clamp goes in (NUM_SETS = L); hold_l, held with the sum, picks the layer's: the requantizer
  // indexes {layer, bit} directly instead of a mux of whole words here.
  wire [L*16-1:0] rq_lo, rq_hi;
  generate for (g = 0; g < L; g = g + 1) begin : g_clamp
    assign rq_lo[g*16 +: 16] = l_clamp[g*32 +: 16];
    assign rq_hi[g*16 +: 16] = l_clamp[g*32 + 16 +: 16];
  end endgenerate
  zn_requant_serial #(.LANES(1), .OUT(QTOT), .SUM_W(SUM_W), .BIAS_W(BIAS_W), .MULT_W(MULT_W),
                      .PARAM_RAM_STYLE(1), .NUM_SETS(L), .ROUNDINGS(ROUNDINGS)) u_requant (
    .clk(clk), .rst(rst), .in_data(hold), .in_valid(hold_valid), .in_ready(rq_accept),
    .out_data(rq_out), .out_valid(rq_out_valid), .out_ready(rq_out_ready),
    .rounding(l_round), .zero(l_zero), .clamp_lo(rq_lo), .clamp_hi(rq_hi), .set_sel(hold_l),
    .cfg_req(q_cfg_req), .cfg_we(cfg_we), .cfg_addr({{(32-QAW){1'b0}}, c_qaddr}), .cfg_wdata(cfg_wdata),
    .cfg_ack(q_cfg_ack), .cfg_rdata(q_cfg_rdata), .cfg_err(q_cfg_err), .cfg_next(q_cfg_next));

  // ---------------- store: the codes of a non-last layer go to the ping-pong memory ----------------
  wire st_is_last = (st_l == L_LAST);
  assign rq_out_ready = !st_is_last || out_ready;
  assign out_valid    = rq_out_valid && st_is_last;
  assign out_data     = rq_out;
  assign st_take      = rq_out_valid && rq_out_ready;
  assign st_lay_end   = st_take && st_o_last && !st_is_last;
  always @(posedge clk) begin
    if (rst) st_l <= {LW{1'b0}};
    else if (st_take && st_o_last) st_l <= st_is_last ? {LW{1'b0}} : st_l + 1'b1;
    if (rst || (st_take && st_o_last)) st_o <= {OW{1'b0}};
    else if (st_take)                  st_o <= st_o + 1'b1;
  end
  generate if (L > 1) begin : g_mid
    (* ram_style = "block" *) reg [7:0] mid_mem [0:(2 << MW)-1];
    reg [7:0] mid_q;
    always @(posedge clk) begin
      if (st_take && !st_is_last) mid_mem[{st_l[0], st_o[MW-1:0]}] <= rq_out;
      if (rd_in) mid_q <= 8'd0;
      else       mid_q <= mid_mem[{!iss_l[0], ii[MW-1:0]}];
    end
    assign x_mid_q = mid_q;
    if (OW > MW) begin : g_st_hi
      wire unused_st = ^st_o[OW-1:MW];
    end
  end else begin : g_nomid
    assign x_mid_q = 8'd0;
  end endgenerate

  // ---------------- parameter window: per-layer geometry on the two pools ----------------
  // Decode (combinational on the held request fields): ok, last chunk, last chunk of the last depth,
  // the depth mask, and the pool address.
  localparam [31:0] CMASK = (32'd1 << CB) - 32'd1;
  localparam integer QDBP = (QTOT > 1) ? $clog2(QTOT) : 0;
  localparam integer QAW  = (QDBP + CB > 0) ? QDBP + CB : 1;   // the quant pool's used address bits
  localparam integer CHUNKS_M1 = CHUNKS - 1;
  localparam [31:0] CHUNK_MAX = CHUNKS_M1;
  wire [31:0]  c_chunk = cfg_addr & CMASK;
  wire         c_chunk_ok = f_le(c_chunk, CHUNK_MAX);
  wire         c_chunk_last = (c_chunk == CHUNK_MAX);
  // Only the layer index's low bits are decoded: cfg_layer < NUM_LAYERS is guaranteed.
  wire [LW-1:0] c_layer = cfg_layer[LW-1:0];
  generate if (LW < 16) begin : g_lay_hi
    wire unused_layer = ^cfg_layer[15:LW];
  end endgenerate
  // Per layer: in range, last chunk of the last depth, the depth mask of cfg_next (zn_param_ram's rules:
  // bits above the memory's field zero, a field at most its count - 1).
  wire [L-1:0]    d_ok, d_lcd;
  wire [L*32-1:0] d_pow;
  wire [L*WAW-1:0] d_wbase;
  wire [L*QAW-1:0] d_qbase;
  generate for (g = 0; g < L; g = g + 1) begin : g_dec
    localparam integer WD   = f_in(g) * f_out(g);
    localparam integer QD   = f_out(g);
    localparam integer WDB  = (WD > 1) ? $clog2(WD) : 0;
    localparam integer QDBL = (QD > 1) ? $clog2(QD) : 0;
    localparam [31:0] WMASK = (32'd1 << WDB) - 32'd1;
    localparam [31:0] QMASK = (32'd1 << (QDBL + CB)) - 32'd1;
    // The last valid address of each memory: an address is in range iff it is at most that (and,
    // for the quant memory, its chunk field is a valid chunk); it is the last chunk of the last depth
    // iff it equals it.
    localparam [31:0] WLIM = WD - 1;
    localparam [31:0] QLIM = ((QD - 1) << CB) | CHUNKS_M1;
    wire w_le = f_le(cfg_addr, WLIM);
    wire q_le = f_le(cfg_addr, QLIM);
    assign d_ok[g]  = cfg_kind ? (q_le && c_chunk_ok) : w_le;
    assign d_lcd[g] = cfg_kind ? (cfg_addr == QLIM) : (cfg_addr == WLIM);
    assign d_pow[g*32 +: 32] = cfg_kind ? QMASK + 32'd1 : WMASK + 32'd1;
    localparam integer WBI = f_wbase(g);
    localparam integer QBI = f_qbase(g) << CB;
    assign d_wbase[g*WAW +: WAW] = WBI[WAW-1:0];
    assign d_qbase[g*QAW +: QAW] = QBI[QAW-1:0];
  end endgenerate
  reg          c_ok, c_lcd;
  reg [31:0]   c_pow;
  reg [WAW-1:0] c_wbase;
  reg [QAW-1:0] c_qbase;
  integer k;
  always @* begin
    c_ok = d_ok[0];
    c_lcd = d_lcd[0];
    c_pow = d_pow[31:0];
    c_wbase = {WAW{1'b0}};
    c_qbase = {QAW{1'b0}};
    for (k = 1; k < L; k = k + 1) begin
      if ({{(32-LW){1'b0}}, c_layer} == k) begin
        c_ok    = d_ok[k];
        c_lcd   = d_lcd[k];
        c_pow   = d_pow[k*32 +: 32];
        c_wbase = d_wbase[k*WAW +: WAW];
        c_qbase = d_qbase[k*QAW +: QAW];
      end
    end
  end
  wire c_lc = c_ok && (cfg_kind ? c_chunk_last : 1'b1);
  // Pool addresses (used only for requests in range): layer base + address.
  wire [WAW-1:0] c_waddr = cfg_addr[WAW-1:0] + c_wbase;
  wire [QAW-1:0] c_qaddr = cfg_addr[QAW-1:0] + c_qbase;
  always @* begin
    w_cfg_req  = cfg_req && c_ok && !cfg_kind;
    q_cfg_req  = cfg_req && c_ok && cfg_kind;
  end
  wire unused_cfg = ^{w_cfg_err, q_cfg_err, w_cfg_next, q_cfg_next, w_cfg_rdata[31:8]};
  // Answer pipeline: the pools answer valid requests four cycles later; an invalid one is answered
  // here (err). cfg_next from the held fields.
  reg r1, r2, r3, bad4;
  always @(posedge clk) begin
    if (rst) begin
      r1 <= 1'b0; r2 <= 1'b0; r3 <= 1'b0; bad4 <= 1'b0;
    end else begin
      r1 <= cfg_req;
      r2 <= r1;
      r3 <= r2;
      bad4 <= r3 && !c_ok;
    end
  end
  // cfg_next: on the last chunk of the last depth the memory's size, 2^(its address bits) (c_pow);
  // otherwise the address + 1 with the chunk field forced to all ones on a last chunk. A bit that
  // is zero in every layer's size is cleared through the flip-flop's synchronous reset.
  reg lcd3;   // c_lcd one cycle later (the fields are held until the answer)
  always @(posedge clk) lcd3 <= c_lcd;
  wire [31:0] c_inc = (cfg_addr | ({32{c_lc && cfg_kind}} & CMASK)) + 32'd1;
  generate for (g = 0; g < 32; g = g + 1) begin : g_next
    if (f_powbit(g) != 0) begin : g_p
      always @(posedge clk) begin
        if (rst || !r3) cfg_next[g] <= 1'b0;
        else            cfg_next[g] <= lcd3 ? c_pow[g] : c_inc[g];
      end
    end else begin : g_i
      wire unused_pow = c_pow[g];   // zero in every layer's size
      always @(posedge clk) begin
        if (rst || !r3 || lcd3) cfg_next[g] <= 1'b0;
        else                     cfg_next[g] <= c_inc[g];
      end
    end
  end endgenerate
  assign cfg_ack   = w_cfg_ack | q_cfg_ack | bad4;
  assign cfg_err   = bad4;
  // The weight pool's chunk is its 8-bit word zero-extended (zn_param_ram pads a word to its chunk
  // with zeros): only its low 8 bits are ORed.
  assign cfg_rdata = {q_cfg_rdata[31:8], q_cfg_rdata[7:0] | w_cfg_rdata[7:0]};
endmodule
