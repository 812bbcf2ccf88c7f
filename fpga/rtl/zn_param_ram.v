// zn_param_ram: runtime-writable parameter memory with read-back.
//
// BANKS banks of DEPTH words of WORD_W bits. Two ports:
//  - compute: rd_en/rd_addr read the same word of every bank; rd_data is valid two cycles after
//    rd_en (a registered read plus an output register, which BRAM absorbs unless a bank has both
//    storage parts below: then it follows their 2:1 pick). `ce` freezes the port.
//  - config (parameter window): cfg_req with cfg_addr = (bank << (DB+CB)) | (depth << CB) | chunk,
//    DB = clog2(DEPTH), CB = clog2(CHUNKS), CHUNKS = ceil(WORD_W/32). A write stages chunks and
//    stores the word when its last chunk arrives. Every request is answered exactly four cycles
//    after the request by cfg_ack with cfg_rdata (reads: the chunk, from the memory; writes: 0), cfg_err
//    (address outside the memory: write ignored, read 0) and cfg_next, the next valid address
//    (chunk, then depth, then bank). All response outputs are zero when cfg_ack is low, so the
//    responses of many memories can be ORed.
// Storage: a bank holds its first HD = floor(DEPTH / SLICE_DEPTH) * SLICE_DEPTH words bit-sliced
// (WORD_W memories of HD x 1 bit: on xc7 SLICE_DEPTH = 32768 maps them on 32K x 1 RAMB36s, so
// no wide depth mux is needed) and the other LD = DEPTH - HD words word-wide (the whole bank when
// DEPTH < SLICE_DEPTH; SLICE_DEPTH = 0 turns slicing off). RAM_STYLE sets ram_style on the
// word-wide part: 0 synthesis' choice, 1 "block", 2 "distributed". Neither changes the ports.
// Control cost: range checks only on fields whose count is not a power of two (in their own width),
// the request address and three flags piped (loaded with a request and held otherwise: clock
// enables instead of SRL16E shift registers), cfg_next = address + 1 with the chunk (and depth)
// field forced to all ones on a last chunk (last depth), one 32-bit incrementer in the last stage;
// chunk and bank picks are binary mux trees on the address bits; zeroed answers are synchronous resets.
module zn_param_ram #(
  parameter integer BANKS       = 1,
  parameter integer DEPTH       = 1,
  parameter integer WORD_W      = 8,
  parameter integer SLICE_DEPTH = 32768,
  parameter integer RAM_STYLE   = 0
) (
  input  wire                                 clk,
  input  wire                                 rst,
  input  wire                                 ce,
  input  wire                                 rd_en,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] rd_addr,
  output wire [BANKS*WORD_W-1:0]              rd_data,
  input  wire                                 cfg_req,
  input  wire                                 cfg_we,
  input  wire [31:0]                          cfg_addr,
  input  wire [31:0]                          cfg_wdata,
  output reg                                  cfg_ack,
  output reg  [31:0]                          cfg_rdata,
  output reg                                  cfg_err,
  output reg  [31:0]                          cfg_next
);
`include "zn_func.vh"
  localparam integer CHUNKS = (WORD_W + 31) / 32;
  localparam integer DB  = (DEPTH > 1) ? $clog2(DEPTH) : 0;
  localparam integer CB  = (CHUNKS > 1) ? $clog2(CHUNKS) : 0;
  localparam integer BB  = (BANKS > 1) ? $clog2(BANKS) : 0;
  localparam integer DAW = (DEPTH > 1) ? DB : 1;
  localparam integer BIW = zn_idxw(BANKS);
  localparam integer CIW = zn_idxw(CHUNKS);
  localparam integer LAST_W = WORD_W - 32 * (CHUNKS - 1);
  // Storage split (see "the banks"): NT full SLICE_DEPTH tiles bit-sliced, LD words word-wide.
  localparam integer NT = (SLICE_DEPTH > 0) ? DEPTH / SLICE_DEPTH : 0;
  localparam integer HD = NT * SLICE_DEPTH;
  localparam integer LD = DEPTH - HD;
  localparam integer TB = (SLICE_DEPTH > 1) ? $clog2(SLICE_DEPTH) : 1;

  generate if (BANKS < 1 || DEPTH < 1 || WORD_W < 1 || BB + DB + CB > 31 ||
               (SLICE_DEPTH != 0 && (SLICE_DEPTH < 2 || SLICE_DEPTH != (1 << TB))) ||
               RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_param_ram: BANKS (%0d), DEPTH (%0d), WORD_W (%0d) must be >= 1 and the address must fit 31 bits; SLICE_DEPTH (%0d) 0 or a power of two >= 2; RAM_STYLE (%0d) 0, 1 or 2",
           BANKS, DEPTH, WORD_W, SLICE_DEPTH, RAM_STYLE);
`else
    zn_param_error__zn_param_ram_bad_geometry u_param_error();
