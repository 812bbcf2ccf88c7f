// Test fixture (not the real accelerator): a module with the hardware contract's ports and
// resources whose mapping by `yosys synth_xilinx -family xc7` is known by hand:
//   - 64-bit input register with synchronous reset            -> 64 FDRE
//   - one 16x16 -> 32 signed multiply, registered              -> 1 DSP48E1 (+32 FDRE out)
//   - a 512 x 64 synchronous-read memory                       -> 1 RAMB36E1
//   - eight 6-input ANDs of register bits, registered          -> 8 LUT6 + 8 FDRE
// AXI-Lite returns OKAY and reads 0; m_axis echoes s_axis one cycle later.
`default_nettype none
module zynqnet_accel #(
    parameter AW = 12
) (
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 aclk CLK" *)
    (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axis:m_axis:s_axil, ASSOCIATED_RESET aresetn" *)
    input  wire          aclk,
    input  wire          aresetn,
    input  wire [63:0]   s_axis_tdata,
    input  wire [7:0]    s_axis_tkeep,
    input  wire          s_axis_tvalid,
    output wire          s_axis_tready,
    input  wire          s_axis_tlast,
    output wire [63:0]   m_axis_tdata,
    output wire [7:0]    m_axis_tkeep,
    output wire          m_axis_tvalid,
    input  wire          m_axis_tready,
    output wire          m_axis_tlast,
    input  wire [AW-1:0] s_axil_awaddr,
    input  wire [2:0]    s_axil_awprot,
    input  wire          s_axil_awvalid,
    output wire          s_axil_awready,
    input  wire [31:0]   s_axil_wdata,
    input  wire [3:0]    s_axil_wstrb,
    input  wire          s_axil_wvalid,
    output wire          s_axil_wready,
    output wire [1:0]    s_axil_bresp,
    output wire          s_axil_bvalid,
    input  wire          s_axil_bready,
    input  wire [AW-1:0] s_axil_araddr,
    input  wire [2:0]    s_axil_arprot,
    input  wire          s_axil_arvalid,
    output wire          s_axil_arready,
    output wire [31:0]   s_axil_rdata,
    output wire [1:0]    s_axil_rresp,
    output wire          s_axil_rvalid,
    input  wire          s_axil_rready
);
    reg [63:0] data_q;
    reg        valid_q;
    reg [31:0] prod_q;
    reg [63:0] mem [0:511];
    reg [63:0] mem_q;
    reg [7:0]  and_q;
    integer i;

    always @(posedge aclk) begin
        if (!aresetn) begin
            data_q <= 64'd0;
        end else if (s_axis_tvalid) begin
            data_q <= s_axis_tdata;
        end
    end
    always @(posedge aclk) begin
        valid_q <= s_axis_tvalid;
        prod_q <= $signed(data_q[15:0]) * $signed(data_q[31:16]);
        if (s_axis_tvalid) mem[s_axis_tdata[40:32]] <= data_q;
        mem_q <= mem[data_q[56:48]];
        for (i = 0; i < 8; i = i + 1) and_q[i] <= &data_q[i*6 +: 6];
    end

    assign s_axis_tready = 1'b1;
    assign m_axis_tdata  = mem_q ^ {prod_q, 24'd0, and_q};
    assign m_axis_tkeep  = 8'hFF;
    assign m_axis_tvalid = valid_q;
    assign m_axis_tlast  = 1'b1;

    assign s_axil_awready = 1'b1;
    assign s_axil_wready  = 1'b1;
    assign s_axil_bresp   = 2'b00;
    assign s_axil_bvalid  = 1'b0;
    assign s_axil_arready = 1'b1;
    assign s_axil_rdata   = 32'd0;
    assign s_axil_rresp   = 2'b00;
    assign s_axil_rvalid  = 1'b0;

    wire unused = &{1'b0, s_axis_tkeep, s_axis_tlast, m_axis_tready, s_axil_awaddr, s_axil_awprot,
                    s_axil_awvalid, s_axil_wdata, s_axil_wstrb, s_axil_wvalid, s_axil_bready,
                    s_axil_araddr, s_axil_arprot, s_axil_arvalid, s_axil_rready};
endmodule
`default_nettype wire
