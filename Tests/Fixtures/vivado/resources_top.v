// Both parser fixtures under one top, so one yosys run covers every cell kind.
`default_nettype none
module resources_top (
    input  wire        clk, rst, arst, din, we,
    input  wire [19:0] d,
    input  wire [15:0] x, y, a, b,
    input  wire [8:0]  waddr, raddr,
    input  wire [17:0] wdata,
    input  wire [4:0]  laddr,
    output wire [19:0] q_sync,
    output wire [3:0]  q_set,
    output wire [4:0]  q_clr,
    output wire [2:0]  q_pre,
    output wire [31:0] prod,
    output wire [63:0] rdata,
    output wire        and6,
    output wire [15:0] sum,
    output wire        dout,
    output wire [17:0] rdata18,
    output wire [1:0]  lq
);
    resources r1 (.clk(clk), .rst(rst), .arst(arst), .d(d), .x(x), .y(y), .waddr(waddr), .raddr(raddr),
                  .we(we), .q_sync(q_sync), .q_set(q_set), .q_clr(q_clr), .q_pre(q_pre), .prod(prod),
                  .rdata(rdata), .and6(and6));
    resources2 r2 (.clk(clk), .a(a), .b(b), .din(din), .waddr(waddr), .raddr(raddr), .wdata(wdata), .we(we),
                   .laddr(laddr), .sum(sum), .dout(dout), .rdata(rdata18), .lq(lq));
endmodule
`default_nettype wire
