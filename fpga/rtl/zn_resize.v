// zn_resize: stream width converter (gearbox) for images of N lanes.
//
// An image of N lanes (LANE_W bits each) enters as ceil(N/IN_LANES) words of IN_LANES lanes,
// lowest lane first; the last word may be partial (its lanes beyond N are ignored). It leaves as
// ceil(N/OUT_LANES) words of OUT_LANES lanes; lanes beyond N of a last, partial word are zero.
// Images follow each other without gaps. Three implementations, chosen at elaboration:
//   - SPLIT   (IN_LANES = k·OUT_LANES, every word full): one word register, read out part by part;
//   - COLLECT (OUT_LANES = k·IN_LANES, every input word full): fill a word, then hand it over
//     (a last, partial output word is handed over after its last input word, zero-filled);
//   - GENERAL: a lane buffer of OUT_LANES + 2·IN_LANES - 1 lanes; input lanes land at the fill
//     level, which is always a multiple of G = gcd of the word sizes, so each buffer lane muxes
//     only the few input lanes that can reach it.
// out_valid never depends on out_ready. in_ready depends on out_ready in SPLIT and COLLECT
// (allowed by AXI4-Stream; put a zn_skid in front where that path matters).
module zn_resize #(
  parameter integer LANE_W    = 8,
  parameter integer IN_LANES  = 8,
  parameter integer OUT_LANES = 8,
  parameter integer N         = 8
) (
  input  wire                          clk,
  input  wire                          rst,
  input  wire [IN_LANES*LANE_W-1:0]    in_data,
  input  wire                          in_valid,
  output wire                          in_ready,
  output wire [OUT_LANES*LANE_W-1:0]   out_data,
  output wire                          out_valid,
  input  wire                          out_ready
);
`include "zn_func.vh"
  localparam integer IN_WORDS  = (N + IN_LANES - 1) / IN_LANES;
  localparam integer IN_LAST   = N - (IN_WORDS - 1) * IN_LANES;
  localparam integer OUT_WORDS = (N + OUT_LANES - 1) / OUT_LANES;
  localparam integer OUT_LAST  = N - (OUT_WORDS - 1) * OUT_LANES;
  localparam [0:0] MODE_SPLIT   = (IN_LANES % OUT_LANES == 0) && (N % IN_LANES == 0);
  localparam [0:0] MODE_COLLECT = !MODE_SPLIT && (OUT_LANES % IN_LANES == 0) && (N % IN_LANES == 0);

  generate if (LANE_W < 1 || IN_LANES < 1 || OUT_LANES < 1 || N < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_resize: LANE_W (%0d), IN_LANES (%0d), OUT_LANES (%0d) and N (%0d) must be >= 1",
           LANE_W, IN_LANES, OUT_LANES, N);
`else
    zn_param_error__zn_resize_parameters_must_be_positive u_param_error();
