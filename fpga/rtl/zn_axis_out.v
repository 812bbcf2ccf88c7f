// zn_axis_out: the AXI4-Stream result output.
//
// Input: the last layer's C codes an image as ceil(C/8) words of 8 codes, zero-padded.
// Output per image: beat 0 = {sequence number, class index} ([63:32], [31:0]), then the
// ceil(C/8) value words. The class index is the argmax (lowest index on a tie; codes compare
// as int8 when SIGNED). The sequence number counts images whose beat 0 was formed since reset
// or clear_seq (mod 2^32). TLAST is set on the last beat of every K-th image,
// K = packet_images (0 acts as 1). TKEEP is all ones. The output beat is a register: TVALID,
// TDATA and TLAST hold until TREADY.
//
// Timing (output ready): the value words go into a FIFO two images deep and into zn_argmax.
// ARGMAX_SERIAL = 0: a word is taken the cycle it is offered (one a cycle). ARGMAX_SERIAL = 1
// (zn_argmax SERIAL, for slow streams: a word every 8 cycles or slower): a word of n codes is
// scanned from the cycle it is offered (at the earliest the cycle after the previous word was
// taken) and taken n - 1 cycles later (n = 8, or C - 8·(ceil(C/8) - 1) for an image's last
// word). Beat 0 leaves two cycles after the image's last word was taken, the value beats on the
// following cycles (PipelineTiming.outputStage).
module zn_axis_out #(
  parameter integer C             = 10,
  parameter integer SIGNED        = 0,
  parameter integer ARGMAX_SERIAL = 0
) (
  input  wire        clk,
  input  wire        rst,
  input  wire [63:0] in_data,
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
  localparam integer PW = zn_idxw(VB);
  localparam integer XW = zn_idxw(C);         // bits of a class index

  generate if (C < 1 || (SIGNED != 0 && SIGNED != 1) || (ARGMAX_SERIAL != 0 && ARGMAX_SERIAL != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out: C (%0d) must be >= 1, SIGNED (%0d) and ARGMAX_SERIAL (%0d) 0/1", C, SIGNED, ARGMAX_SERIAL);
`else
    zn_param_error__zn_axis_out_bad_parameters u_param_error();
`endif
  end endgenerate

  // The stream format this module implements (zn_regmap.vh, from OutputRecord): 64-bit beats;
  // beat 0 = {sequence number [63:32], class index [31:0]}; 8 values a value beat.
  generate if (ZN_BEAT_W != 64 || OR_CLASS_LSB != 0 || OR_CLASS_W != 32 || OR_SEQ_LSB != 32 || OR_SEQ_W != 32 ||
               OR_VALUES_PER_BEAT != 8) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out: the output record of zn_regmap.vh is not the one this module builds");
`else
    zn_param_error__zn_axis_out_output_record u_map_error();
`endif
  end endgenerate

  assign m_tkeep = 8'hFF;

  // Fork the value words into a FIFO (two images deep) and the argmax.
  wire fifo_in_ready, am_in_ready;
  assign in_ready = fifo_in_ready && am_in_ready;
  wire [63:0] v_data;
  wire        v_valid;
  reg         v_pop;
  zn_fifo #(.W(64), .DEPTH(2 * VB)) u_values (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && am_in_ready), .in_ready(fifo_in_ready),
    .out_data(v_data), .out_valid(v_valid), .out_ready(v_pop));
  wire [31:0] am_index;
  wire        am_valid;
  reg         am_pop;
  zn_argmax #(.LANES(8), .N(C), .SIGNED(SIGNED), .SERIAL(ARGMAX_SERIAL)) u_argmax (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && fifo_in_ready), .in_ready(am_in_ready),
    .out_index(am_index), .out_valid(am_valid), .out_ready(am_pop));

  // Beat sequencer: beat0 = beat 0 is next, else value beat phase (0..VB-1) is next.
  reg  [PW-1:0] phase;
  reg           beat0;
  reg  [31:0]   seq;
  reg  [31:0]   img_in_packet;
  wire          load = !m_tvalid || m_tready;
  wire          last_value = (phase == VB[PW-1:0] - 1'b1);
  // The image ends a packet when it is the K-th: img_in_packet + 1 >= K, K = max(1, packet_images);
  // img_in_packet + 1 >= 1 always (img_in_packet < K <= 2^32 - 1 never wraps), so the 0 case
  // needs no term of its own.
  wire [31:0]   img_next = img_in_packet + 32'd1;
  wire          pkt_end  = (img_next >= packet_images);
  always @* begin
    am_pop = load && beat0 && am_valid;
    v_pop  = load && !beat0 && v_valid;
  end
  // A valid beat in m_tdata is an image's last exactly when beat 0 comes next (beat0 is set as
  // the last value beat loads and cleared as beat 0 loads).
  assign ev_image = m_tvalid && m_tready && beat0;
  wire unused_am_index = ^am_index[31:XW];

  always @(posedge clk) begin
    if (rst) begin
      m_tvalid      <= 1'b0;
      m_tlast       <= 1'b0;
      phase         <= {PW{1'b0}};
      beat0         <= 1'b1;
    end else if (load) begin
      if (am_pop) begin
        m_tvalid    <= 1'b1;
        m_tlast     <= 1'b0;
        beat0       <= 1'b0;
      end else if (v_pop) begin
        m_tvalid    <= 1'b1;
        m_tlast     <= last_value && pkt_end;
        phase       <= last_value ? {PW{1'b0}} : phase + 1'b1;
        beat0       <= last_value;
      end else begin
        m_tvalid    <= 1'b0;
        m_tlast     <= 1'b0;
      end
    end
  end
  // TDATA: beat 0 = {seq, index}; bits [31:XW] of beat 0 are zero (a synchronous reset, no mux).
  always @(posedge clk) begin
    if (am_pop || v_pop) begin
      m_tdata[63:32]  <= beat0 ? seq : v_data[63:32];
      m_tdata[XW-1:0] <= beat0 ? am_index[XW-1:0] : v_data[XW-1:0];
    end
    if (am_pop)     m_tdata[31:XW] <= {(32-XW){1'b0}};
    else if (v_pop) m_tdata[31:XW] <= v_data[31:XW];
  end
  // The packet counter: a synchronous reset at a packet's end, an enable at an image's end.
  wire img_end = v_pop && last_value;
  always @(posedge clk) begin
    if (rst || (img_end && pkt_end)) img_in_packet <= 32'd0;
    else if (img_end) img_in_packet <= img_next;
  end
  always @(posedge clk) begin
    if (rst || clear_seq) seq <= 32'd0;
    else if (am_pop) seq <= seq + 32'd1;
  end
endmodule
