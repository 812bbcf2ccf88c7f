// tb_cfg: testbench driver of a parameter memory's config port. Performs NWRITES writes
// {addr, data} (hex lines of 64 bits, file +cfg=path), then reads every written address back
// and counts mismatches; `loaded` rises when done.
module tb_cfg #(
  parameter integer NWRITES = 1
) (
  input  wire        clk,
  input  wire        rst,
  output reg         cfg_req,
  output reg         cfg_we,
  output reg  [31:0] cfg_addr,
  output reg  [31:0] cfg_wdata,
  input  wire        cfg_ack,
  input  wire [31:0] cfg_rdata,
  input  wire        cfg_err,
  input  wire [31:0] cfg_next,
  output reg         loaded,
  output reg  [31:0] mismatches
);
  reg [63:0] mem [0:NWRITES-1];
  reg [8*256-1:0] path;
  integer i;
  initial begin
    if (!$value$plusargs("cfg=%s", path)) begin
      $display("tb_cfg: missing +cfg=FILE");
      $finish;
    end
    $readmemh(path, mem);
    cfg_req = 1'b0;
    cfg_we = 1'b0;
    cfg_addr = 32'd0;
    cfg_wdata = 32'd0;
    loaded = 1'b0;
    mismatches = 0;
    @(negedge rst);
    for (i = 0; i < NWRITES; i = i + 1) begin
      @(posedge clk);
      cfg_req <= 1'b1; cfg_we <= 1'b1; cfg_addr <= mem[i][63:32]; cfg_wdata <= mem[i][31:0];
      @(posedge clk);
      cfg_req <= 1'b0;
      while (!cfg_ack) @(posedge clk);
      if (cfg_err) mismatches = mismatches + 1;
      if (i + 1 < NWRITES && cfg_next != mem[i+1][63:32]) begin
        $display("tb_cfg: next address %h after %h, expected %h", cfg_next, mem[i][63:32], mem[i+1][63:32]);
        mismatches = mismatches + 1;
      end
    end
    for (i = 0; i < NWRITES; i = i + 1) begin
      @(posedge clk);
      cfg_req <= 1'b1; cfg_we <= 1'b0; cfg_addr <= mem[i][63:32];
      @(posedge clk);
      cfg_req <= 1'b0;
      while (!cfg_ack) @(posedge clk);
      if (cfg_rdata !== mem[i][31:0]) begin
        if (mismatches < 5) $display("tb_cfg: read-back %h at %h, expected %h", cfg_rdata, mem[i][63:32], mem[i][31:0]);
        mismatches = mismatches + 1;
      end
    end
    // An address outside the memory must answer with an error.
    @(posedge clk);
    cfg_req <= 1'b1; cfg_we <= 1'b0; cfg_addr <= 32'hFFFF_FFF0;
    @(posedge clk);
    cfg_req <= 1'b0;
    while (!cfg_ack) @(posedge clk);
    if (!cfg_err || cfg_rdata != 32'd0) mismatches = mismatches + 1;
    @(posedge clk);
    loaded <= 1'b1;
  end
endmodule
