// zn_param_bank: one bank of zn_param_ram (DEPTH words of WORD_W bits), its storage, both read
// ports and its chunk pick. zn_param_ram instantiates BANKS of them with equal parameters, so
// the per-module synthesis flow (`zynqnet report`) maps one bank per memory instead of every
// bank inline.
//
// Storage as zn_param_ram's header says: the first HD = floor(DEPTH / SLICE_DEPTH) * SLICE_DEPTH
// words bit-sliced (WORD_W memories of HD x 1 bit), the other LD = DEPTH - HD words word-wide
// (ram_style by RAM_STYLE: 0 synthesis' choice, 1 "block", 2 "distributed").
//  - compute port: rd_en/rd_addr (frozen while !ce) read registered; rd_q is the word two enabled
//    cycles after rd_en. With both parts, `ra` (zn_param_ram's registered "the read's depth is
//    in the word-wide part", one flag for all banks) picks the part before rd_q.
//  - config port: `we` stores `wdata` at depth `wdepth` (zn_param_ram's stage 1), which is also
//    read every cycle; one cycle later `b_rest` (the stage-2 address's depth is in the word-wide
//    part) picks the part and `chunk` (the stage-2 address's chunk bits) its 32-bit chunk (zero
//    past the word); chunk_q registers it (zn_param_ram's stage 3), min(WORD_W, 32) bits: a word
//    of one chunk leaves the rest zero, which zn_param_ram then sees as constants.
module zn_param_bank #(
  parameter integer DEPTH       = 1,
  parameter integer WORD_W      = 8,
  parameter integer SLICE_DEPTH = 32768,
  parameter integer RAM_STYLE   = 0
) (
  input  wire                                         clk,
  input  wire                                         ce,
  input  wire                                         rd_en,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] rd_addr,
  input  wire                                         ra,
  output reg  [WORD_W-1:0]                            rd_q,
  input  wire                                         we,
  input  wire                                         w_rest,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] wdepth,
  input  wire [WORD_W-1:0]                            wdata,
  input  wire                                         b_rest,
  input  wire [(((WORD_W + 31) / 32 > 1) ? $clog2((WORD_W + 31) / 32) : 1)-1:0] chunk,
  output reg  [((WORD_W < 32) ? WORD_W : 32)-1:0]     chunk_q
);
  localparam integer CHUNKS = (WORD_W + 31) / 32;
  localparam integer CB  = (CHUNKS > 1) ? $clog2(CHUNKS) : 0;
  localparam integer NT = (SLICE_DEPTH > 0) ? DEPTH / SLICE_DEPTH : 0;
  localparam integer HD = NT * SLICE_DEPTH;
  localparam integer LD = DEPTH - HD;
  localparam integer TB = (SLICE_DEPTH > 1) ? $clog2(SLICE_DEPTH) : 1;
  localparam integer HW = (HD > 1) ? $clog2(HD) : 1;
  localparam integer LW = (LD > 1) ? $clog2(LD) : 1;
  generate if (DEPTH < 1 || WORD_W < 1 || (SLICE_DEPTH != 0 && (SLICE_DEPTH < 2 || SLICE_DEPTH != (1 << TB))) ||
               RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_param_bank: DEPTH (%0d), WORD_W (%0d) must be >= 1; SLICE_DEPTH (%0d) 0 or a power of two >= 2; RAM_STYLE (%0d) 0, 1 or 2",
           DEPTH, WORD_W, SLICE_DEPTH, RAM_STYLE);
