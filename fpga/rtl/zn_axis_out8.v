// zn_axis_out8: the AXI4-Stream result output for a byte-wide code stream (the sequential engine).
//
// Same output stream as zn_axis_out (ports alike except in_data, one 8-bit code a beat): the
// last layer's C codes an image, in order, in. Out per image: beat 0 = {sequence number, class
// index} ([63:32], [31:0]), then ceil(C/8) value beats of 8 codes, little-endian, zero-padded.
// The class index is the argmax (lowest index on a tie; codes compare as int8 when SIGNED, else
// uint8), run on each code as it arrives. The sequence number counts images whose beat 0 was
// formed since reset or clear_seq (mod 2^32); a clear_seq while a beat 0's sequence bytes are
// being shifted in takes effect right after that beat 0 (so a beat 0 never mixes two counts).
// TLAST on the last beat of every K-th image, K = packet_images (0 acts as 1), decided as the
// image's last value beat is formed (as in zn_axis_out: an image ends a packet when the images
// since the packet's start, itself included, are >= K at that moment, so lowering K mid-packet
// ends the packet at the next image). TKEEP is all ones. ev_image pulses on the handshake of
// each image's last beat. The output beat is a register: TVALID, TDATA and TLAST hold until TREADY.
//
// Structure: the codes go into one block RAM of two halves (2^clog2(C) codes each, one image a
// half); the writer fills one half while the reader sends the other. A beat is assembled in
// m_tdata itself, one byte a cycle shifted in from the top (8 cycles, no per-bit muxes): stage A
// reads the code (block RAM, output register reset to zero unless a real code is read), stage B
// shifts (the code, or a byte of the class index / sequence number for beat 0). in_ready is low
// while the half to be filled is still being sent, and for an image's first code while the
// previous image's class index (the running argmax registers) has not yet gone into its beat 0.
//
// Timing (output ready, reader idle): the image's last code taken at cycle a, beat 0 is handed
// over at a + 10 and value beat v at a + 10 + 9·(v + 1); the last beat's handshake is at
// a + 10 + 9·ceil(C/8) (PipelineTiming.outputStage8). An image occupies the reader for
// 9·(ceil(C/8) + 1) + 1 cycles from its last code, so codes at least every 20 cycles (the
// sequential engine: T + 10 >= 106) are never held back.
module zn_axis_out8 #(
  parameter integer C      = 10,
  parameter integer SIGNED = 0
) (
  input  wire        clk,
  input  wire        rst,
  input  wire [7:0]  in_data,
  input  wire        in_valid,
  output wire        in_ready,
  output reg  [63:0] m_tdata,
  output wire [7:0]  m_tkeep,
  output reg         m_tvalid,
  input  wire        m_tready,
  output reg         m_tlast,
  input  wire [31:0] packet_images,
  input  wire        clear_seq,
  output wire        ev_image
);
`include "zn_regmap.vh"
`include "zn_func.vh"
  localparam integer VB = (C + 7) / 8;        // value beats an image
  localparam integer XW = zn_idxw(C);         // bits of a code index (and of the class index)
  localparam integer RW = zn_idxw(8 * VB);    // bits of a byte position in the value beats (>= 3)

  generate if (C < 1 || C > 65536 || (SIGNED != 0 && SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out8: C (%0d) must be 1..65536, SIGNED (%0d) 0/1", C, SIGNED);
`else
    zn_param_error__zn_axis_out8_bad_parameters u_param_error();
`endif
  end endgenerate

  // The stream format this module implements (zn_regmap.vh, from OutputRecord): 64-bit beats;
  // beat 0 = {sequence number [63:32], class index [31:0]}; 8 values a value beat.
  generate if (ZN_BEAT_W != 64 || OR_CLASS_LSB != 0 || OR_CLASS_W != 32 || OR_SEQ_LSB != 32 || OR_SEQ_W != 32 ||
               OR_VALUES_PER_BEAT != 8) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out8: the output record of zn_regmap.vh is not the one this module builds");
`else
    zn_param_error__zn_axis_out8_output_record u_map_error();
`endif
  end endgenerate

  assign m_tkeep = 8'hFF;
  localparam integer C_M1I  = C - 1;
  localparam integer RB_M1I = 8 * VB - 1;
  localparam [XW-1:0] C_M1  = C_M1I[XW-1:0];
  localparam [RW-1:0] RB_M1 = RB_M1I[RW-1:0];

  // ---------------- writer: codes into half wh, running argmax ----------------
  reg  [XW-1:0] wk;           // index of the next code of the image
  reg           wh, rh;       // half being filled / sent
  reg  [1:0]    full;         // a half holds a whole image not yet sent
  reg           idx_pend;     // best_idx holds a finished image's class index not yet in its beat 0
  reg  [7:0]    best;         // running maximum as an unsigned key (int8: sign bit flipped)
  reg  [XW-1:0] best_idx;
  wire          w_first = (wk == {XW{1'b0}});
  wire          w_last  = (wk == C_M1);
  assign in_ready = !full[wh] && !(w_first && idx_pend);
  wire          w_take  = in_valid && in_ready;
  wire [7:0]    key     = {in_data[7] ^ (SIGNED != 0), in_data[6:0]};
  (* ram_style = "block" *) reg [7:0] mem [0:(2 << XW)-1];
  always @(posedge clk) begin
    if (w_take) mem[{wh, wk}] <= in_data;
  end
  always @(posedge clk) begin
    if (w_take && (w_first || key > best)) begin
      best     <= key;
      best_idx <= wk;
    end
  end

  // ---------------- reader stage A: one byte position a cycle ----------------
  reg  [RW-1:0] ri;           // byte position: 0..7 in beat 0 (hdr), 0..8·VB-1 in the value beats
  reg           hdr;          // the beat being assembled is beat 0
  reg           bv, bhdr, blast;
  reg  [2:0]    bpos;
  reg  [31:0]   img_in_packet;
  wire [2:0]    p        = ri[2:0];
  wire          p7       = (p == 3'd7);
  // A beat's first byte waits for the output register (free, or handed over now) and for stage B
  // to be empty (its last byte sets TVALID); the other seven follow on consecutive cycles.
  wire          a_step   = full[rh] && (p != 3'd0 || (m_tvalid ? m_tready : !bv));
  wire          hdr_end  = a_step && hdr && p7;
  wire          img_end  = a_step && !hdr && (ri == RB_M1);
  wire          real_code;  // byte position ri is below C (not padding)
  generate if (8 * VB == C) begin : g_no_pad
    assign real_code = 1'b1;
  end else begin : g_pad
    assign real_code = (ri <= C_M1I[RW-1:0]);
  end endgenerate
  wire          rd       = a_step && !hdr && real_code;
  wire [31:0]   img_next = img_in_packet + 32'd1;
  // img_in_packet + 1 >= 1 always (img_in_packet < K <= 2^32 - 1), so K = 0 acts as 1.
  wire          pkt_end  = (img_next >= packet_images);
  reg  [7:0]    mem_q;      // block RAM output register: zero unless a code is read
  always @(posedge clk) begin
    if (!rd) mem_q <= 8'd0;
    else     mem_q <= mem[{rh, ri[XW-1:0]}];
  end

  always @(posedge clk) begin
    if (rst) begin
      wk       <= {XW{1'b0}};
      wh       <= 1'b0;
      rh       <= 1'b0;
      full     <= 2'b00;
      idx_pend <= 1'b0;
      ri       <= {RW{1'b0}};
      hdr      <= 1'b1;
      bv       <= 1'b0;
    end else begin
      if (w_take) wk <= w_last ? {XW{1'b0}} : wk + 1'b1;
      if (w_take && w_last) wh <= !wh;
      // full[h]: set by the image's last code, cleared by its last byte position (never both:
      // the writer sets only an empty half, the reader clears only a full one).
      full[0] <= (full[0] || (w_take && w_last && !wh)) && !(img_end && !rh);
      full[1] <= (full[1] || (w_take && w_last && wh)) && !(img_end && rh);
      idx_pend <= (idx_pend || (w_take && w_last)) && !hdr_end;
      if (img_end) rh <= !rh;
      if (a_step) begin
        ri  <= (hdr_end || img_end) ? {RW{1'b0}} : ri + 1'b1;
        hdr <= hdr ? !p7 : img_end;
      end
      bv <= a_step;
    end
  end
  always @(posedge clk) begin
    if (a_step) begin
      bpos  <= p;
      bhdr  <= hdr;
      blast <= img_end && pkt_end;
    end
  end
  // The packet counter: a synchronous reset at a packet's end, an enable at an image's end.
  always @(posedge clk) begin
    if (rst || (img_end && pkt_end)) img_in_packet <= 32'd0;
    else if (img_end) img_in_packet <= img_next;
  end

  // ---------------- reader stage B: shift one byte into m_tdata ----------------
  reg  [31:0] seq;
  reg         clr_pend;
  wire [31:0] idx32 = {{(32-XW){1'b0}}, best_idx};
  reg  [7:0]  hbyte;          // beat 0's byte bpos: index bytes 0, 1, zero, zero, sequence bytes 0..3
  always @* begin
    case (bpos)
      3'd0:    hbyte = idx32[7:0];
      3'd1:    hbyte = idx32[15:8];
      3'd4, 3'd5, 3'd6, 3'd7: hbyte = seq[7:0];
      default: hbyte = 8'd0;
    endcase
  end
  wire unused_idx = ^idx32[31:16];
  wire b_end   = bv && (bpos == 3'd7);       // the beat's last byte: the beat becomes valid
  wire seq_win = bv && bhdr && bpos[2];      // beat 0's sequence bytes are being shifted in
  wire hdr_fin = seq_win && (bpos[1:0] == 2'b11);
  always @(posedge clk) begin
    if (bv) m_tdata <= {bhdr ? hbyte : mem_q, m_tdata[63:8]};
  end
  always @(posedge clk) begin
    if (rst) begin
      m_tvalid <= 1'b0;
      m_tlast  <= 1'b0;
    end else if (b_end) begin
      m_tvalid <= 1'b1;
      m_tlast  <= blast;
    end else if (m_tready) begin
      m_tvalid <= 1'b0;
      m_tlast  <= 1'b0;
    end
  end
  // A beat in m_tdata is its image's last exactly when stage A's next beat is a beat 0.
  assign ev_image = m_tvalid && m_tready && hdr;
  // The sequence number: during a beat 0's sequence window (4 cycles) the register rotates down a
  // byte a cycle, the byte leaving at the bottom is shifted into m_tdata and comes back at the top
  // incremented byte-serially (carry in seq_c): after the window it holds the old value + 1. A
  // clear_seq inside the window is held back until its last cycle (clr_pend). One synchronous
  // reset and one enable on the flip-flops; no byte mux.
  reg        seq_c;
  wire [8:0] seq_inc = {1'b0, seq[7:0]} + {8'd0, (bpos[1:0] == 2'b00) | seq_c};
  wire seq_clr = rst || (clear_seq && !(seq_win && !hdr_fin)) || (hdr_fin && clr_pend);
  always @(posedge clk) begin
    if (seq_clr)      seq <= 32'd0;
    else if (seq_win) seq <= {seq_inc[7:0], seq[31:8]};
  end
  always @(posedge clk) begin
    if (seq_win) seq_c <= seq_inc[8];
  end
  always @(posedge clk) begin
    if (rst || hdr_fin)             clr_pend <= 1'b0;
    else if (seq_win && clear_seq)  clr_pend <= 1'b1;
  end
endmodule
