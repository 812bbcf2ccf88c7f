// Testbench of the adder trees: zn_addtree (KIND 0) and zn_addtree_lane (KIND 1, LANES = 1).
// One stimulus line a cycle, {ce, tag, in_data} in hex (+in=FILE, CYCLES lines), applied at the
// falling edge; after every rising edge the outputs {out_tag, out_data} are written (+out=FILE,
// one line a cycle; out_tag is 0 for KIND 1), so the test sees the exact latency and that `ce`
// low freezes the whole pipeline.
module tb_zn_addtree;
  parameter integer KIND = 0, LANES = 1, N = 2, IN_W = 8, REG_EVERY = 2, TAG_W = 4;
  parameter integer CYCLES = 1;
  localparam integer OUT_W = IN_W + ((N > 1) ? $clog2(N) : 0);
  localparam integer IW    = 1 + TAG_W + LANES * N * IN_W;
  reg clk = 1'b0;
  always #5 clk = !clk;
  reg [IW-1:0]           mem [0:CYCLES-1];
  reg                    ce;
  reg [TAG_W-1:0]        tag;
  reg [LANES*N*IN_W-1:0] in_data;
  wire [LANES*OUT_W-1:0] out_data;
  wire [TAG_W-1:0]       out_tag;
  generate if (KIND == 0) begin : g_tree
    zn_addtree #(.LANES(LANES), .N(N), .IN_W(IN_W), .REG_EVERY(REG_EVERY), .TAG_W(TAG_W)) dut (
      .clk(clk), .ce(ce), .in_data(in_data), .in_tag(tag), .out_data(out_data), .out_tag(out_tag));
  end else begin : g_lane
    zn_addtree_lane #(.N(N), .IN_W(IN_W), .REG_EVERY(REG_EVERY)) dut (
      .clk(clk), .ce(ce), .in_data(in_data), .out_data(out_data));
    assign out_tag = {TAG_W{1'b0}};
  end endgenerate
  reg [8*256-1:0] ipath, opath;
  integer fd, i;
  initial begin
    if (!$value$plusargs("in=%s", ipath) || !$value$plusargs("out=%s", opath)) begin
      $display("tb_zn_addtree: missing +in=FILE or +out=FILE");
      $finish;
    end
    $readmemh(ipath, mem);
    fd = $fopen(opath, "w");
    {ce, tag, in_data} = {IW{1'b0}};
    for (i = 0; i < CYCLES; i = i + 1) begin
      @(negedge clk);
      {ce, tag, in_data} = mem[i];
      @(posedge clk);
      #1 $fwrite(fd, "%h\n", {out_tag, out_data});
    end
    $fclose(fd);
    $display("RESULT PASS cycles %0d", CYCLES);
    $finish;
  end
endmodule
