// Testbench of zn_swu: IMAGES images of H x W pixels (C/SIMD words each) from a source with
// random gaps, the window words (PAR patch words each) to a stalling sink; +t=FILE gets, per image, the cycle of its
// last output handshake counted from the first input handshake (cycle 0).
module tb_zn_swu;
  parameter integer H = 4, W = 4, C = 1, KH = 3, KW = 3, SH = 1, SW = 1, PT = 0, PL = 0, PB = 0, PR = 0;
  parameter integer SIMD = 1, PAR = 1, XROWS = 0, ZERO = 0, RAM_BLOCK = 1, IMAGES = 2, GAP = 30, STALL = 30, SEED = 1;
  localparam integer CB = C / SIMD;
  localparam integer HO = (H + PT + PB - KH) / SH + 1, WO = (W + PL + PR - KW) / SW + 1;
  localparam integer PER_IMAGE = HO * WO * KH * KW * CB / PAR;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [SIMD*8-1:0] in_data;
  wire [PAR*SIMD*8-1:0] out_data;
  wire in_valid, in_ready, out_valid, out_ready, src_done, sink_error;
  wire [31:0] out_count;
  tb_src #(.W(SIMD*8), .COUNT(IMAGES*H*W*CB), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  zn_swu #(.H(H), .W(W), .C(C), .KH(KH), .KW(KW), .SH(SH), .SW(SW), .PT(PT), .PL(PL), .PB(PB), .PR(PR),
           .SIMD(SIMD), .PAR(PAR), .RAM_BLOCK(RAM_BLOCK), .XROWS(XROWS)) dut (
    .clk(clk), .rst(rst), .zero(ZERO[7:0]), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
  tb_sink #(.W(PAR*SIMD*8), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  tb_timing #(.PER_IMAGE(PER_IMAGE)) timing (.clk(clk), .rst(rst), .in_fire(in_valid && in_ready),
    .out_fire(out_valid && out_ready));
  integer cycles;
  initial begin
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * PER_IMAGE && cycles < 100000 + 20 * IMAGES * (PER_IMAGE + H * W * CB)) begin
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
