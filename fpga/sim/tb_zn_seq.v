// Testbench of zn_seq (SeqEngineTests). Two phases after reset:
//  1. the parameter window: +cfg=FILE, NCFG lines {req, we, kind, layer[15:0], addr[31:0], wdata[31:0]}
//     (83 bits), one a cycle. The oracle is 2 x NUM_LAYERS separate zn_param_ram memories with the
//     layers' geometries (kind 0: BANKS 1, DEPTH IN*OUT, WORD_W 8; kind 1: DEPTH OUT, WORD_W
//     BIAS_W+MULT_W+6): every cycle of the whole run, {cfg_ack, cfg_err, cfg_next, cfg_rdata} of the
//     DUT must equal the OR of the oracles' answers (counted: "CFG acks N mismatches M").
//  2. the streams, cycle 0 = the first cycle after phase 1. +codes=FILE: NCODE lines {abs[31:0],
//     gap[15:0], code[7:0]}: code k is offered from the first cycle >= abs that is at least gap
//     cycles after the cycle code k-1 was accepted (gap 0: the next cycle), and held until
//     accepted. +rdy=FILE: NRDY lines, out_ready of cycle n is line n mod NRDY. +lcfg=FILE:
//     NUM_LAYERS lines {round[2:0], zero[31:0], clamp[31:0]} (67 bits); ROUNDINGS: zn_seq's. RST_AT > 0: rst is high in that
//     cycle (in_valid and out_ready low), and the source restarts at code RST_SKIP.
//     Logs: +outs (out handshakes {cycle[31:0], code[7:0]}), +offers (cycles a new output word is first
//     valid), +accepts (cycles of input handshakes). Stops after NOUT outputs (after the
//     reset cycle when RST_AT > 0) or MAXCYC cycles. +cfg2=FILE: NCFG2 more parameter-window lines
//     (the format of +cfg), one a cycle from stream cycle 0, while the engine computes.
module tb_zn_seq;
  parameter integer NUM_LAYERS = 2;   // 1 .. 4
  parameter integer IN0 = 4, IN1 = 3, IN2 = 1, IN3 = 1, OUT0 = 3, OUT1 = 2, OUT2 = 1, OUT3 = 1, SIGNS = 0;
  localparam [127:0] IN_ALL  = {IN3[31:0], IN2[31:0], IN1[31:0], IN0[31:0]};
  localparam [127:0] OUT_ALL = {OUT3[31:0], OUT2[31:0], OUT1[31:0], OUT0[31:0]};
  localparam [NUM_LAYERS*32-1:0] L_IN  = IN_ALL[NUM_LAYERS*32-1:0];
  localparam [NUM_LAYERS*32-1:0] L_OUT = OUT_ALL[NUM_LAYERS*32-1:0];
  localparam [NUM_LAYERS-1:0]    L_IN_SIGNED = SIGNS[NUM_LAYERS-1:0];
  parameter integer SUM_W = 32, BIAS_W = 33, MULT_W = 32, ROUNDINGS = 3;
  parameter integer NCFG = 1, NCFG2 = 1, NCODE = 1, NRDY = 1, NOUT = 1, RST_AT = 0, RST_SKIP = 0, MAXCYC = 1000;
  localparam integer L = NUM_LAYERS;
  localparam integer QW = BIAS_W + MULT_W + 6;

  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  reg        cfg_req = 1'b0, cfg_we = 1'b0, cfg_kind = 1'b0;
  reg [15:0] cfg_layer = 16'd0;
  reg [31:0] cfg_addr = 32'd0, cfg_wdata = 32'd0;
  reg [7:0]  in_data = 8'd0;
  reg        in_valid = 1'b0, out_ready = 1'b0;
  reg [3*L-1:0]  l_round;
  reg [L*32-1:0] l_zero, l_clamp;
  wire       in_ready, out_valid, cfg_ack, cfg_err;
  wire [7:0] out_data;
  wire [31:0] cfg_rdata, cfg_next;
  zn_seq #(.NUM_LAYERS(NUM_LAYERS), .L_IN(L_IN), .L_OUT(L_OUT), .L_IN_SIGNED(L_IN_SIGNED),
           .SUM_W(SUM_W), .BIAS_W(BIAS_W), .MULT_W(MULT_W), .ROUNDINGS(ROUNDINGS)) dut (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready),
    .l_round(l_round), .l_zero(l_zero), .l_clamp(l_clamp),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_layer(cfg_layer), .cfg_kind(cfg_kind), .cfg_addr(cfg_addr),
    .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  // ---- the oracle: separate memories per layer and kind ----
  wire [2*L-1:0]    o_ack, o_err;
  wire [2*L*32-1:0] o_rdata, o_next;
  genvar g;
  generate for (g = 0; g < L; g = g + 1) begin : g_ref
    localparam integer IN = L_IN[g*32 +: 32];
    localparam integer OUT = L_OUT[g*32 +: 32];
    wire [7:0] unused_w;
    wire [QW-1:0] unused_q;
    zn_param_ram #(.BANKS(1), .DEPTH(IN * OUT), .WORD_W(8)) u_w (
      .clk(clk), .rst(rst), .ce(1'b0), .rd_en(1'b0), .rd_addr({((IN * OUT > 1) ? $clog2(IN * OUT) : 1){1'b0}}), .rd_data(unused_w),
      .cfg_req(cfg_req && cfg_layer == g && !cfg_kind), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
      .cfg_ack(o_ack[2*g]), .cfg_rdata(o_rdata[64*g +: 32]), .cfg_err(o_err[2*g]), .cfg_next(o_next[64*g +: 32]));
    zn_param_ram #(.BANKS(1), .DEPTH(OUT), .WORD_W(QW)) u_q (
      .clk(clk), .rst(rst), .ce(1'b0), .rd_en(1'b0), .rd_addr({((OUT > 1) ? $clog2(OUT) : 1){1'b0}}), .rd_data(unused_q),
      .cfg_req(cfg_req && cfg_layer == g && cfg_kind), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
      .cfg_ack(o_ack[2*g+1]), .cfg_rdata(o_rdata[64*g+32 +: 32]), .cfg_err(o_err[2*g+1]), .cfg_next(o_next[64*g+32 +: 32]));
  end endgenerate
  reg r_ack, r_err;
  reg [31:0] r_rdata, r_next;
  integer q;
  always @* begin
    r_ack = |o_ack;
    r_err = |o_err;
    r_rdata = 32'd0;
    r_next = 32'd0;
    for (q = 0; q < 2 * L; q = q + 1) begin
      r_rdata = r_rdata | o_rdata[32*q +: 32];
      r_next  = r_next | o_next[32*q +: 32];
    end
  end
  integer acks = 0, mism = 0;
  always @(posedge clk) begin
    if (!rst) begin
      if (cfg_ack) acks = acks + 1;
      if ({cfg_ack, cfg_err, cfg_next, cfg_rdata} !== {r_ack, r_err, r_next, r_rdata}) begin
        if (mism < 5) $display("tb_zn_seq: cfg mismatch at %0t: dut %b %b %h %h, ref %b %b %h %h", $time,
                               cfg_ack, cfg_err, cfg_next, cfg_rdata, r_ack, r_err, r_next, r_rdata);
        mism = mism + 1;
      end
    end
  end

  reg [82:0] cfgm [0:NCFG-1];
  reg [82:0] cfgm2 [0:NCFG2-1];
  reg [55:0] codes [0:NCODE-1];
  reg        rdy [0:NRDY-1];
  reg [66:0] lcfg [0:L-1];
  reg [8*256-1:0] path;
  integer fo, ff, fa, n, k, nout, last_acc, i;
  reg valid_prev, hs_prev, hs_in, hs_out;
  initial begin
    if (!$value$plusargs("cfg=%s", path)) begin $display("RESULT FAIL missing +cfg"); $finish; end
    $readmemh(path, cfgm);
    if (!$value$plusargs("cfg2=%s", path)) begin $display("RESULT FAIL missing +cfg2"); $finish; end
    $readmemh(path, cfgm2);
    if (!$value$plusargs("codes=%s", path)) begin $display("RESULT FAIL missing +codes"); $finish; end
    $readmemh(path, codes);
    if (!$value$plusargs("rdy=%s", path)) begin $display("RESULT FAIL missing +rdy"); $finish; end
    $readmemh(path, rdy);
    if (!$value$plusargs("lcfg=%s", path)) begin $display("RESULT FAIL missing +lcfg"); $finish; end
    $readmemh(path, lcfg);
    for (i = 0; i < L; i = i + 1) begin
      l_round[3*i +: 3] = lcfg[i][66:64];
      l_zero[32*i +: 32] = lcfg[i][63:32];
      l_clamp[32*i +: 32] = lcfg[i][31:0];
    end
    if (!$value$plusargs("outs=%s", path)) begin $display("RESULT FAIL missing +outs"); $finish; end
    fo = $fopen(path, "w");
    if (!$value$plusargs("offers=%s", path)) begin $display("RESULT FAIL missing +offers"); $finish; end
    ff = $fopen(path, "w");
    if (!$value$plusargs("accepts=%s", path)) begin $display("RESULT FAIL missing +accepts"); $finish; end
    fa = $fopen(path, "w");
    repeat (3) @(negedge clk);
    rst = 1'b0;
    for (n = 0; n < NCFG; n = n + 1) begin
      @(negedge clk);
      {cfg_req, cfg_we, cfg_kind, cfg_layer, cfg_addr, cfg_wdata} = cfgm[n];
    end
    @(negedge clk);
    cfg_req = 1'b0;
    repeat (16) @(negedge clk);
    // ---- streams ----
    k = 0; nout = 0; last_acc = -1; hs_in = 1'b0;
    valid_prev = 1'b0; hs_prev = 1'b0;
    for (n = 0; n < MAXCYC && nout < NOUT; n = n + 1) begin
      @(negedge clk);
      if (RST_AT > 0 && n == RST_AT) begin
        rst = 1'b1;
        in_valid = 1'b0;
        out_ready = 1'b0;
        k = RST_SKIP;
        last_acc = n;
      end else begin
        rst = 1'b0;
        if (hs_in) in_valid = 1'b0;
        if (!in_valid && k < NCODE && n >= codes[k][55:24] && n - last_acc - 1 >= codes[k][23:8]) begin
          in_valid = 1'b1;
          in_data = codes[k][7:0];
        end
        out_ready = rdy[n % NRDY];
      end
      if (n < NCFG2) {cfg_req, cfg_we, cfg_kind, cfg_layer, cfg_addr, cfg_wdata} = cfgm2[n];
      else cfg_req = 1'b0;
      #1;
      hs_in  = in_valid && in_ready && !rst;
      hs_out = out_valid && out_ready && !rst;
      if (out_valid && !rst && !(valid_prev && !hs_prev)) $fwrite(ff, "%h\n", n);
      valid_prev = out_valid && !rst;
      hs_prev = hs_out;
      if (hs_out) begin
        $fwrite(fo, "%h%h\n", n, out_data);
        if (n > RST_AT) nout = nout + 1;
      end
      if (hs_in) begin
        $fwrite(fa, "%h\n", n);
        k = k + 1;
        last_acc = n;
      end
    end
    $fclose(fo);
    $fclose(ff);
    $fclose(fa);
    $display("tb_zn_seq: CFG acks %0d mismatches %0d cycles %0d outputs %0d", acks, mism, n, nout);
    if (mism == 0) $display("RESULT PASS");
    else $display("RESULT FAIL");
    $finish;
  end
endmodule
