// zn_param_ram: runtime-writable parameter memory with read-back.
//
// BANKS banks of DEPTH words of WORD_W bits. Two ports:
//  - compute: rd_en/rd_addr read the same word of every bank; rd_data is valid two cycles after
//    rd_en (a registered read plus an output register, which BRAM absorbs). `ce` freezes the port.
//  - config (parameter window): cfg_req with cfg_addr = (bank << (DB+CB)) | (depth << CB) | chunk,
//    DB = clog2(DEPTH), CB = clog2(CHUNKS), CHUNKS = ceil(WORD_W/32). A write stages chunks and
//    stores the word when its last chunk arrives. Every request is answered exactly four cycles
//    after the request by cfg_ack with cfg_rdata (reads: the chunk, from the memory; writes: 0), cfg_err
//    (address outside the memory: write ignored, read 0) and cfg_next, the next valid address
//    (chunk, then depth, then bank). All response outputs are zero when cfg_ack is low, so the
//    responses of many memories can be ORed.
module zn_param_ram #(
  parameter integer BANKS  = 1,
  parameter integer DEPTH  = 1,
  parameter integer WORD_W = 8
) (
  input  wire                                 clk,
  input  wire                                 rst,
  input  wire                                 ce,
  input  wire                                 rd_en,
  input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0] rd_addr,
  output reg  [BANKS*WORD_W-1:0]              rd_data,
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

  generate if (BANKS < 1 || DEPTH < 1 || WORD_W < 1 || BB + DB + CB > 31) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_param_ram: BANKS (%0d), DEPTH (%0d), WORD_W (%0d) must be >= 1 and the address must fit 31 bits",
           BANKS, DEPTH, WORD_W);
