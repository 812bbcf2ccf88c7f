// zn_mvau: matrix-vector unit of one dense layer (the multiply-accumulate part).
//
// For each image, reads the IN input codes as SF = IN/SIMD words of SIMD codes and writes
// NF = OUT/PE words of PE sums: out word nf, lane p = sum_k weight[nf*PE + p][k] * x[k]
// (raw codes, read as int8 when IN_SIGNED else uint8; the input zero point and the bias are
// applied by zn_requant). Exact: SUM_W must hold IN * (int8 x code) products; an instance
// with a smaller SUM_W does not elaborate.
//
// Structure: a double-buffered input vector (2 x SF words, so the next image loads while the
// current one is computed), weights in zn_param_ram (PE banks of SF*NF words of SIMD bytes,
// bank p at depth nf*SF + sf holding weight[nf*PE + p][sf*SIMD + j] in byte j), the
// zn_dot MAC array and PE accumulators. The input buffer is a block RAM (ram_style) when that
// saves at least IBUF_LUT_PER_RAMB18 (48; 0: never forced) LUTs per RAMB18, else synthesis chooses. One fold step (SIMD x PE MACs) a cycle: SF*NF cycles
// an image. The pipeline advances while the output skid buffer can take a word (`ce`).
module zn_mvau #(
  parameter integer IN        = 8,
  parameter integer OUT       = 8,
  parameter integer PE        = 1,
  parameter integer SIMD      = 1,
  parameter integer IN_SIGNED = 1,
  parameter integer MUL_STYLE = 0,
  parameter integer REG_EVERY = 2,
  parameter integer SUM_W     = 32,
  parameter integer IBUF_LUT_PER_RAMB18 = 48,
  // Cycles from an output word's last fold step issued to its offer, 4 + DOT_LAT (zynqnet codegen
  // sets it from its timing model; -1: not checked).
  parameter integer LATENCY = -1
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [SIMD*8-1:0]     in_data,
  input  wire                  in_valid,
  output wire                  in_ready,
  output wire [PE*SUM_W-1:0]   out_data,
  output wire                  out_valid,
  input  wire                  out_ready,
  input  wire                  cfg_req,
  input  wire                  cfg_we,
  input  wire [31:0]           cfg_addr,
  input  wire [31:0]           cfg_wdata,
  output wire                  cfg_ack,
  output wire [31:0]           cfg_rdata,
  output wire                  cfg_err,
  output wire [31:0]           cfg_next
);
`include "zn_func.vh"
  localparam integer SF    = IN / SIMD;
  localparam integer NF    = OUT / PE;
  localparam integer D     = SF * NF;
  localparam integer SFW   = zn_idxw(SF);
  localparam integer NFW   = zn_idxw(NF);
  localparam integer DW    = (D > 1) ? $clog2(D) : 1;
  localparam integer IBW   = zn_idxw(2 * SF);
  localparam integer TW    = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam integer DOT_W = 17 + TW;
  // Exact range of one product and of the whole sum.
  localparam signed [63:0] TMIN = (IN_SIGNED != 0) ? -64'sd16256 : -64'sd32640;
  localparam signed [63:0] TMAX = (IN_SIGNED != 0) ?  64'sd16384 :  64'sd32385;
  localparam integer NEED_W = zn_sbits(TMIN * IN, TMAX * IN);

  generate if (IN < 1 || OUT < 1 || PE < 1 || SIMD < 1 || IN % SIMD != 0 || OUT % PE != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_mvau: SIMD (%0d) must divide IN (%0d) and PE (%0d) must divide OUT (%0d)", SIMD, IN, PE, OUT);
`else
    zn_param_error__zn_mvau_SIMD_must_divide_IN_and_PE_must_divide_OUT u_param_error();
`endif
  end endgenerate
  generate if (SUM_W < NEED_W) begin : g_width_error
`ifdef VERILATOR
    $fatal(1, "zn_mvau: SUM_W (%0d) is below the proven sum width (%0d)", SUM_W, NEED_W);
