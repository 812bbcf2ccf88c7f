// Testbench of zn_mvau: weights loaded (and read back) over the config port, then IMAGES input
// vectors streamed with random gaps; the PE-wide sum words go to a stalling sink.
module tb_zn_mvau;
  parameter integer IN = 8, OUT = 4, PE = 2, SIMD = 2, IN_SIGNED = 1, MUL_STYLE = 0, SUM_W = 20, REG_EVERY = 2;
  parameter integer IMAGES = 3, NWRITES = 1, GAP = 30, STALL = 30, SEED = 1;
  localparam integer SF = IN / SIMD, NF = OUT / PE;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [SIMD*8-1:0] in_data;
  wire [PE*SUM_W-1:0] out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error, loaded;
  wire cfg_req, cfg_we, cfg_ack, cfg_err;
  wire [31:0] cfg_addr, cfg_wdata, cfg_rdata, cfg_next, out_count;
  wire [31:0] mismatches;
  integer cycles;
  tb_cfg #(.NWRITES(NWRITES)) cfg (.clk(clk), .rst(rst), .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
    .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next),
    .loaded(loaded), .mismatches(mismatches));
  tb_src #(.W(SIMD*8), .COUNT(IMAGES*SF), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst || !loaded), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  zn_mvau #(.IN(IN), .OUT(OUT), .PE(PE), .SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE(MUL_STYLE), .REG_EVERY(REG_EVERY),
            .SUM_W(SUM_W)) dut (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));
  tb_sink #(.W(PE*SUM_W), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * NF && cycles < 200000 + 40 * IMAGES * SF * NF + 20 * NWRITES) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (mismatches != 0) $display("RESULT FAIL config %0d", mismatches);
    else if (out_count != IMAGES * NF) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES * NF);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