`else
    zn_param_error__zn_param_bank_bad_geometry u_param_error();
`endif
  end endgenerate

  // The part flags, the chunk bits and the address bits above a part are read only where the
  // geometry has them.
  wire unused_flags = ^{ra, w_rest, b_rest, chunk, rd_addr, wdepth};

  wire [WORD_W-1:0] qa_l, qb_l, qa_h, qb_h;
  genvar j;
  generate
    if (LD > 0) begin : g_word
      wire [LW-1:0] ia = rd_addr[LW-1:0];
      wire [LW-1:0] ib = wdepth[LW-1:0];
      wire          wl = we && w_rest;
      reg [WORD_W-1:0] qa;
      reg [WORD_W-1:0] qb;
      if (RAM_STYLE == 1) begin : g_block
        (* ram_style = "block" *) reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (wl) mem[ib] <= wdata;
          qb <= mem[ib];
        end
      end else if (RAM_STYLE == 2) begin : g_dist
        (* ram_style = "distributed" *) reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (wl) mem[ib] <= wdata;
          qb <= mem[ib];
        end
      end else begin : g_auto
        reg [WORD_W-1:0] mem [0:LD-1];
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (wl) mem[ib] <= wdata;
          qb <= mem[ib];
        end
      end
      assign qa_l = qa;
      assign qb_l = qb;
    end else begin : g_word0
      assign qa_l = {WORD_W{1'b0}};
      assign qb_l = {WORD_W{1'b0}};
    end
    if (NT > 0) begin : g_slices
      wire [HW-1:0] ia = rd_addr[HW-1:0];
      wire [HW-1:0] ib = wdepth[HW-1:0];
      wire          wh = we && !w_rest;
      for (j = 0; j < WORD_W; j = j + 1) begin : g_bit
        reg mem [0:HD-1];
        reg qa, qb;
        always @(posedge clk) begin
          if (ce && rd_en) qa <= mem[ia];
        end
        always @(posedge clk) begin
          if (wh) mem[ib] <= wdata[j];
          qb <= mem[ib];
        end
        assign qa_h[j] = qa;
        assign qb_h[j] = qb;
      end
    end else begin : g_slices0
      assign qa_h = {WORD_W{1'b0}};
      assign qb_h = {WORD_W{1'b0}};
    end
  endgenerate

  // Compute port: the part pick (both parts) and the output register.
  wire [WORD_W-1:0] port_b_q;
  generate if (NT > 0 && LD > 0) begin : g_pick
    always @(posedge clk) begin
      if (ce) rd_q <= ra ? qa_l : qa_h;
    end
    assign port_b_q = b_rest ? qb_l : qb_h;
  end else begin : g_one
    always @(posedge clk) begin
      if (ce) rd_q <= (NT > 0) ? qa_h : qa_l;
    end
    assign port_b_q = (NT > 0) ? qb_h : qb_l;
  end endgenerate

  // Config port: the chunk, by a binary mux tree on the chunk bits (chunks past the word are
  // zero; an indexed part-select with a variable, multiplied index would synthesize as a full
  // barrel shifter).
  localparam integer CL = 1 << CB;   // leaves of the chunk tree
  wire [32*CL-1:0] padded;
  generate if (32 * CL > WORD_W) begin : g_pad
    assign padded = {{(32*CL-WORD_W){1'b0}}, port_b_q};
  end else begin : g_nopad
    assign padded = port_b_q;
  end endgenerate
  // Heap-ordered tree: node n (1 .. 2*CL-1) at bits [32*(n-1) +: 32]; leaves CL .. 2*CL-1; the root is node 1.
  reg [32*(2*CL-1)-1:0] t;
  integer l, i;
  always @* begin
    t[32*(CL-1) +: 32*CL] = padded;
    for (l = CB - 1; l >= 0; l = l - 1) begin
      for (i = 0; i < (1 << l); i = i + 1) begin
        t[32*((1 << l) + i - 1) +: 32] = chunk[CB - 1 - l] ? t[32*(2*((1 << l) + i)) +: 32]
                                                           : t[32*(2*((1 << l) + i) - 1) +: 32];
      end
    end
  end
  localparam integer CW = (WORD_W < 32) ? WORD_W : 32;
  always @(posedge clk) chunk_q <= t[CW-1:0];
  wire unused_t = ^t;   // above CW: the zero padding of a one-chunk word
endmodule
