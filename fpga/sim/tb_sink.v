// tb_sink: testbench stream sink. Accepts words with random TREADY stalls (STALL percent),
// writes each accepted word as hex to the file named by plusarg +<NAME>=path, checks that a
// stalled word stays valid and unchanged (AXI4-Stream), counts words.
module tb_sink #(
  parameter integer W     = 8,
  parameter integer STALL = 30,
  parameter integer SEED  = 2,
  parameter         NAME  = "out"
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] data,
  input  wire         valid,
  output reg          ready,
  output reg  [31:0]  count,
  output reg          error
);
  reg [8*256-1:0] path;
  integer fd, seed, r;
  reg         was_stalled;
  reg [W-1:0] stalled_data;
  initial begin
    if (!$value$plusargs({NAME, "=%s"}, path)) begin
      $display("tb_sink: missing +%0s=FILE", NAME);
      $finish;
    end
    fd = $fopen(path, "w");
    seed = SEED;
    count = 0;
    ready = 1'b0;
    error = 1'b0;
    was_stalled = 1'b0;
  end
  always @(posedge clk) begin
    if (rst) begin
      ready <= 1'b0;
      was_stalled <= 1'b0;
    end else begin
      if (was_stalled && (!valid || data !== stalled_data)) begin
        $display("tb_sink %0s: AXI-Stream violation at %0t: stalled word dropped or changed", NAME, $time);
        error <= 1'b1;
      end
      if (valid && ready) begin
        $fwrite(fd, "%h\n", data);
        count = count + 1;
      end
      was_stalled  <= valid && !ready;
      stalled_data <= data;
      r = $random(seed);
      ready <= ((r & 32'h7fffffff) % 100) >= STALL;
    end
  end
endmodule