`else
    zn_param_error__zn_param_ram_bad_geometry u_param_error();
`endif
  end endgenerate

  // ---- config address decode (stage 0) ----
  wire [BIW-1:0] a_bank;
  wire [DAW-1:0] a_depth;
  wire [CIW-1:0] a_chunk;
  generate
    if (BB > 0) begin : g_ab
      assign a_bank = cfg_addr[DB+CB +: BB];
    end else begin : g_ab0
      assign a_bank = {BIW{1'b0}};
    end
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
  endgenerate
  wire a_high_zero = (cfg_addr >> (BB + DB + CB)) == 32'd0;
  wire [31:0] a_bank32  = {{(32-BIW){1'b0}}, a_bank};
  wire [31:0] a_depth32 = {{(32-DAW){1'b0}}, a_depth};
  wire [31:0] a_chunk32 = {{(32-CIW){1'b0}}, a_chunk};
  wire a_ok = a_high_zero && (a_bank32 < BANKS) && (a_depth32 < DEPTH) && (a_chunk32 < CHUNKS);
  wire a_last_chunk = (a_chunk == CHUNKS[CIW-1:0] - 1'b1);
  wire a_last_depth = (a_depth == DEPTH[DAW-1:0] - 1'b1);
  // Next valid address: chunk, then depth, then bank.
  wire [31:0] next_ok =
      !a_last_chunk ? cfg_addr + 32'd1 :
      !a_last_depth ? ({{(32-DAW){1'b0}}, a_depth + 1'b1} << CB) | ({{(32-BIW){1'b0}}, a_bank} << (DB + CB)) :
                      ({{(32-BIW){1'b0}}, a_bank} + 32'd1) << (DB + CB);

  // Write-data bits above WORD_W of a one-chunk word are ignored.
  wire unused_wdata = ^cfg_wdata;

  // ---- stage 1: registered request ----
  reg            s1_req, s1_we, s1_ok;
  reg [BIW-1:0]  s1_bank;
  reg [DAW-1:0]  s1_depth;
  reg [CIW-1:0]  s1_chunk;
  reg [31:0]     s1_next;
  reg [LAST_W-1:0] s1_wlast;
  reg            s1_commit;
  always @(posedge clk) begin
    if (rst) begin
      s1_req <= 1'b0;
    end else begin
      s1_req <= cfg_req;
    end
    s1_we     <= cfg_we;
    s1_ok     <= a_ok;
    s1_bank   <= a_bank;
    s1_depth  <= a_depth;
    s1_chunk  <= a_chunk;
    s1_next   <= a_ok ? next_ok : cfg_addr + 32'd1;
    s1_wlast  <= cfg_wdata[LAST_W-1:0];
    s1_commit <= cfg_req && cfg_we && a_ok && a_last_chunk;
  end

  // Staging register for the chunks below the last one.
  wire [WORD_W-1:0] commit_word;
  generate if (CHUNKS > 1) begin : g_stage
    reg [32*(CHUNKS-1)-1:0] stage;
    integer c;
    always @(posedge clk) begin
      for (c = 0; c < CHUNKS - 1; c = c + 1) begin
        if (cfg_req && cfg_we && a_ok && a_chunk32 == c) stage[32*c +: 32] <= cfg_wdata;
      end
    end
    assign commit_word = {s1_wlast, stage};
  end else begin : g_nostage
    assign commit_word = s1_wlast;
  end endgenerate

  // ---- the banks ----
  wire [BANKS*WORD_W-1:0] port_b_q;
  genvar b;
  generate for (b = 0; b < BANKS; b = b + 1) begin : g_bank
    reg [WORD_W-1:0] mem [0:DEPTH-1];
    reg [WORD_W-1:0] qa;
    reg [WORD_W-1:0] qb;
    always @(posedge clk) begin
      if (ce) begin
        if (rd_en) qa <= mem[rd_addr];
        rd_data[b*WORD_W +: WORD_W] <= qa;
      end
    end
    always @(posedge clk) begin
      if (s1_commit && s1_bank == b) mem[s1_depth] <= commit_word;
      qb <= mem[s1_depth];
    end
    assign port_b_q[b*WORD_W +: WORD_W] = qb;
  end endgenerate

  // ---- stage 2: port B data (qb) is valid; pick each bank's chunk (explicit muxes: an indexed
  // part-select with a variable, multiplied index would synthesize as a full barrel shifter) ----
  reg            s2_req, s2_we, s2_ok;
  reg [BIW-1:0]  s2_bank;
  reg [CIW-1:0]  s2_chunk;
  reg [31:0]     s2_next;
  always @(posedge clk) begin
    if (rst) s2_req <= 1'b0;
    else     s2_req <= s1_req;
    s2_we    <= s1_we;
    s2_ok    <= s1_ok;
    s2_bank  <= s1_bank;
    s2_chunk <= s1_chunk;
    s2_next  <= s1_next;
  end
  wire [31:0] s2_chunk32 = {{(32-CIW){1'b0}}, s2_chunk};
  reg [32*BANKS-1:0] s3_chunks;
  generate for (b = 0; b < BANKS; b = b + 1) begin : g_chunk
    wire [32*CHUNKS-1:0] padded = {{(32*CHUNKS-WORD_W){1'b0}}, port_b_q[b*WORD_W +: WORD_W]};
    reg  [31:0] pick;
    integer c2;
    always @* begin
      pick = 32'd0;
      for (c2 = 0; c2 < CHUNKS; c2 = c2 + 1) begin
        if (s2_chunk32 == c2) pick = padded[c2*32 +: 32];
      end
    end
    always @(posedge clk) s3_chunks[b*32 +: 32] <= pick;
  end endgenerate

  // ---- stage 3: the bank; the response ----
  reg            s3_req, s3_we, s3_ok;
  reg [BIW-1:0]  s3_bank;
  reg [31:0]     s3_next;
  always @(posedge clk) begin
    if (rst) s3_req <= 1'b0;
    else     s3_req <= s2_req;
    s3_we   <= s2_we;
    s3_ok   <= s2_ok;
    s3_bank <= s2_bank;
    s3_next <= s2_next;
  end
  reg [31:0] sel_chunk;
  wire [31:0] s3_bank32 = {{(32-BIW){1'b0}}, s3_bank};
  integer bk;
  always @* begin
    sel_chunk = 32'd0;
    for (bk = 0; bk < BANKS; bk = bk + 1) begin
      if (s3_bank32 == bk) sel_chunk = s3_chunks[bk*32 +: 32];
    end
  end
  always @(posedge clk) begin
    if (rst) begin
      cfg_ack   <= 1'b0;
      cfg_rdata <= 32'd0;
      cfg_err   <= 1'b0;
      cfg_next  <= 32'd0;
    end else begin
      cfg_ack   <= s3_req;
      cfg_rdata <= (s3_req && !s3_we && s3_ok) ? sel_chunk : 32'd0;
      cfg_err   <= s3_req && !s3_ok;
      cfg_next  <= s3_req ? s3_next : 32'd0;
    end
  end
endmodule
