// zn_axis_in: the AXI4-Stream image input.
//
// An image of N pixel codes is ceil(N/8) beats of 64 bits, pixel k in byte k mod 8 of beat
// k/8; padding bytes of a last beat are ignored and TKEEP is not used. Images are counted by
// beats: TLAST may mark an image's last beat or be absent; TLAST on any other beat pulses
// err_tlast (the beat still counts). `start` = 0 holds s_tready low. The pixels leave as words
// of OUT_LANES codes (zn_resize), N/OUT_LANES words an image.
module zn_axis_in #(
  parameter integer N         = 8,
  parameter integer OUT_LANES = 8
) (
  input  wire                   clk,
  input  wire                   rst,
  input  wire                   start,
  input  wire [63:0]            s_tdata,
  input  wire [7:0]             s_tkeep,
  input  wire                   s_tvalid,
  output wire                   s_tready,
  input  wire                   s_tlast,
  output wire [OUT_LANES*8-1:0] out_data,
  output wire                   out_valid,
  input  wire                   out_ready,
  output wire                   ev_first,
  output wire                   ev_image,
  output wire                   err_tlast
);
`include "zn_regmap.vh"
`include "zn_func.vh"
  localparam integer BEATS = (N + 7) / 8;
  localparam integer BW    = zn_idxw(BEATS);

  generate if (N < 1 || OUT_LANES < 1 || N % OUT_LANES != 0) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_in: OUT_LANES (%0d) must divide N (%0d)", OUT_LANES, N);
`else
    zn_param_error__zn_axis_in_OUT_LANES_must_divide_N u_param_error();
`endif
  end endgenerate
  // 64-bit input beats (zn_regmap.vh's ZN_BEAT_W, from OutputRecord.beatBytes).
  generate if (ZN_BEAT_W != 64) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axis_in: zn_regmap.vh's beat width is not the 64 bits of s_tdata");
`else
    zn_param_error__zn_axis_in_beat_width u_map_error();
`endif
  end endgenerate

  wire unused_keep = ^s_tkeep;
  wire rs_ready;
  assign s_tready = start && rs_ready;
  wire beat = s_tvalid && s_tready;

  reg [BW-1:0] bi;
  wire b_last = (bi == BEATS[BW-1:0] - 1'b1);
  always @(posedge clk) begin
    if (rst) bi <= {BW{1'b0}};
    else if (beat) bi <= b_last ? {BW{1'b0}} : bi + 1'b1;
  end
  assign ev_first  = beat && (bi == {BW{1'b0}});
  assign ev_image  = beat && b_last;
  assign err_tlast = beat && s_tlast && !b_last;

  zn_resize #(.LANE_W(8), .IN_LANES(8), .OUT_LANES(OUT_LANES), .N(N)) u_resize (
    .clk(clk), .rst(rst), .in_data(s_tdata), .in_valid(s_tvalid && start), .in_ready(rs_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule
