// Testbench of zn_resize: IMAGES images through the gearbox under random gaps and stalls.
module tb_zn_resize;
  parameter integer LANE_W = 8, IN_LANES = 8, OUT_LANES = 8, N = 8, IMAGES = 3;
  parameter integer GAP = 30, STALL = 30, SEED = 1;
  localparam integer IN_WORDS  = (N + IN_LANES - 1) / IN_LANES;
  localparam integer OUT_WORDS = (N + OUT_LANES - 1) / OUT_LANES;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [IN_LANES*LANE_W-1:0] in_data;
  wire [OUT_LANES*LANE_W-1:0] out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error;
  wire [31:0] out_count;
  integer cycles;
  tb_src  #(.W(IN_LANES*LANE_W), .COUNT(IMAGES*IN_WORDS), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  zn_resize #(.LANE_W(LANE_W), .IN_LANES(IN_LANES), .OUT_LANES(OUT_LANES), .N(N)) dut
    (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
     .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  tb_sink #(.W(OUT_LANES*LANE_W), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * OUT_WORDS && cycles < 100000 + 100 * IMAGES * (IN_WORDS + OUT_WORDS)) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (out_count != IMAGES * OUT_WORDS) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES * OUT_WORDS);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