`endif
  end endgenerate

  // The used address bits; the control computes in these and in a few flags, never in 32 bits
  // except where the answer needs them (cfg_next of an address outside the memory is address + 1).
  localparam integer AW = BB + DB + CB;
  localparam integer BANKS_M1  = BANKS - 1;
  localparam integer DEPTH_M1  = DEPTH - 1;
  localparam integer CHUNKS_M1 = CHUNKS - 1;
  localparam [BIW-1:0] BANK_MAX  = BANKS_M1[BIW-1:0];
  localparam [DAW-1:0] DEPTH_MAX = DEPTH_M1[DAW-1:0];
  localparam [CIW-1:0] CHUNK_MAX = CHUNKS_M1[CIW-1:0];
  // cfg_next = base + 1, base = the address with the chunk field (last chunk) or the chunk and
  // depth fields (last chunk of the last depth) set to all ones, so the carry moves on.
  localparam [31:0] CMASK = (32'd1 << CB) - 32'd1;
  localparam [31:0] DMASK = ((32'd1 << DB) - 32'd1) << CB;

  // ---- stage 0: config address decode ----
  wire [DAW-1:0] a_depth;
  wire [CIW-1:0] a_chunk;
  wire a_bank_ok, a_depth_ok, a_chunk_ok;
  generate
    if (DB > 0) begin : g_ad
      assign a_depth = cfg_addr[CB +: DB];
    end else begin : g_ad0
      assign a_depth = {DAW{1'b0}};
    end
    if (CB > 0) begin : g_ac
      assign a_chunk = cfg_addr[CB-1:0];
    end else begin : g_ac0
      assign a_chunk = {CIW{1'b0}};
    end
    // Range checks only where a field can exceed its count (not a power of two).
    if (BANKS == (1 << BB)) begin : g_bok1
      assign a_bank_ok = 1'b1;
    end else begin : g_bok
      assign a_bank_ok = cfg_addr[DB+CB +: BB] <= BANK_MAX;
    end
    if (DEPTH == (1 << DB)) begin : g_dok1
      assign a_depth_ok = 1'b1;
    end else begin : g_dok
      assign a_depth_ok = a_depth <= DEPTH_MAX;
    end
    if (CHUNKS == (1 << CB)) begin : g_cok1
      assign a_chunk_ok = 1'b1;
    end else begin : g_cok
      assign a_chunk_ok = a_chunk <= CHUNK_MAX;
    end
  endgenerate
  wire a_high_zero = ~|(cfg_addr >> AW);
  wire a_ok = a_high_zero && a_bank_ok && a_depth_ok && a_chunk_ok;
  wire a_lc  = a_ok && (a_chunk == CHUNK_MAX);   // valid, last chunk of its word
  wire a_lcd = a_lc && (a_depth == DEPTH_MAX);   // and the last depth of its bank

  // Write-data bits above WORD_W of a one-chunk word are ignored.
  wire unused_wdata = ^cfg_wdata;

  // ---- stage 1: registered request ----
  reg            s1_req, s1_we, s1_ok, s1_lc, s1_lcd;
  reg [31:0]     s1_addr;
  reg [LAST_W-1:0] s1_wlast;
  reg            s1_commit;
  always @(posedge clk) begin
    if (rst) begin
      s1_req <= 1'b0;
    end else begin
      s1_req <= cfg_req;
    end
    // A request's fields are loaded with it and held otherwise (clock enables, no logic): only
    // answered requests use them, and held fields are not shift registers (no SRL16E per bit).
    if (cfg_req) begin
      s1_we    <= cfg_we;
      s1_ok    <= a_ok;
      s1_lc    <= a_lc;
      s1_lcd   <= a_lcd;
      s1_addr  <= cfg_addr;
      s1_wlast <= cfg_wdata[LAST_W-1:0];
    end
    s1_commit <= cfg_req && cfg_we && a_lc;
  end
  wire [BIW-1:0] s1_bank;
  wire [DAW-1:0] s1_depth;
  generate
    if (BB > 0) begin : g_s1b
      assign s1_bank = s1_addr[DB+CB +: BB];
    end else begin : g_s1b0
      assign s1_bank = {BIW{1'b0}};
    end
    if (DB > 0) begin : g_s1d
      assign s1_depth = s1_addr[CB +: DB];
    end else begin : g_s1d0
      assign s1_depth = {DAW{1'b0}};
    end
  endgenerate

  // Staging register for the chunks below the last one.
  wire [WORD_W-1:0] commit_word;
  genvar c;
  generate if (CHUNKS > 1) begin : g_stage
    reg [32*(CHUNKS-1)-1:0] stage;
    for (c = 0; c < CHUNKS - 1; c = c + 1) begin : g_chunk_reg
      localparam [CIW-1:0] CV = c;
      always @(posedge clk) begin
        if (cfg_req && cfg_we && a_ok && a_chunk == CV) stage[32*c +: 32] <= cfg_wdata;
      end
    end
    assign commit_word = {s1_wlast, stage};
  end else begin : g_nostage
    assign commit_word = s1_wlast;
  end endgenerate

  // ---- stage 2 registers (port B data, qb, is valid in this stage) ----
  reg            s2_req, s2_we, s2_ok, s2_lc, s2_lcd;
  reg [31:0]     s2_addr;
  always @(posedge clk) begin
    if (rst) s2_req <= 1'b0;
    else     s2_req <= s1_req;
    if (s1_req) begin
      s2_we   <= s1_we;
      s2_ok   <= s1_ok;
      s2_lc   <= s1_lc;
      s2_lcd  <= s1_lcd;
      s2_addr <= s1_addr;
    end
  end

  // ---- the banks ----
  // Each bank is a zn_param_bank (all with equal parameters: the per-module synthesis flow maps
  // one): a word-wide memory of LD words plus, for deep memories, the first HD words bit-sliced:
  // WORD_W memories of HD x 1 bit (HD a multiple of SLICE_DEPTH), which synthesis maps on
  // SLICE_DEPTH x 1 block RAMs with no per-word depth mux; the remaining LD < SLICE_DEPTH words
  // (the whole memory when DEPTH < SLICE_DEPTH) stay word-wide. Both read registered; a word's
  // part is picked by one registered flag before the output register (compute port: `ra`, here
  // for all banks) or by the stage-2 address (config port: `s2_rest`). In stage 2 each bank picks
  // its 32-bit chunk of port B's word (a binary mux tree on the chunk bits), registered in
  // s3_chunks.
  wire s1_rest;   // the request's depth lies in the word-wide part
  wire ra, s2_rest;
  generate if (NT > 0 && LD > 0) begin : g_rest_sel
    localparam [DB-TB-1:0] NTV = NT[DB-TB-1:0];
    assign s1_rest = s1_depth[TB +: DB-TB] == NTV;
    wire ra_rest = rd_addr[TB +: DB-TB] == NTV;   // the compute read's part
    reg  ra_q;
    always @(posedge clk) begin
      if (ce && rd_en) ra_q <= ra_rest;
    end
    assign ra = ra_q;
    assign s2_rest = s2_addr[CB+TB +: DB-TB] == NTV; // the config read's part
  end else begin : g_rest_sel0
    assign s1_rest = (NT == 0);
    assign ra = 1'b0;
    assign s2_rest = 1'b0;
  end endgenerate
  // A bank answers min(WORD_W, 32) bits of chunk; a one-chunk word's others are zero here (so
  // synthesis sees them constant, as it did with the banks inline).
  localparam integer CW = (WORD_W < 32) ? WORD_W : 32;
  wire [32*BANKS-1:0] s3_chunks;
  genvar b;
  generate for (b = 0; b < BANKS; b = b + 1) begin : g_bank
    localparam [BIW-1:0] BV = b;
    wire [CW-1:0] cq;
    zn_param_bank #(.DEPTH(DEPTH), .WORD_W(WORD_W), .SLICE_DEPTH(SLICE_DEPTH), .RAM_STYLE(RAM_STYLE)) u_bank (
      .clk(clk), .ce(ce), .rd_en(rd_en), .rd_addr(rd_addr), .ra(ra), .rd_q(rd_data[b*WORD_W +: WORD_W]),
      .we(s1_commit && s1_bank == BV), .w_rest(s1_rest), .wdepth(s1_depth), .wdata(commit_word),
      .b_rest(s2_rest), .chunk(s2_addr[CIW-1:0]), .chunk_q(cq));
    if (CW < 32) begin : g_cpad
      assign s3_chunks[b*32 +: 32] = {{(32-CW){1'b0}}, cq};
    end else begin : g_cfull
      assign s3_chunks[b*32 +: 32] = cq;
    end
  end endgenerate

  // ---- stage 3: pick the bank (the same tree on the bank bits); the response ----
  reg            s3_req, s3_rd, s3_err, s3_lc, s3_lcd;
  reg [31:0]     s3_addr;
  always @(posedge clk) begin
    if (rst) s3_req <= 1'b0;
    else     s3_req <= s2_req;
    if (s2_req) begin
      s3_rd   <= !s2_we && s2_ok;
      s3_err  <= !s2_ok;
      s3_lc   <= s2_lc;
      s3_lcd  <= s2_lcd;
      s3_addr <= s2_addr;
    end
  end
  localparam integer BL = 1 << BB;   // leaves of the bank tree
  wire [32*BL-1:0] bpadded;
  generate if (BL > BANKS) begin : g_bpad
    assign bpadded = {{(32*(BL-BANKS)){1'b0}}, s3_chunks};
  end else begin : g_nobpad
    assign bpadded = s3_chunks;
  end endgenerate
  reg [32*(2*BL-1)-1:0] bt;   // the same heap layout
  integer bl, bi;
  always @* begin
    bt[32*(BL-1) +: 32*BL] = bpadded;
    for (bl = BB - 1; bl >= 0; bl = bl - 1) begin
      for (bi = 0; bi < (1 << bl); bi = bi + 1) begin
        bt[32*((1 << bl) + bi - 1) +: 32] = s3_addr[DB + CB + BB - 1 - bl] ? bt[32*(2*((1 << bl) + bi)) +: 32]
                                                                           : bt[32*(2*((1 << bl) + bi) - 1) +: 32];
      end
    end
  end
  wire [31:0] s3_base = s3_addr | ({32{s3_lc}} & CMASK) | ({32{s3_lcd}} & DMASK);
  always @(posedge clk) begin
    if (rst) begin
      cfg_ack <= 1'b0;
      cfg_err <= 1'b0;
    end else begin
      cfg_ack <= s3_req;
      cfg_err <= s3_req && s3_err;
    end
    // Zero without an answer: synchronous resets, no 32-bit AND gates.
    if (rst || !(s3_req && s3_rd)) cfg_rdata <= 32'd0;
    else                           cfg_rdata <= bt[31:0];
    if (rst || !s3_req) cfg_next <= 32'd0;
    else                cfg_next <= s3_base + 32'd1;
  end
endmodule
