// Test fixture for the yosys report parser, part 2: carry chain, SRL, LUTRAM, RAMB18.
`default_nettype none
module resources2 (
    input  wire        clk,
    input  wire [15:0] a,
    input  wire [15:0] b,
    input  wire        din,
    input  wire [8:0]  waddr,
    input  wire [8:0]  raddr,
    input  wire [17:0] wdata,
    input  wire        we,
    input  wire [4:0]  laddr,
    output reg  [15:0] sum,      // 16-bit add: 4 CARRY4, 16 FDRE
    output wire        dout,     // 32-deep shift register: 1 SRLC32E
    output reg  [17:0] rdata,    // 512 x 18: 1 RAMB18E1
    output wire [1:0]  lq        // 32 x 2 async-read RAM: LUTRAM
);
    reg [31:0] sr;
    reg [17:0] mem [0:511];
    reg [1:0]  lram [0:31];
    always @(posedge clk) sum <= a + b;
    always @(posedge clk) sr <= {sr[30:0], din};
    assign dout = sr[31];
    always @(posedge clk) begin
        if (we) mem[waddr] <= wdata;
        rdata <= mem[raddr];
    end
    always @(posedge clk) if (we) lram[laddr] <= wdata[1:0];
    assign lq = lram[laddr];
endmodule
`default_nettype wire