`endif
  end endgenerate

  generate
  if (MODE_SPLIT) begin : g_split
    localparam integer RATIO = IN_LANES / OUT_LANES;
    localparam integer PW    = zn_idxw(RATIO);
    reg [IN_LANES*LANE_W-1:0] cur;
    reg                       cur_valid;
    reg [PW-1:0]              phase;
    wire last_phase = (phase == RATIO[PW-1:0] - 1'b1);
    wire pop  = cur_valid && out_ready;
    assign in_ready  = !cur_valid || (out_ready && last_phase);
    assign out_valid = cur_valid;
    wire push = in_valid && in_ready;
    always @(posedge clk) begin
      if (rst) begin
        cur_valid <= 1'b0;
        phase     <= {PW{1'b0}};
      end else if (push) begin
        cur_valid <= 1'b1;
        phase     <= {PW{1'b0}};
      end else if (pop) begin
        cur_valid <= !last_phase;
        phase     <= last_phase ? {PW{1'b0}} : phase + 1'b1;
      end
    end
    // The word register only loads; the part in flight is selected by phase (a RATIO:1 mux of
    // OUT_LANES lanes is cheaper than shifting every bit of the word).
    always @(posedge clk) begin
      if (push) cur <= in_data;
    end
    if (RATIO > 1) begin : g_sel
      assign out_data = cur[phase*(OUT_LANES*LANE_W) +: OUT_LANES*LANE_W];
    end else begin : g_pass
      assign out_data = cur;
      wire unused_phase = ^phase;
    end
  end else if (MODE_COLLECT) begin : g_collect
    localparam integer RATIO = OUT_LANES / IN_LANES;
    localparam integer PW    = zn_idxw(RATIO);
    localparam integer IW    = IN_LANES * LANE_W;
    localparam integer LS    = OUT_LAST / IN_LANES;   // input words of the last output word
    reg [OUT_LANES*LANE_W-1:0] outr;
    reg                        outr_valid;
    reg [PW-1:0]               phase;
    wire word_last;                                   // collecting the image's last output word
    wire [PW-1:0] last_slot = word_last ? LS[PW-1:0] - 1'b1 : RATIO[PW-1:0] - 1'b1;
    wire last_phase = (phase == last_slot);
    wire pop = outr_valid && out_ready;
    assign in_ready  = !last_phase || !outr_valid || out_ready;
    assign out_valid = outr_valid;
    assign out_data  = outr;
    wire push = in_valid && in_ready;
    wire hand = push && last_phase;                   // the word is complete: hand it over
    if (LS < RATIO) begin : g_partial
      // The last output word holds LS input words; its lanes beyond N are zero.
      localparam integer OXW = zn_idxw(OUT_WORDS);
      reg [OXW-1:0] ow;
      assign word_last = (ow == OUT_WORDS[OXW-1:0] - 1'b1);
      always @(posedge clk) begin
        if (rst) ow <= {OXW{1'b0}};
        else if (hand) ow <= word_last ? {OXW{1'b0}} : ow + 1'b1;
      end
    end else begin : g_full
      assign word_last = 1'b0;
    end
    reg [(RATIO-1)*IW-1:0] acc;
    genvar g;
    for (g = 0; g < RATIO - 1; g = g + 1) begin : g_slot
      always @(posedge clk) begin
        if (push && phase == g) acc[g*IW +: IW] <= in_data;
      end
      if (g == LS - 1 && LS < RATIO) begin : g_end
        // The last input word of a last output word lands here directly.
        always @(posedge clk) begin
          if (hand) outr[g*IW +: IW] <= word_last ? in_data : acc[g*IW +: IW];
        end
      end else if (g >= LS) begin : g_masked
        always @(posedge clk) begin
          if (hand && word_last) outr[g*IW +: IW] <= {IW{1'b0}};
          else if (hand)         outr[g*IW +: IW] <= acc[g*IW +: IW];
        end
      end else begin : g_copy
        always @(posedge clk) begin
          if (hand) outr[g*IW +: IW] <= acc[g*IW +: IW];
        end
      end
    end
    if (LS < RATIO) begin : g_top_masked
      always @(posedge clk) begin
        if (hand && word_last) outr[(RATIO-1)*IW +: IW] <= {IW{1'b0}};
        else if (hand)         outr[(RATIO-1)*IW +: IW] <= in_data;
      end
    end else begin : g_top
      always @(posedge clk) begin
        if (hand) outr[(RATIO-1)*IW +: IW] <= in_data;
      end
    end
    always @(posedge clk) begin
      if (rst) begin
        outr_valid <= 1'b0;
        phase      <= {PW{1'b0}};
      end else begin
        if (push) phase <= last_phase ? {PW{1'b0}} : phase + 1'b1;
        if (hand) outr_valid <= 1'b1;
        else if (pop) outr_valid <= 1'b0;
      end
    end
  end else begin : g_general
    localparam integer G   = zn_gcd(zn_gcd(IN_LANES, OUT_LANES), zn_gcd(IN_LAST, OUT_LAST));
    localparam integer CAP = OUT_LANES + 2 * IN_LANES - 1;
    localparam integer CW  = zn_idxw(CAP + 1);
    localparam integer IXW = zn_idxw(IN_WORDS);
    localparam integer OXW = zn_idxw(OUT_WORDS);
    reg  [CAP*LANE_W-1:0] buffer;
    reg  [CW-1:0]         cnt;
    reg  [IXW-1:0]        in_idx;
    reg  [OXW-1:0]        out_idx;
    wire in_last  = (in_idx == IN_WORDS[IXW-1:0] - 1'b1);
    wire out_last = (out_idx == OUT_WORDS[OXW-1:0] - 1'b1);
    wire [CW-1:0] take   = out_last ? OUT_LAST[CW-1:0] : OUT_LANES[CW-1:0];
    wire [CW-1:0] push_n = in_last ? IN_LAST[CW-1:0] : IN_LANES[CW-1:0];
    assign out_valid = (cnt >= take);
    assign in_ready  = (cnt <= CAP[CW-1:0] - IN_LANES[CW-1:0]);
    wire pop  = out_valid && out_ready;
    wire push = in_valid && in_ready;
    wire pop_full = pop && !out_last;
    wire pop_last = pop && out_last;
    wire [CW-1:0] base = cnt - (pop ? take : {CW{1'b0}});

    genvar j;
    for (j = 0; j < OUT_LANES; j = j + 1) begin : g_out
      if (j < OUT_LAST) begin : g_always
        assign out_data[j*LANE_W +: LANE_W] = buffer[j*LANE_W +: LANE_W];
      end else begin : g_masked
        assign out_data[j*LANE_W +: LANE_W] = out_last ? {LANE_W{1'b0}} : buffer[j*LANE_W +: LANE_W];
      end
    end

    for (j = 0; j < CAP; j = j + 1) begin : g_lane
      // Input lanes that can land on buffer lane j: base = j - k, a multiple of G, base <= CAP - IN_LANES.
      reg [LANE_W-1:0] sel;
      reg              hit;
      integer          kk, bi;
      always @* begin
        sel = {LANE_W{1'b0}};
        hit = 1'b0;
        bi  = {{(32-CW){1'b0}}, base};
        for (kk = 0; kk < IN_LANES; kk = kk + 1) begin
          if (j - kk >= 0 && (j - kk) % G == 0 && j - kk <= CAP - IN_LANES && bi == j - kk) begin
            sel = in_data[kk*LANE_W +: LANE_W];
            hit = 1'b1;
          end
        end
      end
      wire [LANE_W-1:0] from_full;
      wire [LANE_W-1:0] from_last;
      if (j + OUT_LANES < CAP) begin : g_sf
        assign from_full = buffer[(j+OUT_LANES)*LANE_W +: LANE_W];
      end else begin : g_sf0
        assign from_full = {LANE_W{1'b0}};
      end
      if (j + OUT_LAST < CAP) begin : g_sl
        assign from_last = buffer[(j+OUT_LAST)*LANE_W +: LANE_W];
      end else begin : g_sl0
        assign from_last = {LANE_W{1'b0}};
      end
      always @(posedge clk) begin
        if (push && hit)   buffer[j*LANE_W +: LANE_W] <= sel;
        else if (pop_full) buffer[j*LANE_W +: LANE_W] <= from_full;
        else if (pop_last) buffer[j*LANE_W +: LANE_W] <= from_last;
      end
    end

    always @(posedge clk) begin
      if (rst) begin
        cnt     <= {CW{1'b0}};
        in_idx  <= {IXW{1'b0}};
        out_idx <= {OXW{1'b0}};
      end else begin
        cnt <= base + (push ? push_n : {CW{1'b0}});
        if (push) in_idx  <= in_last  ? {IXW{1'b0}} : in_idx + 1'b1;
        if (pop)  out_idx <= out_last ? {OXW{1'b0}} : out_idx + 1'b1;
      end
    end
  end
  endgenerate
endmodule
