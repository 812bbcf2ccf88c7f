// tb_src: testbench stream source. Reads COUNT words of W bits (hex, one a line) from the file
// named by plusarg +<NAME>=path and drives them with random TVALID gaps (GAP percent), holding
// data and valid until the handshake as AXI4-Stream requires.
module tb_src #(
  parameter integer W     = 8,
  parameter integer COUNT = 1,
  parameter integer GAP   = 30,
  parameter integer SEED  = 1,
  parameter         NAME  = "in"
) (
  input  wire         clk,
  input  wire         rst,
  output reg  [W-1:0] data,
  output reg          valid,
  input  wire         ready,
  output reg          done
);
  reg [W-1:0] mem [0:COUNT-1];
  reg [8*256-1:0] path;
  integer idx, seed, r;
  initial begin
    if (!$value$plusargs({NAME, "=%s"}, path)) begin
      $display("tb_src: missing +%0s=FILE", NAME);
      $finish;
    end
    $readmemh(path, mem);
    seed = SEED;
    idx = 0;
    valid = 1'b0;
    done = (COUNT == 0);
    data = {W{1'b0}};
  end
  always @(posedge clk) begin
    if (rst) begin
      valid <= 1'b0;
    end else begin
      if (valid && ready) begin
        idx = idx + 1;
        if (idx == COUNT) done <= 1'b1;
      end
      if (!valid || ready) begin
        r = $random(seed);
        if (idx < COUNT && ((r & 32'h7fffffff) % 100) >= GAP) begin
          valid <= 1'b1;
          data  <= mem[idx];
        end else begin
          valid <= 1'b0;
          data  <= {W{1'bx}};
        end
      end
    end
  end
endmodule
