// zn_axis_out: the AXI4-Stream result output.
//
// Input: the last layer's C codes an image as ceil(C/8) words of 8 codes, zero-padded.
// Output per image: beat 0 = {sequence number, class index} ([63:32], [31:0]), then the
// ceil(C/8) value words. The class index is the argmax (lowest index on a tie; codes compare
// as int8 when SIGNED). The sequence number counts images whose beat 0 was formed since reset
// or clear_seq (mod 2^32). TLAST is set on the last beat of every K-th image,
// K = packet_images (0 acts as 1). TKEEP is all ones. The output beat is a register: TVALID,
// TDATA and TLAST hold until TREADY.
module zn_axis_out #(
  parameter integer C      = 10,
  parameter integer SIGNED = 0
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
`include "zn_func.vh"
  localparam integer VB = (C + 7) / 8;        // value beats an image
  localparam integer PW = zn_idxw(VB + 1);

  generate if (C < 1 || (SIGNED != 0 && SIGNED != 1)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_out: C (%0d) must be >= 1, SIGNED (%0d) 0/1", C, SIGNED);
`else
    zn_param_error__zn_axis_out_bad_parameters u_param_error();
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
  zn_argmax #(.LANES(8), .N(C), .SIGNED(SIGNED)) u_argmax (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && fifo_in_ready), .in_ready(am_in_ready),
    .out_index(am_index), .out_valid(am_valid), .out_ready(am_pop));

  // Beat sequencer: phase 0 = beat 0, phase 1..VB = value beats.
  reg  [PW-1:0] phase;
  reg  [31:0]   seq;
  reg  [31:0]   img_in_packet;
  reg           m_image_end;     // the beat in m_tdata is an image's last
  wire [31:0]   k = (packet_images == 32'd0) ? 32'd1 : packet_images;
  wire          load = !m_tvalid || m_tready;
  wire          last_value = (phase == VB[PW-1:0]);
  always @* begin
    am_pop = load && phase == {PW{1'b0}} && am_valid;
    v_pop  = load && phase != {PW{1'b0}} && v_valid;
  end
  assign ev_image = m_tvalid && m_tready && m_image_end;

  always @(posedge clk) begin
    if (rst) begin
      m_tvalid      <= 1'b0;
      m_tlast       <= 1'b0;
      m_image_end   <= 1'b0;
      phase         <= {PW{1'b0}};
      img_in_packet <= 32'd0;
    end else if (load) begin
      if (am_pop) begin
        m_tvalid    <= 1'b1;
        m_tdata     <= {seq, am_index};
        m_tlast     <= 1'b0;
        m_image_end <= 1'b0;
        phase       <= 1;
      end else if (v_pop) begin
        m_tvalid    <= 1'b1;
        m_tdata     <= v_data;
        m_image_end <= last_value;
        m_tlast     <= last_value && (img_in_packet + 32'd1 >= k);
        phase       <= last_value ? {PW{1'b0}} : phase + 1'b1;
        if (last_value) img_in_packet <= (img_in_packet + 32'd1 >= k) ? 32'd0 : img_in_packet + 32'd1;
      end else begin
        m_tvalid    <= 1'b0;
        m_tlast     <= 1'b0;
        m_image_end <= 1'b0;
      end
    end
  end
  always @(posedge clk) begin
    if (rst || clear_seq) seq <= 32'd0;
    else if (am_pop) seq <= seq + 32'd1;
  end
endmodule
