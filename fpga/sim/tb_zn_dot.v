// Testbench of the MAC rows: zn_dot (KIND 0), zn_dot_pair (KIND 1, PE = 2: w0 = row 0, w1 =
// row 1) and zn_dot_row (KIND 2, PE = 1). One stimulus line a cycle, {ce, tag, w, x} in hex
// (+in=FILE, CYCLES lines), applied at the falling edge; after every rising edge the outputs
// {out_tag, out_sum} are written (+out=FILE, one line a cycle; out_tag is 0 for KIND 1 and 2),
// so the test sees the exact latency and that `ce` low freezes the whole pipeline.
module tb_zn_dot;
  parameter integer KIND = 0, PE = 1, SIMD = 1, IN_SIGNED = 1, MUL_STYLE = 0, REG_EVERY = 2, TAG_W = 4;
  parameter integer CYCLES = 1;
  localparam integer DOT_W = 17 + ((SIMD > 1) ? $clog2(SIMD) : 0);
  localparam integer IW    = 1 + TAG_W + PE * SIMD * 8 + SIMD * 8;
  reg clk = 1'b0;
  always #5 clk = !clk;
  reg [IW-1:0]          mem [0:CYCLES-1];
  reg                   ce;
  reg [TAG_W-1:0]       tag;
  reg [PE*SIMD*8-1:0]   w;
  reg [SIMD*8-1:0]      x;
  wire [PE*DOT_W-1:0]   out_sum;
  wire [TAG_W-1:0]      out_tag;
  generate if (KIND == 0) begin : g_dot
    zn_dot #(.PE(PE), .SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE(MUL_STYLE), .REG_EVERY(REG_EVERY), .TAG_W(TAG_W)) dut (
      .clk(clk), .ce(ce), .x(x), .w(w), .in_tag(tag), .out_sum(out_sum), .out_tag(out_tag));
  end else if (KIND == 1) begin : g_pair
    zn_dot_pair #(.SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .REG_EVERY(REG_EVERY)) dut (
      .clk(clk), .ce(ce), .x(x), .w0(w[SIMD*8-1:0]), .w1(w[2*SIMD*8-1:SIMD*8]), .out_sum(out_sum));
    assign out_tag = {TAG_W{1'b0}};
  end else begin : g_row
    zn_dot_row #(.SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE(MUL_STYLE), .REG_EVERY(REG_EVERY)) dut (
      .clk(clk), .ce(ce), .x(x), .w(w), .out_sum(out_sum));
    assign out_tag = {TAG_W{1'b0}};
  end endgenerate
  reg [8*256-1:0] ipath, opath;
  integer fd, i;
  initial begin
    if (!$value$plusargs("in=%s", ipath) || !$value$plusargs("out=%s", opath)) begin
      $display("tb_zn_dot: missing +in=FILE or +out=FILE");
      $finish;
    end
    $readmemh(ipath, mem);
    fd = $fopen(opath, "w");
    {ce, tag, w, x} = {IW{1'b0}};
    for (i = 0; i < CYCLES; i = i + 1) begin
      @(negedge clk);
      {ce, tag, w, x} = mem[i];
      @(posedge clk);
      #1 $fwrite(fd, "%h\n", {out_tag, out_sum});
    end
    $fclose(fd);
    $display("RESULT PASS cycles %0d", CYCLES);
    $finish;
  end
endmodule
