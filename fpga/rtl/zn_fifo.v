// zn_fifo: synchronous stream FIFO, first-word fall-through.
//
// DEPTH entries of W bits. in_ready = not full, out_valid = not empty; neither depends
// combinationally on the other side's handshake. Storage is a plain array (LUTRAM/FFs).
module zn_fifo #(
  parameter integer W     = 8,
  parameter integer DEPTH = 2
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] in_data,
  input  wire         in_valid,
  output wire         in_ready,
  output wire [W-1:0] out_data,
  output wire         out_valid,
  input  wire         out_ready
);
`include "zn_func.vh"
  localparam integer AW = zn_idxw(DEPTH);
  localparam integer CW = zn_idxw(DEPTH + 1);

  generate if (W < 1 || DEPTH < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_fifo: W (%0d) and DEPTH (%0d) must be >= 1", W, DEPTH);
`else
    zn_param_error__zn_fifo_W_and_DEPTH_must_be_positive u_param_error();
`endif
  end endgenerate

  reg [W-1:0]  mem [0:DEPTH-1];
  reg [AW-1:0] wptr, rptr;
  reg [CW-1:0] count;

  wire push = in_valid && in_ready;
  wire pop  = out_valid && out_ready;

  assign in_ready  = (count != DEPTH[CW-1:0]);
  assign out_valid = (count != {CW{1'b0}});
  assign out_data  = mem[rptr];

  always @(posedge clk) begin
    if (push) mem[wptr] <= in_data;
  end

  always @(posedge clk) begin
    if (rst) begin
      wptr  <= {AW{1'b0}};
      rptr  <= {AW{1'b0}};
      count <= {CW{1'b0}};
    end else begin
      if (push) wptr <= (wptr == DEPTH[AW-1:0] - 1'b1) ? {AW{1'b0}} : wptr + 1'b1;
      if (pop)  rptr <= (rptr == DEPTH[AW-1:0] - 1'b1) ? {AW{1'b0}} : rptr + 1'b1;
      if (push && !pop) count <= count + 1'b1;
      else if (pop && !push) count <= count - 1'b1;
    end
  end
endmodule
