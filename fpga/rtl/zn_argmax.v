// zn_argmax: index of the largest of N 8-bit codes an image (lowest index on a tie).
//
// Input: ceil(N/LANES) words of LANES codes an image, lowest index first; lanes beyond N of a
// last, partial word are ignored. Codes compare as int8 (SIGNED = 1) or uint8. Output: one
// 32-bit index per image, held in a register until taken.
module zn_argmax #(
  parameter integer LANES  = 8,
  parameter integer N      = 8,
  parameter integer SIGNED = 0
) (
  input  wire               clk,
  input  wire               rst,
  input  wire [LANES*8-1:0] in_data,
  input  wire               in_valid,
  output wire               in_ready,
  output reg  [31:0]        out_index,
  output reg                out_valid,
  input  wire               out_ready
);
`include "zn_func.vh"
  localparam integer WORDS = (N + LANES - 1) / LANES;
  localparam integer LAST  = N - (WORDS - 1) * LANES;
  localparam integer WW    = zn_idxw(WORDS);
  localparam integer LW    = zn_idxw(LANES);

  generate if (LANES < 1 || N < 1 || (SIGNED != 0 && SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_argmax: LANES (%0d) and N (%0d) must be >= 1, SIGNED (%0d) 0/1", LANES, N, SIGNED);
`else
    zn_param_error__zn_argmax_bad_parameters u_param_error();
`endif
  end endgenerate

  // Codes as 9-bit signed values (comparison order).
  function [8:0] key;
    input [7:0] c;
    begin
      key = {(SIGNED != 0) ? c[7] : 1'b0, c};
    end
  endfunction

  reg [WW-1:0] wi;
  wire         w_last = (wi == WORDS[WW-1:0] - 1'b1);
  assign in_ready = !out_valid || out_ready;
  wire fire = in_valid && in_ready;

  // Best lane of the current word (first of equals).
  reg [8:0]    lbest;
  reg [LW-1:0] lidx;
  integer l;
  always @* begin
    lbest = key(in_data[7:0]);
    lidx  = {LW{1'b0}};
    for (l = 1; l < LANES; l = l + 1) begin
      if ((!w_last || l < LAST) && $signed(key(in_data[l*8 +: 8])) > $signed(lbest)) begin
        lbest = key(in_data[l*8 +: 8]);
        lidx  = l[LW-1:0];
      end
    end
  end

  reg [8:0]  best;
  reg [31:0] best_idx;
  wire [31:0] cand_idx = wi * LANES + {{(32-LW){1'b0}}, lidx};
  wire take = (wi == {WW{1'b0}}) || ($signed(lbest) > $signed(best));
  always @(posedge clk) begin
    if (rst) begin
      wi        <= {WW{1'b0}};
      out_valid <= 1'b0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (fire) begin
        wi <= w_last ? {WW{1'b0}} : wi + 1'b1;
        if (take) begin
          best     <= lbest;
          best_idx <= cand_idx;
        end
        if (w_last) begin
          out_valid <= 1'b1;
          out_index <= take ? cand_idx : best_idx;
        end
      end
    end
  end
endmodule
