// Testbench of zn_requant (SERIAL = 0) or zn_requant_serial (SERIAL = 1): parameters loaded (and
// read back) over the config port, then IMAGES images of OUT sums (words of LANES) streamed; codes out.
// ROUND is the rounding code (0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32), MODES the
// ROUNDINGS built. zn_requant_serial gets SETS quantization settings (NUM_SETS): set SEL is
// ROUND/ZY/LO/HI, every other set their complements (the rounding code: ROUND ^ 1), and set_sel = SEL
// (a wrong set or bit index changes the codes).
module tb_zn_requant;
  parameter integer LANES = 1, OUT = 4, SUM_W = 20, BIAS_W = 32, MULT_W = 32;
  parameter integer ROUND = 0, MODES = 3, ZY = 0, LO = -128, HI = 127;
  parameter integer IMAGES = 3, NWRITES = 1, GAP = 30, STALL = 30, SEED = 1, SERIAL = 0;
  parameter integer SETS = 1, SEL = 0;
  localparam integer SELW = (SETS > 1) ? $clog2(SETS) : 1;
  localparam [31:0] SEL32 = SEL;
  localparam integer WORDS = OUT / LANES;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [LANES*SUM_W-1:0] in_data;
  wire [LANES*8-1:0] out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error, loaded;
  wire cfg_req, cfg_we, cfg_ack, cfg_err;
  wire [31:0] cfg_addr, cfg_wdata, cfg_rdata, cfg_next, out_count;
  wire [31:0] mismatches;
  integer cycles;
  localparam [31:0] ZY32 = ZY;
  localparam [2:0]  RC = ROUND;
  localparam [31:0] LO32 = LO;
  localparam [31:0] HI32 = HI;
  tb_cfg #(.NWRITES(NWRITES)) cfg (.clk(clk), .rst(rst), .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
    .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next),
    .loaded(loaded), .mismatches(mismatches));
  tb_src #(.W(LANES*SUM_W), .COUNT(IMAGES*WORDS), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst || !loaded), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  generate if (SERIAL != 0) begin : g_serial
    wire [SETS*3-1:0]  rounds;
    wire [SETS*32-1:0] zeros;
    wire [SETS*16-1:0] los, his;
    genvar j;
    for (j = 0; j < SETS; j = j + 1) begin : g_sets
      assign rounds[j*3 +: 3]   = (j == SEL) ? RC : RC ^ 3'd1;
      assign zeros[j*32 +: 32]  = (j == SEL) ? ZY32 : ~ZY32;
      assign los[j*16 +: 16]    = (j == SEL) ? LO32[15:0] : ~LO32[15:0];
      assign his[j*16 +: 16]    = (j == SEL) ? HI32[15:0] : ~HI32[15:0];
    end
    zn_requant_serial #(.LANES(LANES), .OUT(OUT), .SUM_W(SUM_W), .BIAS_W(BIAS_W), .MULT_W(MULT_W), .NUM_SETS(SETS), .ROUNDINGS(MODES)) dut (
      .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready),
      .rounding(rounds), .zero(zeros), .clamp_lo(los), .clamp_hi(his), .set_sel(SEL32[SELW-1:0]),
      .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
      .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));
  end else begin : g_pipelined
    zn_requant #(.LANES(LANES), .OUT(OUT), .SUM_W(SUM_W), .BIAS_W(BIAS_W), .MULT_W(MULT_W), .ROUNDINGS(MODES)) dut (
      .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready),
      .rounding(RC), .zero(ZY32), .clamp_lo(LO32[15:0]), .clamp_hi(HI32[15:0]),
      .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
      .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));
  end endgenerate
  tb_sink #(.W(LANES*8), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * WORDS && cycles < 200000 + (SERIAL != 0 ? 400 * LANES : 40) * IMAGES * WORDS + 20 * NWRITES) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (mismatches != 0) $display("RESULT FAIL config %0d", mismatches);
    else if (out_count != IMAGES * WORDS) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES * WORDS);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
