// tb_timing: testbench handshake clock. Counts cycles from the first in_fire (cycle 0) and
// writes, to the file named by plusarg +t=path, the cycle of every PER_IMAGE-th out_fire (one
// line each, decimal).
module tb_timing #(
  parameter integer PER_IMAGE = 1
) (
  input wire clk,
  input wire rst,
  input wire in_fire,
  input wire out_fire
);
  reg [8*256-1:0] path;
  integer fd, cyc, outs;
  reg started;
  initial begin
    if (!$value$plusargs("t=%s", path)) begin
      $display("tb_timing: missing +t=FILE");
      $finish;
    end
    fd = $fopen(path, "w");
    started = 1'b0;
    cyc = 0;
    outs = 0;
  end
  always @(posedge clk) begin
    if (!rst) begin
      if (started || in_fire) begin
        if (out_fire) begin
          outs = outs + 1;
          if (outs % PER_IMAGE == 0) $fwrite(fd, "%0d\n", cyc);
        end
        cyc = cyc + 1;
      end
      if (in_fire) started <= 1'b1;
    end
  end
endmodule
