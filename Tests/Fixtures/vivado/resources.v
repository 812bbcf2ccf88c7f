// Test fixture for the yosys report parser: each block maps to cells known by hand.
`default_nettype none
module resources (
    input  wire        clk,
    input  wire        rst,     // synchronous, active high
    input  wire        arst,    // asynchronous, active high
    input  wire [19:0] d,
    input  wire [15:0] x,
    input  wire [15:0] y,
    input  wire [8:0]  waddr,
    input  wire [8:0]  raddr,
    input  wire        we,
    output reg  [19:0] q_sync,   // 20 FDRE (sync reset to 0)
    output reg  [3:0]  q_set,    //  4 FDSE (sync set to 1)
    output reg  [4:0]  q_clr,    //  5 FDCE (async clear)
    output reg  [2:0]  q_pre,    //  3 FDPE (async preset)
    output reg  [31:0] prod,     //  1 DSP48E1 (product register inside the DSP)
    output reg  [63:0] rdata,    //  1 RAMB36E1 (512 x 64)
    output wire        and6      //  1 LUT6
);
    reg [63:0] mem [0:511];
    always @(posedge clk) q_sync <= rst ? 20'd0 : d;
    always @(posedge clk) q_set  <= rst ? 4'hF : d[3:0];
    always @(posedge clk or posedge arst) if (arst) q_clr <= 5'd0; else q_clr <= d[4:0];
    always @(posedge clk or posedge arst) if (arst) q_pre <= 3'b111; else q_pre <= d[2:0];
    always @(posedge clk) prod <= $signed(x) * $signed(y);
    always @(posedge clk) begin
        if (we) mem[waddr] <= {x, y, x, y};
        rdata <= mem[raddr];
    end
    assign and6 = &d[5:0];
endmodule
`default_nettype wire
