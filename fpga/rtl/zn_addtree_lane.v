// zn_addtree_lane: one pipelined adder tree summing N signed IN_W-bit leaves (a lane of zn_addtree).
//
// Balanced binary tree; each node is as wide as its sum needs (IN_W + its height). A register
// sits after every REG_EVERY levels and at the root, so the latency is max(1,
// ceil(clog2(N)/REG_EVERY)) cycles (zn_tree_lat in zn_func.vh). `ce` freezes the pipeline.
// A module of its own so that the identical trees of zn_addtree and zn_dot are one module
// (hierarchical synthesis maps it once).
module zn_addtree_lane #(
  parameter integer N         = 2,
  parameter integer IN_W      = 8,
  parameter integer REG_EVERY = 2
) (
  input  wire                                      clk,
  input  wire                                      ce,
  input  wire [N*IN_W-1:0]                         in_data,
  output wire [IN_W + ((N > 1) ? $clog2(N) : 0)-1:0] out_data
);
`include "zn_func.vh"
  localparam integer LEVELS = (N > 1) ? $clog2(N) : 0;
  localparam integer OUT_W  = IN_W + LEVELS;
  localparam integer P      = 1 << LEVELS;

  generate if (N < 1 || IN_W < 2 || REG_EVERY < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_addtree_lane: N (%0d) and REG_EVERY (%0d) must be >= 1 and IN_W (%0d) >= 2", N, REG_EVERY, IN_W);
`else
    zn_param_error__zn_addtree_lane_bad_parameters u_param_error();
`endif
  end endgenerate

  genvar i;
  generate if (LEVELS == 0) begin : g_single
    reg [IN_W-1:0] q;
    always @(posedge clk) begin
      if (ce) q <= in_data[IN_W-1:0];
    end
    assign out_data = q;
  end else begin : g_tree
    // Heap order: root 0, children 2i+1 and 2i+2, leaves P-1 .. 2P-2 (missing leaves are 0).
    // Internal node i, at height H above the leaves, holds an IN_W + H bit sum, stored
    // sign-extended to OUT_W bits in nodes[i] (no references into other generate blocks).
    wire [OUT_W-1:0] nodes [0:P-2] /*verilator split_var*/;
    for (i = 0; i < P - 1; i = i + 1) begin : g_node
      localparam integer H   = LEVELS - zn_flog2(i + 1);
      localparam integer NW  = IN_W + H;
      localparam integer CL  = 2 * i + 1;
      localparam integer CR  = 2 * i + 2;
      wire [NW-2:0] l, r;
      if (CL >= P - 1) begin : g_leaves
        // Both children are leaves (IN_W = NW - 1 bits).
        if (CL - (P - 1) < N) begin : g_l
          assign l = in_data[(CL - (P-1))*IN_W +: IN_W];
        end else begin : g_l0
          assign l = {(NW-1){1'b0}};
        end
        if (CR - (P - 1) < N) begin : g_r
          assign r = in_data[(CR - (P-1))*IN_W +: IN_W];
        end else begin : g_r0
          assign r = {(NW-1){1'b0}};
        end
      end else begin : g_inner
        assign l = nodes[CL][NW-2:0];
        assign r = nodes[CR][NW-2:0];
      end
      wire [NW-1:0] s = {l[NW-2], l} + {r[NW-2], r};
      wire [NW-1:0] v;
      if (H % REG_EVERY == 0 || H == LEVELS) begin : g_reg
        reg [NW-1:0] q;
        always @(posedge clk) begin
          if (ce) q <= s;
        end
        assign v = q;
      end else begin : g_comb
        assign v = s;
      end
      if (NW < OUT_W) begin : g_ext
        assign nodes[i] = {{(OUT_W-NW){v[NW-1]}}, v};
      end else begin : g_full
        assign nodes[i] = v;
      end
    end
    assign out_data = nodes[0];
  end endgenerate
endmodule
