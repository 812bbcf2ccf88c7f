// Testbench of zn_argmax: IMAGES images of N codes in words of LANES, indices out.
module tb_zn_argmax;
  parameter integer LANES = 8, N = 8, SIGNED = 0, SERIAL = 0, IMAGES = 3, GAP = 30, STALL = 30, SEED = 1;
  localparam integer WORDS = (N + LANES - 1) / LANES;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [LANES*8-1:0] in_data;
  wire [31:0] out_index;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error;
  wire [31:0] out_count;
  integer cycles;
  tb_src #(.W(LANES*8), .COUNT(IMAGES*WORDS), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  zn_argmax #(.LANES(LANES), .N(N), .SIGNED(SIGNED), .SERIAL(SERIAL)) dut (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid),
    .in_ready(in_ready), .out_index(out_index), .out_valid(out_valid), .out_ready(out_ready));
  tb_sink #(.W(32), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_index), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES && cycles < 100000 + 50 * IMAGES * WORDS) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (out_count != IMAGES) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
