// Testbench of zn_axis_out: IMAGES images of C codes in ceil(C/8) words of 8 lanes in, the
// output beats ({TLAST, TDATA} a line) out, under random TVALID gaps and TREADY stalls. Also
// checks TKEEP and ev_image (a pulse exactly on the handshake of each image's last beat).
module tb_zn_axis_out;
  parameter integer C = 10, SIGNED = 0, ARGMAX_SERIAL = 0, PACKET = 1, IMAGES = 20, GAP = 30, STALL = 30, SEED = 1;
  localparam integer VB = (C + 7) / 8;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [63:0] in_data, m_tdata;
  wire [7:0]  m_tkeep;
  wire in_valid, in_ready, m_tvalid, m_tready, m_tlast, ev_image, src_done, sink_error;
  wire [31:0] out_count;
  integer cycles, images_seen, beat;
  reg keep_error, ev_error;
  tb_src #(.W(64), .COUNT(IMAGES*VB), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(in_data), .valid(in_valid), .ready(in_ready), .done(src_done));
  zn_axis_out #(.C(C), .SIGNED(SIGNED), .ARGMAX_SERIAL(ARGMAX_SERIAL)) dut (.clk(clk), .rst(rst),
    .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .m_tdata(m_tdata), .m_tkeep(m_tkeep), .m_tvalid(m_tvalid), .m_tready(m_tready), .m_tlast(m_tlast),
    .packet_images(PACKET), .clear_seq(1'b0), .ev_image(ev_image));
  tb_sink #(.W(65), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data({m_tlast, m_tdata}), .valid(m_tvalid), .ready(m_tready), .count(out_count), .error(sink_error));
  always @(posedge clk) begin
    if (!rst && ev_image) images_seen = images_seen + 1;
    if (!rst && m_tvalid && m_tkeep != 8'hFF) keep_error <= 1'b1;
    if (!rst && ev_image != (m_tvalid && m_tready && beat == VB)) ev_error <= 1'b1;
    if (!rst && m_tvalid && m_tready) beat = (beat == VB) ? 0 : beat + 1;
  end
  initial begin
    cycles = 0;
    images_seen = 0;
    beat = 0;
    keep_error = 1'b0;
    ev_error = 1'b0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while (out_count < IMAGES * (VB + 1) && cycles < 100000 + 100 * IMAGES * (C + VB)) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (20) @(posedge clk);
    if (out_count != IMAGES * (VB + 1)) $display("RESULT FAIL count %0d expected %0d", out_count, IMAGES * (VB + 1));
    else if (sink_error) $display("RESULT FAIL protocol");
    else if (keep_error) $display("RESULT FAIL tkeep");
    else if (images_seen != IMAGES || ev_error) $display("RESULT FAIL ev_image %0d expected %0d", images_seen, IMAGES);
    else $display("RESULT PASS cycles %0d", cycles);
    $finish;
  end
endmodule
