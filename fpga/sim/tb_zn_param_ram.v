// Testbench of zn_param_ram: a cycle-by-cycle script drives both ports; every cycle's outputs are
// written out for an exact comparison against a naive model (Swift, BlockTests.paramRam).
//  +req=FILE: NCFG lines {req, we, addr[31:0], wdata[31:0]} (66 bits), one a cycle.
//  +cfg=FILE (out): NCFG + 6 lines {ack, err, next[31:0], rdata[31:0]}: the outputs seen in the
//    cycle of request line n are those registered before it, so the answer to line n is line n + 4.
//  +rd=FILE: NRD lines {ce, rd_en, rd_addr[31:0]} (34 bits), one a cycle, after the config script.
//  +rdout=FILE (out): NRD + 3 lines of rd_data, the same alignment.
module tb_zn_param_ram;
  parameter integer BANKS = 1, DEPTH = 1, WORD_W = 8, NCFG = 1, NRD = 1, SLICE_DEPTH = 32768, RAM_STYLE = 0;
  localparam integer DAW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  reg ce = 1'b0, rd_en = 1'b0, cfg_req = 1'b0, cfg_we = 1'b0;
  reg [DAW-1:0] rd_addr = {DAW{1'b0}};
  reg [31:0] cfg_addr = 32'd0, cfg_wdata = 32'd0;
  wire [BANKS*WORD_W-1:0] rd_data;
  wire cfg_ack, cfg_err;
  wire [31:0] cfg_rdata, cfg_next;
  zn_param_ram #(.BANKS(BANKS), .DEPTH(DEPTH), .WORD_W(WORD_W), .SLICE_DEPTH(SLICE_DEPTH), .RAM_STYLE(RAM_STYLE)) dut (
    .clk(clk), .rst(rst), .ce(ce), .rd_en(rd_en), .rd_addr(rd_addr), .rd_data(rd_data),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));
  reg [65:0] req [0:NCFG-1];
  reg [33:0] rd [0:NRD-1];
  reg [8*256-1:0] path;
  integer fc, fr, n;
  initial begin
    if (!$value$plusargs("req=%s", path)) begin $display("RESULT FAIL missing +req"); $finish; end
    $readmemh(path, req);
    if (!$value$plusargs("rd=%s", path)) begin $display("RESULT FAIL missing +rd"); $finish; end
    $readmemh(path, rd);
    if (!$value$plusargs("cfg=%s", path)) begin $display("RESULT FAIL missing +cfg"); $finish; end
    fc = $fopen(path, "w");
    if (!$value$plusargs("rdout=%s", path)) begin $display("RESULT FAIL missing +rdout"); $finish; end
    fr = $fopen(path, "w");
    repeat (3) @(negedge clk);
    rst = 1'b0;
    for (n = 0; n < NCFG + 6; n = n + 1) begin
      @(negedge clk);
      $fwrite(fc, "%h\n", {cfg_ack, cfg_err, cfg_next, cfg_rdata});
      if (n < NCFG) begin
        cfg_req = req[n][65]; cfg_we = req[n][64]; cfg_addr = req[n][63:32]; cfg_wdata = req[n][31:0];
      end else begin
        cfg_req = 1'b0; cfg_we = 1'b1; cfg_addr = 32'hFFFF_FFFF; cfg_wdata = 32'hFFFF_FFFF;
      end
    end
    for (n = 0; n < NRD + 3; n = n + 1) begin
      @(negedge clk);
      $fwrite(fr, "%h\n", rd_data);
      if (n < NRD) begin
        ce = rd[n][33]; rd_en = rd[n][32]; rd_addr = rd[n][DAW-1:0];
      end else begin
        ce = 1'b0; rd_en = 1'b0;
      end
    end
    $fclose(fc);
    $fclose(fr);
    $display("RESULT PASS");
    $finish;
  end
endmodule
