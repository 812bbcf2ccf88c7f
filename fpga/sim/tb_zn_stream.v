// Testbench of zn_fifo (MODE 0) and zn_skid (MODE 1): COUNT words must come out in order,
// unchanged, under random gaps and stalls.
module tb_zn_stream;
  parameter integer MODE = 0, W = 16, DEPTH = 3, COUNT = 200, GAP = 30, STALL = 30, SEED = 1;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [W-1:0] in_data, out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error;
  wire [31:0] out_count;
  integer cycles;
  tb_src #(.W(W), .COUNT(COUNT), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  generate if (MODE == 0) begin : g_fifo
    zn_fifo #(.W(W), .DEPTH(DEPTH)) dut (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  end else begin : g_skid
    zn_skid #(.W(W)) dut (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  end endgenerate
  tb_sink #(.W(W), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < COUNT && cycles < 100000) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (out_count != COUNT) $display("RESULT FAIL count %0d expected %0d", out_count, COUNT);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
