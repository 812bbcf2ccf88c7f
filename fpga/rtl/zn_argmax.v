// zn_argmax: index of the largest of N 8-bit codes an image (lowest index on a tie).
//
// Input: ceil(N/LANES) words of LANES codes an image, lowest index first; lanes beyond N of a
// last, partial word are ignored. Codes compare as int8 (SIGNED = 1) or uint8. Output: one
// 32-bit index per image, held in a register until taken. Indices are kept in clog2 bits.
// Two implementations, chosen by SERIAL:
//   - SERIAL = 0 (tree): one word a cycle: the lanes of a word meet in a tournament tree, the
//     word's winner against the best so far.
//   - SERIAL = 1 (one lane a cycle, for slow streams): the offered word is scanned in place,
//     lane 0 first, one lane a cycle while in_valid is high (in_data must stay put until taken,
//     as AXI4-Stream requires), and taken on the cycle of its last lane: a word of n codes is
//     taken n - 1 cycles after it is first offered at the earliest (a last, partial word has
//     n = N - (words - 1)·LANES). No scanning while a result waits to be taken. A byte mux and
//     one 8-bit comparator instead of LANES - 1 comparators.
module zn_argmax #(
  parameter integer LANES  = 8,
  parameter integer N      = 8,
  parameter integer SIGNED = 0,
  parameter integer SERIAL = 0
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

  generate if (LANES < 1 || N < 1 || (SIGNED != 0 && SIGNED != 1) || (SERIAL != 0 && SERIAL != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_argmax: LANES (%0d) and N (%0d) must be >= 1, SIGNED (%0d) and SERIAL (%0d) 0/1", LANES, N, SIGNED, SERIAL);
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

  generate if (SERIAL != 0) begin : g_serial
    // The code under comparison: ci counts an image's codes; its lane is ci mod LANES.
    reg  [IW-1:0] ci;
    reg  [LW-1:0] lane;
    reg  [7:0]    best;
    reg  [IW-1:0] best_idx;
    wire          last_code = (ci == N[IW-1:0] - 1'b1);
    wire          last_lane = (lane == LANES[LW-1:0] - 1'b1) || last_code;
    wire          en        = !out_valid || out_ready;
    assign in_ready = last_lane && en;
    wire          step = in_valid && en;            // compare lane `lane` of the offered word
    wire [7:0]    k    = key(in_data[lane*8 +: 8]);
    wire          take = (ci == {IW{1'b0}}) || (k > best);
    assign out_index = {{(32-IW){1'b0}}, best_idx};
    if ((1 << LW) == LANES) begin : g_lane_bits
      always @* lane = ci[LW-1:0];
    end else begin : g_lane_count
      always @(posedge clk) begin
        if (rst) lane <= {LW{1'b0}};
        else if (step) lane <= last_lane ? {LW{1'b0}} : lane + 1'b1;
      end
    end
    always @(posedge clk) begin
      if (rst) begin
        ci        <= {IW{1'b0}};
        out_valid <= 1'b0;
      end else begin
        if (out_valid && out_ready) out_valid <= 1'b0;
        if (step) begin
          ci <= last_code ? {IW{1'b0}} : ci + 1'b1;
          if (last_code) out_valid <= 1'b1;
        end
      end
    end
    always @(posedge clk) begin
      if (step && take) begin
        best     <= k;
        best_idx <= ci;
      end
    end
  end else begin : g_tree
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
  end endgenerate
endmodule