`else
    zn_param_error__zn_mvau_SUM_W_below_proven_width u_param_error();
`endif
  end endgenerate

  // ---------------- output skid buffer and pipeline enable ----------------
  reg  [PE*SUM_W-1:0] res_data;
  reg                 res_valid;
  wire                res_ready;
  wire                ce = res_ready;
  zn_skid #(.W(PE*SUM_W)) u_out (
    .clk(clk), .rst(rst), .in_data(res_data), .in_valid(res_valid && ce), .in_ready(res_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));

  // ---------------- input double buffer ----------------
  reg [1:0]        full;
  reg              wbank;
  reg [SFW-1:0]    waddr;
  assign in_ready = !full[wbank];
  wire in_fire = in_valid && in_ready;
  wire [IBW-1:0] ib_waddr = (wbank ? SF[IBW-1:0] : {IBW{1'b0}}) + {{(IBW-SFW){1'b0}}, waddr};
  wire in_last = (waddr == SF[SFW-1:0] - 1'b1);

  // ---------------- issue ----------------
  reg           rbank;
  reg [SFW-1:0] sf;
  reg [NFW-1:0] nf;
  reg [DW-1:0]  wa;
  wire sf_last = (sf == SF[SFW-1:0] - 1'b1);
  wire nf_last = (nf == NF[NFW-1:0] - 1'b1);
  wire issue   = ce && full[rbank];
  wire [IBW-1:0] ib_raddr = (rbank ? SF[IBW-1:0] : {IBW{1'b0}}) + {{(IBW-SFW){1'b0}}, sf};

  always @(posedge clk) begin
    if (rst) begin
      full  <= 2'b00;
      wbank <= 1'b0;
      waddr <= {SFW{1'b0}};
      rbank <= 1'b0;
      sf    <= {SFW{1'b0}};
      nf    <= {NFW{1'b0}};
      wa    <= {DW{1'b0}};
    end else begin
      if (in_fire) begin
        waddr <= in_last ? {SFW{1'b0}} : waddr + 1'b1;
        if (in_last) begin
          full[wbank] <= 1'b1;
          wbank       <= !wbank;
        end
      end
      if (issue) begin
        sf <= sf_last ? {SFW{1'b0}} : sf + 1'b1;
        wa <= (wa == D[DW-1:0] - 1'b1) ? {DW{1'b0}} : wa + 1'b1;
        if (sf_last) begin
          nf <= nf_last ? {NFW{1'b0}} : nf + 1'b1;
          if (nf_last) begin
            // The last read of this bank happens at this edge: release it.
            full[rbank] <= 1'b0;
            rbank       <= !rbank;
          end
        end
      end
    end
  end

  // ---------------- memories (2-cycle reads) ----------------
  // The input buffer (2 x SF words of SIMD bytes, one write and one read port) is a block RAM
  // when its distributed-RAM estimate is at least IBUF_LUT_PER_RAMB18 LUTs per RAMB18 it would
  // take; otherwise synthesis chooses. Distributed: 4 LUTs per 6 bits (RAM32M, <= 32 words) or
  // per 3 bits and 64 words (RAM64M), plus a 4:1 LUT mux level past 64 words. Block: the fewest
  // RAMB18 over the simple-dual-port shapes 512 x 36 .. 16K x 1.
  localparam integer IB_D  = 2 * SF;
  localparam integer IB_W  = SIMD * 8;
  localparam integer IB_T  = (IB_D + 63) / 64;
  localparam integer IB_LUT = (IB_D <= 32) ? 4 * ((IB_W + 5) / 6)
                                           : 4 * ((IB_W + 2) / 3) * IB_T + ((IB_T > 1) ? (IB_W * IB_T + 3) / 4 : 0);
  localparam integer IB_B18 = zn_ramb18_sdp(IB_D, IB_W);
  localparam integer IB_BLOCK = (IBUF_LUT_PER_RAMB18 > 0 && IB_LUT >= IBUF_LUT_PER_RAMB18 * IB_B18) ? 1 : 0;
  reg [SIMD*8-1:0] ib_q, ib_q2;
  generate if (IB_BLOCK != 0) begin : g_ibuf_block
    (* ram_style = "block" *) reg [SIMD*8-1:0] ibuf [0:2*SF-1];
    always @(posedge clk) begin
      if (in_fire) ibuf[ib_waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (ce && issue) ib_q <= ibuf[ib_raddr];
    end
  end else begin : g_ibuf_auto
    reg [SIMD*8-1:0] ibuf [0:2*SF-1];
    always @(posedge clk) begin
      if (in_fire) ibuf[ib_waddr] <= in_data;
    end
    always @(posedge clk) begin
      if (ce && issue) ib_q <= ibuf[ib_raddr];
    end
  end endgenerate
  always @(posedge clk) begin
    if (ce) ib_q2 <= ib_q;
  end
  wire [PE*SIMD*8-1:0] wq;
  zn_param_ram #(.BANKS(PE), .DEPTH(D), .WORD_W(SIMD*8)) u_weights (
    .clk(clk), .rst(rst), .ce(ce), .rd_en(issue), .rd_addr(wa), .rd_data(wq),
    .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
    .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata), .cfg_err(cfg_err), .cfg_next(cfg_next));

  // Tag {valid, first, last} alongside the reads.
  reg [2:0] tag1, tag2;
  always @(posedge clk) begin
    if (rst) begin
      tag1 <= 3'b000;
      tag2 <= 3'b000;
    end else if (ce) begin
      tag1 <= {issue, sf == {SFW{1'b0}}, sf_last};
      tag2 <= tag1;
    end
  end

  // ---------------- MAC array ----------------
  wire [PE*DOT_W-1:0] dot;
  wire [2:0]          dtag;
  zn_dot #(.PE(PE), .SIMD(SIMD), .IN_SIGNED(IN_SIGNED), .MUL_STYLE(MUL_STYLE), .REG_EVERY(REG_EVERY), .TAG_W(3)) u_dot (
    .clk(clk), .ce(ce), .x(ib_q2), .w(wq), .in_tag(tag2), .out_sum(dot), .out_tag(dtag));
  // The tag pipeline inside zn_dot is not reset; qualify its valid bit until it has flushed.
  localparam integer DOT_LAT = 2 + zn_tree_lat(SIMD, REG_EVERY);

  // The latency the generator's timing model assumes for this instance (LATENCY, PipelineTiming.mvauLatency) must be
  // the pipeline's own; -1 (the default, library use) is not checked.
  generate if (LATENCY != -1 && LATENCY != 4 + DOT_LAT) begin : g_latency_error
`ifdef VERILATOR
    $fatal(1, "zn_mvau: LATENCY %0d, but the pipeline's is %0d cycles", LATENCY, 4 + DOT_LAT);
`else
    zn_param_error__zn_mvau_LATENCY_is_not_the_pipeline_latency u_latency_error();
`endif
  end endgenerate
  reg [DOT_LAT-1:0] flush;
  always @(posedge clk) begin
    if (rst) flush <= {DOT_LAT{1'b0}};
    else if (ce) flush <= {flush[DOT_LAT-2:0], 1'b1};
  end
  wire d_valid = dtag[2] && flush[DOT_LAT-1];
  wire d_first = dtag[1];
  wire d_last  = dtag[0];

  // ---------------- accumulators ----------------
  reg [PE*SUM_W-1:0] acc;
  wire [PE*SUM_W-1:0] acc_next;
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : g_acc
    wire [DOT_W-1:0] dv = dot[p*DOT_W +: DOT_W];
    wire [SUM_W-1:0] de;
    if (SUM_W > DOT_W) begin : g_ext
      assign de = {{(SUM_W-DOT_W){dv[DOT_W-1]}}, dv};
    end else begin : g_trunc
      // Exact: the proven range of a partial sum fits SUM_W bits.
      assign de = dv[SUM_W-1:0];
      if (SUM_W < DOT_W) begin : g_unused
        wire [DOT_W-SUM_W-1:0] unused_high = dv[DOT_W-1:SUM_W];
      end
    end
    assign acc_next[p*SUM_W +: SUM_W] = d_first ? de : acc[p*SUM_W +: SUM_W] + de;
  end endgenerate

  always @(posedge clk) begin
    if (ce && d_valid) acc <= acc_next;
    if (ce && d_valid && d_last) res_data <= acc_next;
  end
  always @(posedge clk) begin
    if (rst) res_valid <= 1'b0;
    else if (ce) res_valid <= d_valid && d_last;
  end
endmodule
