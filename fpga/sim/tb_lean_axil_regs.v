// tb_lean_axil_regs: zn_axil_regs as it was before the LUT-memory rewrite (main at dc360a6), kept as a
// second cycle-exact reference of tb_zn_axil_regs: unlike tb_ref_axil_regs it has the same p_* outputs
// at every cycle (not only during a parameter-bus request). Testbench only; not part of the library.
// zn_axil_regs: AXI4-Lite slave and register file of the accelerator (docs/register-map.md).
//
// Protocol: AW and W are accepted independently and in any order (one of each is latched);
// a write is performed once both are there and no B response is pending, so a stalled B is
// never overwritten; likewise one AR at a time, and RVALID/RDATA hold until RREADY. Every
// response is OKAY. WSTRB is ignored (full-word writes); unmapped offsets read 0.
// PARAM_DATA accesses go over the parameter bus (p_*): a request, then exactly one p_ack from
// the selected memory (or an error answer from here for an invalid PARAM_SEL, or after 15
// cycles without an answer). p_we, p_layer, p_kind, p_addr and p_wdata are valid in the p_req
// cycle and hold until the answer (they are PARAM_SEL, PARAM_ADDR and the latched W data).
// Offsets come from zn_regmap.vh, generated from Sources/ZynqNetHW/RegisterMap.swift.
//
// Lean structure: decode works on word addresses (global word = addr[6:2], layer block =
// addr[AW-1:5], layer word = addr[4:2]); the read data is one case over the global word and
// one over the layer word, the design constants folding into small ROMs; zeros of RDATA and of
// the counters come from the flip-flops' synchronous reset, increments from their enables.
module tb_lean_axil_regs #(
  parameter integer AW            = 12,
  parameter integer NUM_LAYERS    = 1,
  parameter [63:0]  TOPO_HASH     = 64'd0,
  parameter integer INPUT_COUNT   = 1,
  parameter integer OUTPUT_COUNT  = 1,
  parameter integer INPUT_SIGNED  = 0,
  parameter integer OUTPUT_SIGNED = 0,
  parameter integer SEQUENTIAL    = 0,
  parameter integer II_CYCLES     = 1,
  parameter [NUM_LAYERS*32-1:0] L_IN          = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_OUT         = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_FOLD        = {NUM_LAYERS{32'h0001_0001}},
  parameter [NUM_LAYERS*32-1:0] L_LANES       = {NUM_LAYERS{32'd1}},
  parameter [NUM_LAYERS*32-1:0] L_WIDTHS      = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_CLAMP_RESET = {NUM_LAYERS{32'h007F_FF80}}
) (
  input  wire                    aclk,
  input  wire                    aresetn,
  // AXI4-Lite slave
  input  wire [AW-1:0]           s_axil_awaddr,
  input  wire [2:0]              s_axil_awprot,
  input  wire                    s_axil_awvalid,
  output wire                    s_axil_awready,
  input  wire [31:0]             s_axil_wdata,
  input  wire [3:0]              s_axil_wstrb,
  input  wire                    s_axil_wvalid,
  output wire                    s_axil_wready,
  output wire [1:0]              s_axil_bresp,
  output reg                     s_axil_bvalid,
  input  wire                    s_axil_bready,
  input  wire [AW-1:0]           s_axil_araddr,
  input  wire [2:0]              s_axil_arprot,
  input  wire                    s_axil_arvalid,
  output wire                    s_axil_arready,
  output reg  [31:0]             s_axil_rdata,
  output wire [1:0]              s_axil_rresp,
  output reg                     s_axil_rvalid,
  input  wire                    s_axil_rready,
  // control
  output reg                     soft_reset,
  output reg                     start,
  output reg                     clear_counters,
  output reg  [31:0]             packet_images,
  // events from the datapath
  input  wire                    ev_first_in,
  input  wire                    ev_image_in,
  input  wire                    ev_image_out,
  input  wire                    ev_err_input,
  input  wire                    ev_stall,
  input  wire                    ev_starve,
  output wire                    busy,
  // per-layer runtime configuration
  output reg  [NUM_LAYERS*3-1:0]  l_round,
  output reg  [NUM_LAYERS*32-1:0] l_zero,
  output reg  [NUM_LAYERS*32-1:0] l_clamp,
  // parameter bus
  output reg                     p_req,
  output wire                    p_we,
  output wire [15:0]             p_layer,
  output wire                    p_kind,
  output wire [31:0]             p_addr,
  output wire [31:0]             p_wdata,
  input  wire                    p_ack,
  input  wire [31:0]             p_rdata,
  input  wire                    p_err,
  input  wire [31:0]             p_next
);
`include "zn_regmap.vh"
`include "zn_func.vh"

  generate if (AW < 12 || AW > 32 || NUM_LAYERS < 1 || 256 + 32 * NUM_LAYERS > (64'd1 << AW)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: AW (%0d) must be 12..32 and the window must hold %0d layer blocks", AW, NUM_LAYERS);
`else
    zn_param_error__zn_axil_regs_window_too_small u_param_error();
`endif
  end endgenerate
  // The decode below assumes global registers in 0x000..0x07F and 32-byte layer blocks from 0x100.
  generate if (RA_PARAM_DATA > 12'h07C || RA_LAYER_BASE != 12'h100 || RA_LAYER_STRIDE != 32) begin : g_map_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the register map no longer fits the word decode");
`else
    zn_param_error__zn_axil_regs_register_map_layout u_map_error();
`endif
  end endgenerate

  localparam integer L   = NUM_LAYERS;
  localparam integer LB  = AW - 5;                  // layer-block index width (addr[AW-1:5])
  localparam integer BLK0I = {20'd0, RA_LAYER_BASE} / 32;  // block of layer 0
  localparam [LB-1:0] BLK0 = BLK0I[LB-1:0];

  // ---------------- decoded addresses ----------------
  // A read address becomes a slot when AR is accepted: {group, index}. Group 0 holds the
  // full-width variable words (a dense mux tree), group 1 the narrow ones and the design
  // constants (a small ROM), PARAM_DATA and the unmapped slot (reads 0).
  localparam integer V_PACKET = 0, V_INFLIGHT = 1, V_IMG_IN = 2, V_IMG_OUT = 3, V_BUSY_LO = 4, V_BUSY_HI = 5,
                     V_STALL_LO = 6, V_STALL_HI = 7, V_STARVE_LO = 8, V_STARVE_HI = 9, V_PADDR = 10, V_PSEL = 11,
                     V_ZERO = 12,                   // + 2i: L_ZERO of layer i, + 2i + 1: L_CLAMP
                     NV = 12 + 2 * L;
  localparam integer C_NONE = 0, C_PDATA = 1, C_CONTROL = 2, C_STATUS = 3,
                     C_CONST = 4,                   // the 9 global constants, then 5 per layer
                     C_ROUND = C_CONST + 9 + 5 * L, // + i: L_CFG of layer i
                     NC = C_ROUND + L;
  localparam integer VW = zn_idxw(NV), CW = zn_idxw(NC);
  localparam integer IW = (VW > CW) ? VW : CW;
  localparam integer SW = IW + 1;
  localparam integer S_NONE = (1 << IW) + C_NONE, S_PDATA = (1 << IW) + C_PDATA, S_CONTROL = (1 << IW) + C_CONTROL,
                     S_STATUS = (1 << IW) + C_STATUS, S_CONST = (1 << IW) + C_CONST, S_ROUND = (1 << IW) + C_ROUND;
  // A write address becomes a target.
  localparam integer T_NONE = 0, T_CONTROL = 1, T_STATUS = 2, T_PACKET = 3, T_PSEL = 4, T_PADDR = 5, T_PDATA = 6,
                     T_LAYER = 7,                   // + 3i: L_CFG, L_ZERO, L_CLAMP of layer i
                     NTGT = T_LAYER + 3 * L;
  localparam integer TW = zn_idxw(NTGT);

  // Decoders (pure equality logic: no arithmetic on the address). A global word is an aligned
  // address below 0x80; layer i's block is addr[AW-1:5] == BLK0 + i.
  /* verilator lint_off UNUSEDSIGNAL */
  function [SW-1:0] rslot;
    input [AW-1:0] a;
    integer i, k;
    reg g;
    begin
      g = (a[AW-1:7] == {(AW-7){1'b0}}) && (a[1:0] == 2'b00);
      k = S_NONE;
      if (g) begin
        case (a[6:2])
          RA_OUT_PACKET_IMAGES[6:2]: k = V_PACKET;
          RA_IN_FLIGHT[6:2]:         k = V_INFLIGHT;
          RA_IMAGES_IN[6:2]:         k = V_IMG_IN;
          RA_IMAGES_OUT[6:2]:        k = V_IMG_OUT;
          RA_BUSY_CYCLES_LO[6:2]:    k = V_BUSY_LO;
          RA_BUSY_CYCLES_HI[6:2]:    k = V_BUSY_HI;
          RA_STALL_CYCLES_LO[6:2]:   k = V_STALL_LO;
          RA_STALL_CYCLES_HI[6:2]:   k = V_STALL_HI;
          RA_STARVE_CYCLES_LO[6:2]:  k = V_STARVE_LO;
          RA_STARVE_CYCLES_HI[6:2]:  k = V_STARVE_HI;
          RA_PARAM_ADDR[6:2]:        k = V_PADDR;
          RA_PARAM_DATA[6:2]:        k = S_PDATA;
          RA_PARAM_SEL[6:2]:         k = V_PSEL;
          RA_CONTROL[6:2]:           k = S_CONTROL;
          RA_STATUS[6:2]:            k = S_STATUS;
          RA_MAGIC[6:2]:             k = S_CONST + 0;
          RA_VERSION[6:2]:           k = S_CONST + 1;
          RA_TOPOLOGY_HASH_LO[6:2]:  k = S_CONST + 2;
          RA_TOPOLOGY_HASH_HI[6:2]:  k = S_CONST + 3;
          RA_NUM_LAYERS[6:2]:        k = S_CONST + 4;
          RA_INPUT_COUNT[6:2]:       k = S_CONST + 5;
          RA_OUTPUT_COUNT[6:2]:      k = S_CONST + 6;
          RA_FLAGS[6:2]:             k = S_CONST + 7;
          RA_II_CYCLES[6:2]:         k = S_CONST + 8;
          default:                   k = S_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) begin
          case (a[4:2])
            RA_L_IN[4:2]:     k = S_CONST + 9 + 5 * i + 0;
            RA_L_OUT[4:2]:    k = S_CONST + 9 + 5 * i + 1;
            RA_L_FOLD[4:2]:   k = S_CONST + 9 + 5 * i + 2;
            RA_L_LANES[4:2]:  k = S_CONST + 9 + 5 * i + 3;
            RA_L_WIDTHS[4:2]: k = S_CONST + 9 + 5 * i + 4;
            RA_L_CFG[4:2]:    k = S_ROUND + i;
            RA_L_ZERO[4:2]:   k = V_ZERO + 2 * i;
            default:          k = V_ZERO + 2 * i + 1;   // RA_L_CLAMP
          endcase
        end
      end
      rslot = k[SW-1:0];
    end
  endfunction

  function [TW-1:0] wtarget;
    input [AW-1:0] a;
    integer i, k;
    reg g;
    begin
      g = (a[AW-1:7] == {(AW-7){1'b0}}) && (a[1:0] == 2'b00);
      k = T_NONE;
      if (g) begin
        case (a[6:2])
          RA_CONTROL[6:2]:           k = T_CONTROL;
          RA_STATUS[6:2]:            k = T_STATUS;
          RA_OUT_PACKET_IMAGES[6:2]: k = T_PACKET;
          RA_PARAM_SEL[6:2]:         k = T_PSEL;
          RA_PARAM_ADDR[6:2]:        k = T_PADDR;
          RA_PARAM_DATA[6:2]:        k = T_PDATA;
          default:                   k = T_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) begin
          if (a[4:2] == RA_L_CFG[4:2])   k = T_LAYER + 3 * i + 0;
          if (a[4:2] == RA_L_ZERO[4:2])  k = T_LAYER + 3 * i + 1;
          if (a[4:2] == RA_L_CLAMP[4:2]) k = T_LAYER + 3 * i + 2;
        end
      end
      wtarget = k[TW-1:0];
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  wire unused_axil = ^{s_axil_awprot, s_axil_arprot, s_axil_wstrb};
  wire rst = !aresetn;
  // The configuration registers reset on rst_cfg = rst, held one edge longer: they only change
  // by a register write, which needs AW and W latched after the reset, so this changes nothing;
  // with a plain inversion of aresetn yosys would give every FDRE its own inverter.
  reg  rst_q;
  always @(posedge aclk) rst_q <= rst;
  wire rst_cfg = rst || rst_q;
  assign s_axil_bresp = 2'b00;
  assign s_axil_rresp = 2'b00;

  // ---------------- AW / W / AR latches ----------------
  reg          aw_full, w_full, ar_full;
  reg [TW-1:0] aw_tgt;
  reg [SW-1:0] ar_slot;
  reg [31:0]   w_data;
  assign s_axil_awready = !aw_full;
  assign s_axil_wready  = !w_full;
  assign s_axil_arready = !ar_full;

  // ---------------- registers ----------------
  reg         err_input, err_param;
  reg  [31:0] in_flight, images_in, images_out;
  reg  [63:0] busy_cycles, stall_cycles, starve_cycles;
  reg  [31:0] busy_hi, stall_hi, starve_hi;
  reg  [16:0] param_sel;
  reg  [31:0] param_addr;
  assign busy = (in_flight != 32'd0);

  // ---------------- parameter bus state ----------------
  // A parameter-bus access is outstanding while p_busy; p_we tells a write from a read.
  reg       p_busy, p_we_q;
  reg [3:0] ptimer;
  // PARAM_SEL.LAYER < NUM_LAYERS, as equalities.
  reg sel_valid;
  integer si;
  always @* begin
    sel_valid = 1'b0;
    for (si = 0; si < L; si = si + 1) if (param_sel[15:0] == si[15:0]) sel_valid = 1'b1;
  end

  wire write_go = aw_full && w_full && !s_axil_bvalid && !p_busy;
  wire read_go  = ar_full && !s_axil_rvalid && !p_busy && !write_go;
  wire w_param  = (aw_tgt == T_PDATA[TW-1:0]);
  wire r_param  = (ar_slot == S_PDATA[SW-1:0]);
  wire p_tout   = (ptimer == 4'd15);
  wire p_done   = p_busy && (p_ack || p_tout);
  wire w_reg    = write_go && !w_param;            // a register write (not PARAM_DATA)
  wire w_bad    = write_go && w_param && !sel_valid;
  wire r_bad    = read_go && r_param && !sel_valid;
  wire w_start  = write_go && w_param && sel_valid;
  wire r_start  = read_go && r_param && sel_valid;

  assign p_we    = p_we_q;
  assign p_layer = param_sel[15:0];
  assign p_kind  = param_sel[16];
  assign p_addr  = param_addr;
  assign p_wdata = w_data;

  wire wr_control = w_reg && aw_tgt == T_CONTROL[TW-1:0];
  wire wr_status  = w_reg && aw_tgt == T_STATUS[TW-1:0];
  wire wr_packet  = w_reg && aw_tgt == T_PACKET[TW-1:0];
  wire wr_sel     = w_reg && aw_tgt == T_PSEL[TW-1:0];
  wire wr_addr    = w_reg && aw_tgt == T_PADDR[TW-1:0];

  // ---------------- read data ----------------
  wire [IW-1:0] ar_idx = ar_slot[IW-1:0];
  wire [NV*32-1:0] vtbl;
  assign vtbl[V_PACKET*32 +: 32]    = packet_images;
  assign vtbl[V_INFLIGHT*32 +: 32]  = in_flight;
  assign vtbl[V_IMG_IN*32 +: 32]    = images_in;
  assign vtbl[V_IMG_OUT*32 +: 32]   = images_out;
  assign vtbl[V_BUSY_LO*32 +: 32]   = busy_cycles[31:0];
  assign vtbl[V_BUSY_HI*32 +: 32]   = busy_hi;
  assign vtbl[V_STALL_LO*32 +: 32]  = stall_cycles[31:0];
  assign vtbl[V_STALL_HI*32 +: 32]  = stall_hi;
  assign vtbl[V_STARVE_LO*32 +: 32] = starve_cycles[31:0];
  assign vtbl[V_STARVE_HI*32 +: 32] = starve_hi;
  assign vtbl[V_PADDR*32 +: 32]     = param_addr;
  assign vtbl[V_PSEL*32 +: 32]      = {15'd0, param_sel};
  // The design constants as a ROM: CT holds, for each data bit b, the CN entries of that bit
  // (a LUT per bit); the narrow variable words (CONTROL, STATUS, L_CFG) are ORed in after.
  localparam integer CN = 1 << CW;
  /* verilator lint_off UNUSEDSIGNAL */
  function [NC*32-1:0] ctable;
    input integer dummy;
    integer i;
    begin
      ctable = {(NC*32){1'b0}};
      ctable[(C_CONST+0)*32 +: 32] = RM_MAGIC;
      ctable[(C_CONST+1)*32 +: 32] = RM_VERSION;
      ctable[(C_CONST+2)*32 +: 32] = TOPO_HASH[31:0];
      ctable[(C_CONST+3)*32 +: 32] = TOPO_HASH[63:32];
      ctable[(C_CONST+4)*32 +: 32] = L;
      ctable[(C_CONST+5)*32 +: 32] = INPUT_COUNT;
      ctable[(C_CONST+6)*32 +: 32] = OUTPUT_COUNT;
      ctable[(C_CONST+7)*32 +: 32] = {29'd0, SEQUENTIAL != 0, OUTPUT_SIGNED != 0, INPUT_SIGNED != 0};
      ctable[(C_CONST+8)*32 +: 32] = II_CYCLES;
      for (i = 0; i < L; i = i + 1) begin
        ctable[(C_CONST+9+5*i+0)*32 +: 32] = L_IN[i*32 +: 32];
        ctable[(C_CONST+9+5*i+1)*32 +: 32] = L_OUT[i*32 +: 32];
        ctable[(C_CONST+9+5*i+2)*32 +: 32] = L_FOLD[i*32 +: 32];
        ctable[(C_CONST+9+5*i+3)*32 +: 32] = L_LANES[i*32 +: 32];
        ctable[(C_CONST+9+5*i+4)*32 +: 32] = L_WIDTHS[i*32 +: 32];
      end
    end
  endfunction
  localparam [NC*32-1:0] CTBL = ctable(0);
  function [32*CN-1:0] ctrans;
    input integer dummy;
    integer bi, ki;
    begin
      ctrans = {(32*CN){1'b0}};
      for (bi = 0; bi < 32; bi = bi + 1)
        for (ki = 0; ki < NC; ki = ki + 1)
          ctrans[bi*CN + ki] = CTBL[ki*32 + bi];
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  localparam [32*CN-1:0] CT = ctrans(0);
  wire [CW-1:0] ci = ar_idx[CW-1:0];
  wire [31:0] c_rom;
  genvar gb;
  generate for (gb = 0; gb < 32; gb = gb + 1) begin : g_rom
    wire [CN-1:0] bits = CT[gb*CN +: CN];
    assign c_rom[gb] = bits[ci];
  end endgenerate
  reg [2:0] c_var;
  integer ri;
  always @* begin
    c_var = 3'd0;
    if (ci == C_CONTROL[CW-1:0]) c_var = {1'b0, start, 1'b0};
    if (ci == C_STATUS[CW-1:0])  c_var = {err_param, err_input, busy};
    for (ri = 0; ri < L; ri = ri + 1) if ({{(32-CW){1'b0}}, ci} == C_ROUND + ri) c_var = l_round[ri*3 +: 3];
  end
  genvar gi;
  generate for (gi = 0; gi < L; gi = gi + 1) begin : g_tbl
    assign vtbl[(V_ZERO+2*gi)*32 +: 32]      = l_zero[gi*32 +: 32];
    assign vtbl[(V_ZERO+2*gi+1)*32 +: 32]    = l_clamp[gi*32 +: 32];
  end endgenerate
  // Indices beyond a table never occur (the decoder only makes valid slots).
  // (keep: the two table outputs as LUT boundaries map smaller in yosys/abc.)
  (* keep *) wire [31:0] v_rd;
  (* keep *) wire [31:0] c_rd;
  assign v_rd = vtbl[ar_idx[VW-1:0]*32 +: 32];
  assign c_rd = {c_rom[31:3], c_rom[2:0] | c_var};
  wire [31:0] rd   = p_busy ? p_rdata : ar_slot[IW] ? c_rd : v_rd;
  // RDATA: loaded by a register read or a parameter-bus read answer; zero through the reset
  // on an invalid PARAM_SEL or a timeout.
  wire r_reg    = read_go && !r_param;
  wire p_rdone  = p_done && !p_we_q;
  wire rd_zero  = rst || r_bad || (p_rdone && !p_ack);
  wire rd_load  = r_reg || p_rdone;
  always @(posedge aclk) begin
    if (rd_zero)      s_axil_rdata <= 32'd0;
    else if (rd_load) s_axil_rdata <= rd;
  end

  // ---------------- handshakes and the parameter bus ----------------
  always @(posedge aclk) begin
    if (rst) begin
      aw_full       <= 1'b0;
      w_full        <= 1'b0;
      ar_full       <= 1'b0;
      s_axil_bvalid <= 1'b0;
      s_axil_rvalid <= 1'b0;
      p_busy        <= 1'b0;
      p_req         <= 1'b0;
    end else begin
      p_req <= w_start || r_start;
      if (s_axil_awvalid && !aw_full) aw_full <= 1'b1;
      if (s_axil_wvalid && !w_full)   w_full  <= 1'b1;
      if (s_axil_arvalid && !ar_full) ar_full <= 1'b1;
      if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
      if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
      if ((write_go && !w_start) || (p_done && p_we_q)) begin
        s_axil_bvalid <= 1'b1;
        aw_full       <= 1'b0;
        w_full        <= 1'b0;
      end
      if ((read_go && !r_start) || p_rdone) begin
        s_axil_rvalid <= 1'b1;
        ar_full       <= 1'b0;
      end
      if (w_start || r_start) p_busy <= 1'b1;
      else if (p_done)         p_busy <= 1'b0;
    end
  end
  always @(posedge aclk) begin
    if (s_axil_awvalid && !aw_full) aw_tgt  <= wtarget(s_axil_awaddr);
    if (s_axil_wvalid && !w_full)   w_data  <= s_axil_wdata;
    if (s_axil_arvalid && !ar_full) ar_slot <= rslot(s_axil_araddr);
  end
  always @(posedge aclk) begin
    if (rst) p_we_q <= 1'b0;
    else if (w_start || r_start) p_we_q <= w_start;
  end
  always @(posedge aclk) begin
    if (!p_busy) ptimer <= 4'd0;
    else         ptimer <= ptimer + 4'd1;
  end

  // ---------------- control and configuration registers ----------------
  always @(posedge aclk) begin
    if (rst) begin
      soft_reset     <= 1'b0;
      clear_counters <= 1'b0;
    end else begin
      soft_reset     <= wr_control && w_data[RB_CONTROL_SOFT_RESET];
      clear_counters <= wr_control && w_data[RB_CONTROL_CLEAR_COUNTERS];
    end
  end
  always @(posedge aclk) begin
    if (rst_cfg) start <= 1'b0;
    else if (wr_control) start <= w_data[RB_CONTROL_START];
  end
  always @(posedge aclk) begin
    if (rst_cfg) packet_images <= 32'd1;
    else if (wr_packet) packet_images <= w_data;
  end
  always @(posedge aclk) begin
    if (rst_cfg) param_sel <= 17'd0;
    else if (wr_sel) param_sel <= w_data[16:0];
  end
  // PARAM_ADDR: 0 on a PARAM_SEL write, the data on a PARAM_ADDR write, the memory's next
  // address on an answer, + 1 after a timeout or an invalid PARAM_SEL.
  wire pa_zero = rst || wr_sel;
  wire pa_set  = wr_addr;
  wire pa_load = pa_set || w_bad || r_bad || p_done;
  always @(posedge aclk) begin
    if (pa_zero)      param_addr <= 32'd0;
    else if (pa_load) param_addr <= pa_set ? w_data : (p_busy && p_ack) ? p_next : param_addr + 32'd1;
  end
  genvar gl;
  generate for (gl = 0; gl < NUM_LAYERS; gl = gl + 1) begin : g_layer
    localparam integer TC = T_LAYER + 3 * gl;
    localparam integer TZ = TC + 1, TK = TC + 2;
    wire wr_cfg   = w_reg && aw_tgt == TC[TW-1:0];
    wire wr_zero  = w_reg && aw_tgt == TZ[TW-1:0];
    wire wr_clamp = w_reg && aw_tgt == TK[TW-1:0];
    always @(posedge aclk) begin
      if (rst_cfg) begin
        l_round[gl*3 +: 3]    <= 3'd0;
        l_zero[gl*32 +: 32]   <= 32'd0;
        l_clamp[gl*32 +: 32]  <= L_CLAMP_RESET[gl*32 +: 32];
      end else begin
        if (wr_cfg)   l_round[gl*3 +: 3]   <= w_data[RB_L_CFG_ROUNDING +: 3];
        if (wr_zero)  l_zero[gl*32 +: 32]  <= w_data;
        if (wr_clamp) l_clamp[gl*32 +: 32] <= w_data;
      end
    end
  end endgenerate

  // ---------------- status and counters ----------------
  // Datapath-side reset of STATUS and the counters: CONTROL.SOFT_RESET and the cycle after it,
  // while the datapath's registered reset (`rst <= !aresetn || soft_reset` in the top) is
  // active, so an event the datapath still signals in that cycle does not leave IN_FLIGHT
  // (and BUSY) off by one.
  reg  soft_reset_q;
  always @(posedge aclk) soft_reset_q <= soft_reset && !rst;
  wire srst = rst || soft_reset || soft_reset_q;
  wire crst = srst || clear_counters;       // ... and of the clearable counters
  wire w1c  = wr_status;
  wire param_error = w_bad || r_bad || (p_busy && ((p_ack && p_err) || (!p_ack && p_tout)));
  always @(posedge aclk) begin
    if (srst) begin
      err_input <= 1'b0;
      err_param <= 1'b0;
    end else begin
      if (ev_err_input) err_input <= 1'b1;
      else if (w1c && w_data[RB_STATUS_ERR_INPUT]) err_input <= 1'b0;
      if (param_error) err_param <= 1'b1;
      else if (w1c && w_data[RB_STATUS_ERR_PARAM]) err_param <= 1'b0;
    end
  end
  // IN_FLIGHT: + 1 on a first input beat, - 1 on an image's last output beat.
  always @(posedge aclk) begin
    if (srst) in_flight <= 32'd0;
    else if (ev_first_in != ev_image_out) in_flight <= in_flight + {{31{ev_image_out}}, 1'b1};
  end
  always @(posedge aclk) begin
    if (crst) images_in <= 32'd0;
    else if (ev_image_in) images_in <= images_in + 32'd1;
  end
  always @(posedge aclk) begin
    if (crst) images_out <= 32'd0;
    else if (ev_image_out) images_out <= images_out + 32'd1;
  end
  always @(posedge aclk) begin
    if (crst) busy_cycles <= 64'd0;
    else if (busy) busy_cycles <= busy_cycles + 64'd1;
  end
  always @(posedge aclk) begin
    if (crst) stall_cycles <= 64'd0;
    else if (ev_stall) stall_cycles <= stall_cycles + 64'd1;
  end
  always @(posedge aclk) begin
    if (crst) starve_cycles <= 64'd0;
    else if (busy && ev_starve) starve_cycles <= starve_cycles + 64'd1;
  end
  // Reading a LO half latches the HI half.

  always @(posedge aclk) begin
    if (srst) busy_hi <= 32'd0;
    else if (r_reg && ar_slot == V_BUSY_LO[SW-1:0]) busy_hi <= busy_cycles[63:32];
  end
  always @(posedge aclk) begin
    if (srst) stall_hi <= 32'd0;
    else if (r_reg && ar_slot == V_STALL_LO[SW-1:0]) stall_hi <= stall_cycles[63:32];
  end
  always @(posedge aclk) begin
    if (srst) starve_hi <= 32'd0;
    else if (r_reg && ar_slot == V_STARVE_LO[SW-1:0]) starve_hi <= starve_cycles[63:32];
  end
endmodule
