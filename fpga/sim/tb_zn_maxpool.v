// Testbench of zn_maxpool (ROW = 1: zn_maxpool_row, the unit for windows that do not overlap): IMAGES images of H x W pixels (C/SIMD words each) from a source
// with random gaps, the pooled words to a stalling sink; +t=FILE gets, per image, the cycle of
// its last output handshake counted from the first input handshake (cycle 0).
module tb_zn_maxpool;
  parameter integer H = 4, W = 4, C = 1, KH = 2, KW = 2, SH = 2, SW = 2;
  parameter integer SIMD = 1, SIGNED = 0, RAM_BLOCK = 1, ROW = 0, IMAGES = 2, GAP = 30, STALL = 30, SEED = 1;
  localparam integer CB = C / SIMD;
  localparam integer HO = (H - KH) / SH + 1, WO = (W - KW) / SW + 1;
  localparam integer PER_IMAGE = HO * WO * CB;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [SIMD*8-1:0] in_data, out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error;
  wire [31:0] out_count;
  tb_src #(.W(SIMD*8), .COUNT(IMAGES*H*W*CB), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  generate if (ROW != 0) begin : g_row
    zn_maxpool_row #(.H(H), .W(W), .C(C), .KH(KH), .KW(KW), .SH(SH), .SW(SW), .SIMD(SIMD), .SIGNED(SIGNED)) dut (
      .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  end else begin : g_swu
    zn_maxpool #(.H(H), .W(W), .C(C), .KH(KH), .KW(KW), .SH(SH), .SW(SW), .SIMD(SIMD), .SIGNED(SIGNED),
                 .RAM_BLOCK(RAM_BLOCK)) dut (
      .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
      .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  end endgenerate
  tb_sink #(.W(SIMD*8), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  tb_timing #(.PER_IMAGE(PER_IMAGE)) timing (.clk(clk), .rst(rst), .in_fire(in_valid && in_ready),
    .out_fire(out_valid && out_ready));
  integer cycles;
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * PER_IMAGE && cycles < 100000 + 20 * IMAGES * KH * KW * (PER_IMAGE + H * W * CB)) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (out_count != IMAGES * PER_IMAGE) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES * PER_IMAGE);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
