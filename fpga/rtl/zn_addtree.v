// zn_addtree: LANES independent pipelined adder trees, each summing N signed IN_W-bit leaves.
//
// Each lane is a zn_addtree_lane (balanced binary tree, a register after every REG_EVERY levels
// and at the root), so the latency is max(1, ceil(clog2(N)/REG_EVERY)) cycles (zn_tree_lat in
// zn_func.vh). A tag travels alongside. `ce` freezes the whole pipeline.
module zn_addtree #(
  parameter integer LANES     = 1,
  parameter integer N         = 2,
  parameter integer IN_W      = 8,
  parameter integer REG_EVERY = 2,
  parameter integer TAG_W     = 1
) (
  input  wire                                                 clk,
  input  wire                                                 ce,
  input  wire [LANES*N*IN_W-1:0]                              in_data,
  input  wire [TAG_W-1:0]                                     in_tag,
  output wire [LANES*(IN_W + ((N > 1) ? $clog2(N) : 0))-1:0]  out_data,
  output wire [TAG_W-1:0]                                     out_tag
);
`include "zn_func.vh"
  localparam integer LEVELS = (N > 1) ? $clog2(N) : 0;
  localparam integer OUT_W  = IN_W + LEVELS;
  localparam integer LAT    = zn_tree_lat(N, REG_EVERY);

  generate if (LANES < 1 || N < 1 || IN_W < 2 || REG_EVERY < 1 || TAG_W < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_addtree: LANES (%0d), N (%0d), REG_EVERY (%0d), TAG_W (%0d) must be >= 1 and IN_W (%0d) >= 2",
           LANES, N, REG_EVERY, TAG_W, IN_W);
`else
    zn_param_error__zn_addtree_bad_parameters u_param_error();
`endif
  end endgenerate

  // Tag pipeline: LAT registers.
  reg [TAG_W-1:0] tag_pipe [0:LAT-1];
  integer t;
  always @(posedge clk) begin
    if (ce) begin
      tag_pipe[0] <= in_tag;
      for (t = 1; t < LAT; t = t + 1) tag_pipe[t] <= tag_pipe[t-1];
    end
  end
  assign out_tag = tag_pipe[LAT-1];

  // One zn_addtree_lane per lane (identical parameters: one module for synthesis).
  genvar ln;
  generate for (ln = 0; ln < LANES; ln = ln + 1) begin : g_lane
    zn_addtree_lane #(.N(N), .IN_W(IN_W), .REG_EVERY(REG_EVERY)) u_lane (
      .clk(clk), .ce(ce), .in_data(in_data[ln*N*IN_W +: N*IN_W]), .out_data(out_data[ln*OUT_W +: OUT_W]));
  end endgenerate
endmodule
