// zn_skid: two-entry register slice (skid buffer). Registers data, valid and ready, so it
// breaks every combinational path between its two sides at full throughput.
module zn_skid #(
  parameter integer W = 8
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] in_data,
  input  wire         in_valid,
  output wire         in_ready,
  output wire [W-1:0] out_data,
  output wire         out_valid,
  input  wire         out_ready
);
  generate if (W < 1) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_skid: W (%0d) must be >= 1", W);
`else
    zn_param_error__zn_skid_W_must_be_positive u_param_error();
`endif
  end endgenerate

  reg [W-1:0] main_data, skid_data;
  reg         main_valid, skid_valid;

  assign in_ready  = !skid_valid;
  assign out_valid = main_valid;
  assign out_data  = main_data;

  wire push = in_valid && !skid_valid;
  wire pop  = main_valid && out_ready;

  always @(posedge clk) begin
    if (rst) begin
      main_valid <= 1'b0;
      skid_valid <= 1'b0;
    end else begin
      if (pop || !main_valid) begin
        // The main register is free this cycle: refill it from the skid register, else the input.
        main_valid <= skid_valid || push;
        skid_valid <= 1'b0;
      end else if (push) begin
        skid_valid <= 1'b1;
      end
    end
  end

  always @(posedge clk) begin
    if (pop || !main_valid) begin
      main_data <= skid_valid ? skid_data : in_data;
    end else if (push) begin
      skid_data <= in_data;
    end
  end
endmodule
