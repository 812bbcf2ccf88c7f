// Testbench of zn_axis_out8: NCODES 8-bit codes in (hex, one a line, +in=FILE) with random
// TVALID gaps, the output beats ({TLAST, TDATA} a line) out under random TREADY stalls. Also
// checks TKEEP and ev_image (a pulse exactly on the handshake of each image's last beat).
// Corners, by output image index (images counted by ev_image, from 0, across the reset):
//  - packet_images is K0, and K1 from the cycle after the last beat of image KCHG (-1: never);
//  - clear_seq pulses the cycle after beat 0 of image CLR0 / CLR1 is handed over, and while the
//    sequence bytes of image CLRW's / CLRW7's beat 0 are shifted in (bytes 5 / 7; -1: never);
//  - the sequence number starts at SEQ0 (deposited into the DUT after reset: carries across its
//    bytes and the wrap at 2^32 without 2^32 images);
//  - RST_AT > 0: the source stops after RST_AT codes (mid-image); once every beat of the images
//    before has left, reset for 2 cycles, then the source goes on with code RST_AT.
module tb_zn_axis_out8;
  parameter integer C = 10, SIGNED = 0, NCODES = 10, NBEATS = 2, GAP = 30, STALL = 30, SEED = 1;
  parameter [31:0]  SEQ0 = 32'd0;
  parameter integer K0 = 1, K1 = 1, KCHG = -1, CLR0 = -1, CLR1 = -1, CLRW = -1, CLRW7 = -1, RST_AT = 0;
  localparam integer VB = (C + 7) / 8;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  reg  [7:0]  in_data;
  reg         in_valid;
  wire [63:0] m_tdata;
  wire [7:0]  m_tkeep;
  wire in_ready, m_tvalid, m_tready, m_tlast, ev_image, sink_error;
  wire [31:0] out_count;
  reg  [31:0] kreg;
  reg         clr;
  integer cycles, images_seen, beat, idx, seed, r, rst_done;
  reg keep_error, ev_error;
  reg [7:0] codes [0:NCODES-1];
  reg [8*256-1:0] path;

  zn_axis_out8 #(.C(C), .SIGNED(SIGNED)) dut (.clk(clk), .rst(rst),
    .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .m_tdata(m_tdata), .m_tkeep(m_tkeep), .m_tvalid(m_tvalid), .m_tready(m_tready), .m_tlast(m_tlast),
    .packet_images(kreg), .clear_seq(clr), .ev_image(ev_image));
  tb_sink #(.W(65), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data({m_tlast, m_tdata}), .valid(m_tvalid), .ready(m_tready), .count(out_count), .error(sink_error));

  // The source: holds data and valid until the handshake; pauses at RST_AT until the reset.
  always @(posedge clk) begin
    if (rst) begin
      in_valid <= 1'b0;
    end else begin
      if (in_valid && in_ready) idx = idx + 1;
      if (!in_valid || in_ready) begin
        r = $random(seed);
        if (idx < NCODES && !(RST_AT > 0 && idx == RST_AT && !rst_done) && ((r & 32'h7fffffff) % 100) >= GAP) begin
          in_valid <= 1'b1;
          in_data  <= codes[idx];
        end else begin
          in_valid <= 1'b0;
          in_data  <= 8'hxx;
        end
      end
    end
  end

  wire in_seq_window = dut.bv && dut.bhdr && dut.bpos[2];
  always @(posedge clk) begin
    if (!rst && ev_image) begin
      if (images_seen == KCHG) kreg <= K1;
      images_seen = images_seen + 1;
    end
    clr <= (!rst && m_tvalid && m_tready && beat == 0 && (images_seen == CLR0 || images_seen == CLR1)) ||
           (in_seq_window && dut.bpos == 3'd4 && images_seen == CLRW) ||
           (in_seq_window && dut.bpos == 3'd6 && images_seen == CLRW7);
    if (!rst && m_tvalid && m_tkeep != 8'hFF) keep_error <= 1'b1;
    if (!rst && ev_image != (m_tvalid && m_tready && beat == VB)) ev_error <= 1'b1;
    if (!rst && m_tvalid && m_tready) beat = (beat == VB) ? 0 : beat + 1;
  end

  initial begin
    if (!$value$plusargs("in=%s", path)) begin
      $display("tb_zn_axis_out8: missing +in=FILE");
      $finish;
    end
    $readmemh(path, codes);
    seed = SEED;
    idx = 0;
    rst_done = 0;
    in_valid = 1'b0;
    in_data = 8'h00;
    kreg = K0;
    clr = 1'b0;
    cycles = 0;
    images_seen = 0;
    beat = 0;
    keep_error = 1'b0;
    ev_error = 1'b0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    @(negedge clk);
    dut.seq = SEQ0;
    if (RST_AT > 0) begin
      while (!(idx == RST_AT && out_count == (RST_AT / C) * (VB + 1)) && cycles < 200000) begin
        @(posedge clk);
        cycles = cycles + 1;
      end
      repeat (5) @(posedge clk);
      rst <= 1'b1;
      repeat (2) @(posedge clk);
      rst <= 1'b0;
      rst_done = 1;
    end
    while (out_count < NBEATS && cycles < 200000 + 40 * NCODES) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (30) @(posedge clk);
    if (out_count != NBEATS) $display("RESULT FAIL count %0d expected %0d", out_count, NBEATS);
    else if (sink_error) $display("RESULT FAIL protocol");
    else if (keep_error) $display("RESULT FAIL tkeep");
    else if (images_seen != NBEATS / (VB + 1) || ev_error) $display("RESULT FAIL ev_image %0d expected %0d", images_seen, NBEATS / (VB + 1));
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
