// Testbench of zn_axis_in: NBEATS beats {tlast, tdata} (hex lines of 65 bits, +in=FILE) under
// random TVALID gaps, random `start` = 0 cycles (START_LOW percent), random TKEEP (unused) and
// output stalls. The pixel words go to +out=FILE; for every accepted beat the events
// {err_tlast, ev_image, ev_first} go to +ev=FILE (one hex digit a beat). Fails on an event
// outside a beat, s_tready high while `start` is low, a stalled output word dropped or changed,
// or a word or beat count other than WORDS / NBEATS (nothing lost, nothing extra).
module tb_zn_axis_in;
  parameter integer N = 8, OUT_LANES = 8, NBEATS = 1, WORDS = 1;
  parameter integer GAP = 30, STALL = 30, START_LOW = 20, SEED = 1;
  reg clk = 1'b0, rst = 1'b1;
  always #5 clk = !clk;
  wire [64:0]             s_data;
  wire                    s_tvalid, s_tready, src_done;
  reg                     start;
  reg  [7:0]              s_tkeep;
  wire [OUT_LANES*8-1:0]  out_data;
  wire                    out_valid, out_ready, sink_error;
  wire                    ev_first, ev_image, err_tlast;
  wire [31:0]             out_count;
  tb_src #(.W(65), .COUNT(NBEATS), .GAP(GAP), .SEED(SEED)) src
    (.clk(clk), .rst(rst), .data(s_data), .valid(s_tvalid), .ready(s_tready), .done(src_done));
  zn_axis_in #(.N(N), .OUT_LANES(OUT_LANES)) dut (
    .clk(clk), .rst(rst), .start(start), .s_tdata(s_data[63:0]), .s_tkeep(s_tkeep), .s_tvalid(s_tvalid),
    .s_tready(s_tready), .s_tlast(s_data[64]), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready),
    .ev_first(ev_first), .ev_image(ev_image), .err_tlast(err_tlast));
  tb_sink #(.W(OUT_LANES*8), .STALL(STALL), .SEED(SEED + 7)) sink
    (.clk(clk), .rst(rst), .data(out_data), .valid(out_valid), .ready(out_ready), .count(out_count), .error(sink_error));
  reg [8*256-1:0] epath;
  integer fd, cycles, beats, seed, r, errors;
  initial begin
    if (!$value$plusargs("ev=%s", epath)) begin
      $display("tb_zn_axis_in: missing +ev=FILE");
      $finish;
    end
    fd = $fopen(epath, "w");
    seed = SEED + 3;
    start = 1'b0;
    s_tkeep = 8'h00;
    beats = 0;
    errors = 0;
    cycles = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    while ((out_count < WORDS || beats < NBEATS) && cycles < 100000 + 100 * (NBEATS + WORDS)) begin
      @(posedge clk);
      cycles = cycles + 1;
    end
    repeat (40) @(posedge clk);
    if (errors != 0) $display("RESULT FAIL %0d event/ready errors", errors);
    else if (out_count != WORDS) $display("RESULT FAIL count %0d expected %0d", out_count, WORDS);
    else if (beats != NBEATS) $display("RESULT FAIL beats %0d expected %0d", beats, NBEATS);
    else if (sink_error) $display("RESULT FAIL protocol");
    else $display("RESULT PASS cycles %0d", cycles);
    $fclose(fd);
    $finish;
  end
  // Checks and logs at every rising edge; new random start / TKEEP after it.
  always @(posedge clk) begin
    if (!rst) begin
      if (s_tvalid && s_tready) begin
        $fwrite(fd, "%h\n", {1'b0, err_tlast, ev_image, ev_first});
        beats = beats + 1;
      end else if (ev_first || ev_image || err_tlast) begin
        if (errors < 5) $display("tb_zn_axis_in: event without a beat at %0t", $time);
        errors = errors + 1;
      end
      if (!start && s_tready) begin
        if (errors < 5) $display("tb_zn_axis_in: s_tready high while start is low at %0t", $time);
        errors = errors + 1;
      end
    end
    r = $random(seed);
    start <= ((r & 32'h7fffffff) % 100) >= START_LOW;
    s_tkeep <= r[15:8];
  end
endmodule
