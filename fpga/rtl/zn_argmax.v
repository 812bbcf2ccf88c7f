// zn_argmax: index of the largest of N 8-bit codes an image (lowest index on a tie).
//
// Input: ceil(N/LANES) words of LANES codes an image, lowest index first; lanes beyond N of a
// last, partial word are ignored. Codes compare as int8 (SIGNED = 1) or uint8. Output: one
// 32-bit index per image, held in a register until taken. One word a cycle: the lanes of a
// word meet in a tournament tree, the word's winner against the best so far; indices are kept
// in clog2(N) bits.
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
  output wire [31:0]        out_index,
  output reg                out_valid,
  input  wire               out_ready
);
`include "zn_func.vh"
  localparam integer WORDS = (N + LANES - 1) / LANES;
  localparam integer LAST  = N - (WORDS - 1) * LANES;
  localparam integer WW    = zn_idxw(WORDS);
  localparam integer LW    = zn_idxw(LANES);
  localparam integer IW    = zn_idxw(WORDS * LANES) > LW ? zn_idxw(WORDS * LANES) : LW;  // index width

  generate if (LANES < 1 || N < 1 || (SIGNED != 0 && SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_argmax: LANES (%0d) and N (%0d) must be >= 1, SIGNED (%0d) 0/1", LANES, N, SIGNED);
`else
    zn_param_error__zn_argmax_bad_parameters u_param_error();
`endif
  end endgenerate

  // Codes as unsigned 8-bit keys in comparison order (int8: the sign bit flipped).
  function [7:0] key;
    input [7:0] c;
    begin
      key = {c[7] ^ (SIGNED != 0), c[6:0]};
    end
  endfunction

  reg [WW-1:0] wi;
  wire         w_last = (wi == WORDS[WW-1:0] - 1'b1);
  assign in_ready = !out_valid || out_ready;
  wire fire = in_valid && in_ready;

  // Best lane of the current word (first of equals): a tournament tree; the right (higher)
  // half wins only when strictly greater. Lanes past N in a last word enter with key 0, which
  // never beats a lower lane.
  localparam integer TL = 1 << LW;                   // leaves, a power of two
  reg [7:0]    tk [0:2*TL-2];
  reg [LW-1:0] ti [0:2*TL-2];
  reg [7:0]    lbest;
  reg [LW-1:0] lidx;
  integer l, nd;
  always @* begin
    for (l = 0; l < TL; l = l + 1) begin
      tk[TL-1+l] = (l < LANES && (!w_last || l < LAST)) ? key(in_data[(l % LANES)*8 +: 8]) : 8'd0;
      ti[TL-1+l] = l[LW-1:0];
    end
    for (nd = TL - 2; nd >= 0; nd = nd - 1) begin
      if (tk[2*nd+2] > tk[2*nd+1]) begin
        tk[nd] = tk[2*nd+2];
        ti[nd] = ti[2*nd+2];
      end else begin
        tk[nd] = tk[2*nd+1];
        ti[nd] = ti[2*nd+1];
      end
    end
    lbest = tk[0];
    lidx  = ti[0];
  end

  // Indices are below N: IW bits are kept, out_index is their zero extension.
  reg  [7:0]    best;
  reg  [IW-1:0] best_idx, oidx;
  wire [IW-1:0] wbase    = wi * LANES[IW-1:0];
  wire [IW-1:0] cand_idx = wbase + {{(IW-LW){1'b0}}, lidx};
  wire take = (wi == {WW{1'b0}}) || (lbest > best);
  assign out_index = {{(32-IW){1'b0}}, oidx};
  always @(posedge clk) begin
    if (rst) begin
      wi        <= {WW{1'b0}};
      out_valid <= 1'b0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (fire) begin
        wi <= w_last ? {WW{1'b0}} : wi + 1'b1;
        if (w_last) out_valid <= 1'b1;
      end
    end
  end
  always @(posedge clk) begin
    if (fire && take) begin
      best     <= lbest;
      best_idx <= cand_idx;
    end
    if (fire && w_last) oidx <= take ? cand_idx : best_idx;
  end
endmodule
