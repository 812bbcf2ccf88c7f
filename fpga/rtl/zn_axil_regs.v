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
// The design constants are parameters; FLAGS is {SEQUENTIAL, OUTPUT_SIGNED, INPUT_SIGNED} (SEQUENTIAL:
// the generated top of the layer-folded engine, zn_seq, sets it to 1). WINDOWS = 1 (a design
// with a conv2d or maxpool2d layer) adds a read-only window block per layer after the last layer
// block (L_WIN_IMAGE … L_WIN_CH, zero for a dense layer; map 1.2); with WINDOWS = 0 it reads 0.
//
// Lean structure: an accepted AR address is compressed ({layer block, word} or {global word})
// and decoded into a registered read slot (mux select, memory entry, flags); an AW address into
// a write target. One LUT memory (RAM32M/RAM64M: one write port, one asynchronous read port)
// holds every word that changes only at known moments: shadows of the RW words (the flip-flop
// copies still drive the datapath), PARAM_ADDR (also a flip-flop: p_addr), STARVE_CYCLES_HI,
// the design constants and the nonzero reset values (initial contents, never written); a
// shadow reads its reset value until written after its reset (valid bits). RDATA is three 4:1
// stages per bit over ten sources (IN_FLIGHT, IMAGES_IN/OUT, the LO counters, BUSY/STALL HI,
// the memory, p_rdata or the CONTROL/STATUS/L_CFG bits); bits a word does not have (and
// shadows not written since reset) are zeroed through RDATA's per-group synchronous reset.
// PARAM_ADDR's next value and the memory's write data are one 4:1 mux per bit on two shared
// selects. Counters are FDRE reset/enable flip-flops.
module zn_axil_regs #(
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
  parameter [NUM_LAYERS*32-1:0] L_CLAMP_RESET = {NUM_LAYERS{32'h007F_FF80}},
  parameter integer WINDOWS       = 0,
  parameter [NUM_LAYERS*32-1:0] L_WIN_IMAGE   = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_WIN_KERNEL  = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_WIN_STRIDE  = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_WIN_PAD     = {NUM_LAYERS{32'd0}},
  parameter [NUM_LAYERS*32-1:0] L_WIN_CH      = {NUM_LAYERS{32'd0}}
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
  output reg  [NUM_LAYERS*3-1:0]  l_round,     // layer i's L_CFG.ROUNDING at [i*3 +: 3]
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

  generate if (AW < 12 || AW > 32 || NUM_LAYERS < 1 || 256 + 32 * NUM_LAYERS * (WINDOWS != 0 ? 2 : 1) > (64'd1 << AW)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: AW (%0d) must be 12..32 and the window must hold %0d layer (and window) blocks", AW, NUM_LAYERS);
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

  // The field positions and widths the logic below relies on: the narrow read mux ({1'b0, START,
  // 1'b0}; {ERR_PARAM, ERR_INPUT, BUSY}; L_CFG.ROUNDING in bits 2:0), the 17-bit PARAM_SEL
  // ({KIND, LAYER}, bits 31:17 read 0), the FLAGS constant, the CONTROL triggers and the RW reset
  // values; the ports p_layer and p_kind and l_round have the fields' widths.
  generate if (RB_CONTROL_SOFT_RESET != 0 || RB_CONTROL_START != 1 || RB_CONTROL_CLEAR_COUNTERS != 2 ||
               RB_STATUS_BUSY != 0 || RB_STATUS_ERR_INPUT != 1 || RB_STATUS_ERR_PARAM != 2 ||
               RB_FLAGS_INPUT_SIGNED != 0 || RB_FLAGS_OUTPUT_SIGNED != 1 || RB_FLAGS_SEQUENTIAL != 2 ||
               RB_PARAM_SEL_LAYER != 0 || RW_PARAM_SEL_LAYER != 16 || RB_PARAM_SEL_KIND != 16 || RW_PARAM_SEL_KIND != 1 ||
               RB_L_CFG_ROUNDING != 0 || RW_L_CFG_ROUNDING != 3 ||
               RR_CONTROL != 0 || RR_STATUS != 0 || RR_PARAM_SEL != 0 || RR_PARAM_ADDR != 0 || RR_L_CFG != 0 ||
               RR_L_ZERO != 0 || RR_OUT_PACKET_IMAGES != 1) begin : g_field_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the register map's fields no longer sit where the read mux and the registers expect them");
`else
    zn_param_error__zn_axil_regs_register_fields u_field_error();
`endif
  end endgenerate

  localparam integer L   = NUM_LAYERS;
  localparam integer NB  = (WINDOWS != 0) ? 2 * L : L;   // 32-byte blocks: the layers', then the windows'
  localparam integer NW  = (WINDOWS != 0) ? 5 * L : 0;   // window constants
  localparam integer LB  = AW - 5;                  // layer-block index width (addr[AW-1:5])
  localparam integer BLK0I = {20'd0, RA_LAYER_BASE} / 32;  // block of layer 0
  localparam [LB-1:0] BLK0 = BLK0I[LB-1:0];

  // ---------------- the word memory ----------------
  // One small LUT memory (one write port, one asynchronous read port) holds every word that
  // only changes at known moments: the shadows of the RW words (written with the FF copies that
  // drive the datapath), PARAM_ADDR (written at each of its updates), STARVE_CYCLES_HI (written
  // by a read of STARVE_CYCLES_LO), then the design constants and the nonzero reset values
  // (initial contents, never written). A shadow is valid once written after its reset; before,
  // it reads its reset value (zero through RDATA's reset, or its reset image). The read mux only
  // sees the six counters, BUSY/STALL_CYCLES_HI, this memory and the parameter-bus data.
  // Entries: the shadows with a nonzero reset value first (their reset images are at + HALF),
  // then the ones reading 0 until written; the constants fill the rest.
  localparam integer E_PACKET = 0, E_CLAMP = 1,     // + i: L_CLAMP of layer i
                     E_PSEL = L + 1, E_PADDR = L + 2, E_STARVE_HI = L + 3,
                     E_ZERO = L + 4,                // + i: L_ZERO of layer i
                     S = E_ZERO + L,                // shadows: 0 .. S-1; images: HALF .. HALF + L
                     NCONST = 9 + 5 * L + NW,       // the 9 global constants, 5 per layer, 5 per window
                     NE = S + NCONST + 1 + L;
  localparam integer RAW = zn_idxw(NE);
  localparam integer ND = 1 << RAW;
  localparam integer HALF = ND / 2;                 // S <= HALF since NCONST + 1 + L >= S
  // Constant k's entry: S .. HALF-1, then past the reset images (closed forms: elaboration
  // stays fast for many layers).
  function integer cslot;
    input integer k;
    begin
      cslot = (S + k < HALF) ? S + k : HALF + L + 1 + (k - (HALF - S));
    end
  endfunction
  // Read mux sources {c, s}: c = 0: a word of stage A by s, 1: of stage B by s, 2: the memory,
  // 3: p_rdata (or the CONTROL/STATUS/L_CFG bits).
  // s is the word address' bits [3:2] (the counters' words 7 .. 14 differ in them within a
  // stage), so only c is decoded.
  localparam [3:0] M_INFLIGHT = 4'd3, M_IMG_IN = 4'd0, M_IMG_OUT = 4'd1, M_BUSY_LO = 4'd2,
                   M_BUSY_HI = 4'd7, M_STALL_LO = 4'd4, M_STALL_HI = 4'd5, M_STARVE_LO = 4'd6,
                   M_MEM = 4'd8, M_NARROW = 4'd12;
  localparam [1:0] N_NONE = 2'd0, N_CONTROL = 2'd1, N_STATUS = 2'd2, N_CFG = 2'd3;
  generate if (RA_IN_FLIGHT[3:2] != M_INFLIGHT[1:0] || RA_IMAGES_IN[3:2] != M_IMG_IN[1:0] ||
               RA_IMAGES_OUT[3:2] != M_IMG_OUT[1:0] || RA_BUSY_CYCLES_LO[3:2] != M_BUSY_LO[1:0] ||
               RA_BUSY_CYCLES_HI[3:2] != M_BUSY_HI[1:0] || RA_STALL_CYCLES_LO[3:2] != M_STALL_LO[1:0] ||
               RA_STALL_CYCLES_HI[3:2] != M_STALL_HI[1:0] || RA_STARVE_CYCLES_LO[3:2] != M_STARVE_LO[1:0]) begin : g_mux_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: the counters' offsets no longer give the read mux's stage select");
`else
    zn_param_error__zn_axil_regs_counter_offsets u_mux_error();
`endif
  end endgenerate

  // A read address becomes a slot when AR is accepted: {pdata, lo, narrow, psel, alt, zr, nk, code, ra}.
  //   ra: memory entry (for L_CFG: the layer), code: mux source,
  //   nk: narrow word kind, zr: shadow reading 0 until written, alt: shadow reading its reset
  //   image until written, psel: bits 31:17 read 0, narrow: bits 31:3 read 0 (also unmapped
  //   words: nk = N_NONE), lo: STARVE_CYCLES_LO (latches its HI in the memory), pdata: PARAM_DATA.
  localparam integer SW = RAW + 12;
  localparam integer K_NONE = 0, K_CTRL = 1, K_STATUS = 2, K_CFG = 3, K_CNT = 4, K_LO = 5, K_MEM = 6, K_ZR = 7,
                     K_PSEL = 8, K_ALT = 9, K_PDATA = 10;
  // A write address becomes a target: {1, entry} for a word with a shadow, else {0, index}.
  localparam integer T_NONE = 0, T_CONTROL = 1, T_STATUS = 2, T_PDATA = 3, T_CFG = 4;  // + i
  localparam integer TW = RAW + 1;

  // Decoders (pure equality logic: no arithmetic on the address). A global word is an aligned
  // address below 0x80; layer i's block is addr[AW-1:5] == BLK0 + i.
  /* verilator lint_off UNUSEDSIGNAL */
  // An address compressed: {1, block, word} in a layer block (block = layer) or a window block
  // (block = L + layer), {0, word} for a global word (an unaligned or unmapped address becomes
  // the unmapped global word 2^(CI-1) - 1).
  localparam integer LW = zn_idxw(NB);
  localparam integer CI = 1 + ((LW + 3 > 5) ? LW + 3 : 5);
  function [CI-1:0] cword;
    input [AW-1:0] a;
    integer i;
    reg [CI-1:0] c;
    begin
      c = {1'b0, {(CI-1){1'b1}}};
      if (a[AW-1:7] == {(AW-7){1'b0}} && a[1:0] == 2'b00) c = {{(CI-5){1'b0}}, a[6:2]};
      for (i = 0; i < NB; i = i + 1)
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) c = {1'b1, i[CI-5:0], a[4:2]};
      cword = c;
    end
  endfunction

  function [SW-1:0] rslot;
    input [CI-1:0] a;
    integer i, k, e;
    reg g;
    reg [3:0] c;
    reg [1:0] nk;
    begin
      g = (a[CI-1:5] == {(CI-5){1'b0}});
      k = K_NONE;
      e = 0;
      c = M_NARROW;
      if (g) begin
        case (a[4:0])
          RA_MAGIC[6:2]:             begin k = K_MEM;  e = cslot(0); end
          RA_VERSION[6:2]:           begin k = K_MEM;  e = cslot(1); end
          RA_TOPOLOGY_HASH_LO[6:2]:  begin k = K_MEM;  e = cslot(2); end
          RA_TOPOLOGY_HASH_HI[6:2]:  begin k = K_MEM;  e = cslot(3); end
          RA_CONTROL[6:2]:           k = K_CTRL;
          RA_STATUS[6:2]:            k = K_STATUS;
          RA_OUT_PACKET_IMAGES[6:2]: begin k = K_ALT;  e = E_PACKET; end
          RA_IN_FLIGHT[6:2]:         begin k = K_CNT;  c = M_INFLIGHT; end
          RA_IMAGES_IN[6:2]:         begin k = K_CNT;  c = M_IMG_IN; end
          RA_IMAGES_OUT[6:2]:        begin k = K_CNT;  c = M_IMG_OUT; end
          RA_BUSY_CYCLES_LO[6:2]:    begin k = K_CNT;  c = M_BUSY_LO; end
          RA_BUSY_CYCLES_HI[6:2]:    begin k = K_CNT;  c = M_BUSY_HI; end
          RA_STALL_CYCLES_LO[6:2]:   begin k = K_CNT;  c = M_STALL_LO; end
          RA_STALL_CYCLES_HI[6:2]:   begin k = K_CNT;  c = M_STALL_HI; end
          RA_STARVE_CYCLES_LO[6:2]:  begin k = K_LO;   c = M_STARVE_LO; end
          RA_STARVE_CYCLES_HI[6:2]:  begin k = K_ZR;   e = E_STARVE_HI; end
          RA_NUM_LAYERS[6:2]:        begin k = K_MEM;  e = cslot(4); end
          RA_INPUT_COUNT[6:2]:       begin k = K_MEM;  e = cslot(5); end
          RA_OUTPUT_COUNT[6:2]:      begin k = K_MEM;  e = cslot(6); end
          RA_FLAGS[6:2]:             begin k = K_MEM;  e = cslot(7); end
          RA_II_CYCLES[6:2]:         begin k = K_MEM;  e = cslot(8); end
          RA_PARAM_SEL[6:2]:         begin k = K_PSEL; e = E_PSEL; end
          RA_PARAM_ADDR[6:2]:        begin k = K_ZR;   e = E_PADDR; end
          RA_PARAM_DATA[6:2]:        k = K_PDATA;
          default:                   k = K_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[CI-1] && a[CI-2:3] == i[CI-5:0]) begin
          case (a[2:0])
            RA_L_IN[4:2]:     begin k = K_MEM; e = cslot(9 + 5 * i + 0); end
            RA_L_OUT[4:2]:    begin k = K_MEM; e = cslot(9 + 5 * i + 1); end
            RA_L_FOLD[4:2]:   begin k = K_MEM; e = cslot(9 + 5 * i + 2); end
            RA_L_LANES[4:2]:  begin k = K_MEM; e = cslot(9 + 5 * i + 3); end
            RA_L_WIDTHS[4:2]: begin k = K_MEM; e = cslot(9 + 5 * i + 4); end
            RA_L_CFG[4:2]:    begin k = K_CFG; e = i; end
            RA_L_ZERO[4:2]:   begin k = K_ZR;  e = E_ZERO + i; end
            default:          begin k = K_ALT; e = E_CLAMP + i; end   // RA_L_CLAMP
          endcase
        end
      end
      for (i = L; i < NB; i = i + 1) begin
        if (a[CI-1] && a[CI-2:3] == i[CI-5:0]) begin
          case (a[2:0])
            RA_L_WIN_IMAGE[4:2]:  begin k = K_MEM; e = cslot(9 + 5 * i + 0); end
            RA_L_WIN_KERNEL[4:2]: begin k = K_MEM; e = cslot(9 + 5 * i + 1); end
            RA_L_WIN_STRIDE[4:2]: begin k = K_MEM; e = cslot(9 + 5 * i + 2); end
            RA_L_WIN_PAD[4:2]:    begin k = K_MEM; e = cslot(9 + 5 * i + 3); end
            RA_L_WIN_CH[4:2]:     begin k = K_MEM; e = cslot(9 + 5 * i + 4); end
            default:              k = K_NONE;
          endcase
        end
      end
      if (k == K_MEM || k == K_ZR || k == K_PSEL || k == K_ALT) c = M_MEM;
      nk = (k == K_CTRL) ? N_CONTROL : (k == K_STATUS) ? N_STATUS : (k == K_CFG) ? N_CFG : N_NONE;
      rslot = {k == K_PDATA, k == K_LO, k == K_NONE || k == K_CTRL || k == K_STATUS || k == K_CFG, k == K_PSEL,
               k == K_ALT, k == K_ZR || k == K_PSEL, nk, c, e[RAW-1:0]};
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
          RA_OUT_PACKET_IMAGES[6:2]: k = ND + E_PACKET;
          RA_PARAM_SEL[6:2]:         k = ND + E_PSEL;
          RA_PARAM_ADDR[6:2]:        k = ND + E_PADDR;
          RA_PARAM_DATA[6:2]:        k = T_PDATA;
          default:                   k = T_NONE;
        endcase
      end
      for (i = 0; i < L; i = i + 1) begin
        if (a[AW-1:5] == BLK0 + i[LB-1:0] && a[1:0] == 2'b00) begin
          if (a[4:2] == RA_L_CFG[4:2])   k = T_CFG + i;
          if (a[4:2] == RA_L_ZERO[4:2])  k = ND + E_ZERO + i;
          if (a[4:2] == RA_L_CLAMP[4:2]) k = ND + E_CLAMP + i;
        end
      end
      wtarget = k[TW-1:0];
    end
  endfunction


  // Initial contents: the constants and the reset images (shadows start at 0, unused).
  function [31:0] minit;
    input integer e;
    integer k, i;
    begin
      minit = 32'd0;
      k = (e < HALF) ? e - S : e - (HALF + L + 1) + (HALF - S);   // constant index
      if (e == HALF + E_PACKET) begin
        minit = RR_OUT_PACKET_IMAGES;
      end else if (e >= HALF + E_CLAMP && e < HALF + E_CLAMP + L) begin
        minit = L_CLAMP_RESET[(e - HALF - E_CLAMP)*32 +: 32];
      end else if (e >= S && k < NCONST) begin
        i = (k - 9) / 5;
        case (k)
          0: minit = RM_MAGIC;
          1: minit = RM_VERSION;
          2: minit = TOPO_HASH[31:0];
          3: minit = TOPO_HASH[63:32];
          4: minit = L;
          5: minit = INPUT_COUNT;
          6: minit = OUTPUT_COUNT;
          7: minit = {29'd0, SEQUENTIAL != 0, OUTPUT_SIGNED != 0, INPUT_SIGNED != 0};
          8: minit = II_CYCLES;
          default:
            if (i < L)
              case ((k - 9) % 5)
                0: minit = L_IN[i*32 +: 32];
                1: minit = L_OUT[i*32 +: 32];
                2: minit = L_FOLD[i*32 +: 32];
                3: minit = L_LANES[i*32 +: 32];
                default: minit = L_WIDTHS[i*32 +: 32];
              endcase
            else
              case ((k - 9) % 5)   // window block i: layer i - L
                0: minit = L_WIN_IMAGE[(i-L)*32 +: 32];
                1: minit = L_WIN_KERNEL[(i-L)*32 +: 32];
                2: minit = L_WIN_STRIDE[(i-L)*32 +: 32];
                3: minit = L_WIN_PAD[(i-L)*32 +: 32];
                default: minit = L_WIN_CH[(i-L)*32 +: 32];
              endcase
        endcase
      end
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  wire unused_axil = ^{s_axil_awprot, s_axil_arprot};
  wire rst = !aresetn;
  // The configuration registers reset on rst_cfg = rst, held one edge longer: they only change
  // by a register write, which needs AW and W latched after the reset, so this changes nothing;
  // with a plain inversion of aresetn yosys would give every FDRE its own inverter.
  reg  rst_q;
  always @(posedge aclk) rst_q <= rst;
  wire rst_cfg = rst || rst_q;
  // BRESP: SLVERR (2'b10) for a write whose WSTRB is not 4'hF (nothing is written), else OKAY.
  reg b_err;
  assign s_axil_bresp = {b_err, 1'b0};
  assign s_axil_rresp = 2'b00;

  // ---------------- AW / W / AR latches ----------------
  reg          aw_full, w_full, ar_full;
  reg [TW-1:0] aw_tgt;
  reg          w_param;                  // aw_tgt == T_PDATA, registered
  reg [SW-1:0] ar_slot;
  reg  [1:0]   ar_s;                     // the read address' bits [3:2]
  wire [3:0]   ar_code = {ar_slot[RAW+3:RAW+2], ar_s};
  reg [31:0]   w_data;
  reg          w_full_strb;              // the latched write had WSTRB == 4'hF
  assign s_axil_awready = !aw_full;
  assign s_axil_wready  = !w_full;
  assign s_axil_arready = !ar_full;
  wire [RAW-1:0] ar_ra   = ar_slot[RAW-1:0];
  wire [1:0]     ar_nk   = ar_slot[RAW+5:RAW+4];
  wire           ar_zr   = ar_slot[RAW+6];
  wire           ar_alt  = ar_slot[RAW+7];
  wire           ar_psel = ar_slot[RAW+8];
  wire           ar_nw   = ar_slot[RAW+9];
  wire           ar_lo   = ar_slot[RAW+10];
  wire           r_param = ar_slot[RAW+11];
  wire           w_mem   = aw_tgt[RAW];
  wire [RAW-1:0] aw_ra   = aw_tgt[RAW-1:0];

  // ---------------- registers ----------------
  reg         err_input, err_param;
  reg  [31:0] in_flight, images_in, images_out;
  reg  [63:0] busy_cycles, stall_cycles, starve_cycles;
  reg  [31:0] busy_hi, stall_hi;
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

  wire write_go_any = aw_full && w_full && !s_axil_bvalid && !p_busy;
  wire write_go = write_go_any && w_full_strb;
  wire w_strb_bad = write_go_any && !w_full_strb;   // answered SLVERR, writes nothing
  wire read_go  = ar_full && !s_axil_rvalid && !p_busy && !write_go_any;
  wire p_tout   = (ptimer == 4'd15);
  wire p_done   = p_busy && (p_ack || p_tout);
  wire w_reg    = write_go && !w_param;            // a register write (not PARAM_DATA)
  wire w_bad    = write_go && w_param && !sel_valid;
  wire r_bad    = read_go && r_param && !sel_valid;
  wire w_start  = write_go && w_param && sel_valid;
  wire r_start  = read_go && r_param && sel_valid;
  wire r_reg    = read_go && !r_param;              // a register read (not PARAM_DATA)

  assign p_we    = p_we_q;
  assign p_layer = param_sel[15:0];
  assign p_kind  = param_sel[16];
  assign p_addr  = param_addr;
  assign p_wdata = w_data;

  wire wr_control = w_reg && aw_tgt == T_CONTROL[TW-1:0];
  wire wr_status  = w_reg && aw_tgt == T_STATUS[TW-1:0];
  localparam integer TG_PACKET = ND + E_PACKET, TG_PSEL = ND + E_PSEL, TG_PADDR = ND + E_PADDR;
  wire wr_packet  = w_reg && aw_tgt == TG_PACKET[TW-1:0];
  wire wr_sel     = w_reg && aw_tgt == TG_PSEL[TW-1:0];
  wire wr_addr    = w_reg && aw_tgt == TG_PADDR[TW-1:0];

  // Datapath-side reset of STATUS, the counters and the HI latches: CONTROL.SOFT_RESET and the
  // cycle after it, while the datapath's registered reset (`rst <= !aresetn || soft_reset` in
  // the top) is active, so an event the datapath still signals in that cycle does not leave
  // IN_FLIGHT (and BUSY) off by one.
  reg  soft_reset_q;
  always @(posedge aclk) soft_reset_q <= soft_reset && !rst;
  wire srst = rst || soft_reset || soft_reset_q;

  // ---------------- the memory: writes ----------------
  // At most one writer per cycle: a register write (write_go), a PARAM_ADDR update on a
  // parameter-bus answer or an invalid PARAM_SEL (never with write_go or a register read), a
  // LO read latching its HI half (read_go, never with write_go).
  wire hi_evt = r_reg && ar_lo;
  wire pa_evt = w_bad || r_bad || p_done;
  wire mem_we = (w_reg && w_mem) || pa_evt || hi_evt;
  wire [RAW-1:0] mem_wa = w_reg ? aw_ra : hi_evt ? E_STARVE_HI[RAW-1:0] : E_PADDR[RAW-1:0];
  // The written word, also PARAM_ADDR's next value: the data on a register write (PARAM_ADDR:
  // its new value), the memory's next address on an answer, STARVE_CYCLES[63:32] on a read of
  // STARVE_CYCLES_LO, else PARAM_ADDR + 1 (after a timeout or an invalid PARAM_SEL).
  // (a 4:1 mux per bit on a select computed once)
  // ws: 0 w_data, 1 p_next, 2 STARVE_CYCLES[63:32], 3 + 1; a value for every possible writer.
  wire wpair = aw_full && w_full && !s_axil_bvalid;
  (* keep *) wire ws1;
  (* keep *) wire ws0;
  assign ws1 = p_busy ? !p_ack : !(wpair && !w_param);
  assign ws0 = p_busy || (wpair ? w_param : r_param);
  wire [31:0] pa_inc = param_addr + 32'd1;
  wire [31:0] mem_wd = ws1 ? (ws0 ? pa_inc : starve_cycles[63:32]) : (ws0 ? p_next : w_data);
  reg [31:0] mem [0:ND-1];
  integer mi;
  initial for (mi = 0; mi < ND; mi = mi + 1) mem[mi] = minit(mi);
  always @(posedge aclk) if (mem_we) mem[mem_wa] <= mem_wd;
  // Shadow valid bits: set by a write, cleared by the word's reset.
  reg [S-1:0] valid;
  genvar ge;
  generate for (ge = 0; ge < S; ge = ge + 1) begin : g_valid
    wire clr = (ge == E_PADDR) ? (rst || wr_sel) : (ge == E_STARVE_HI) ? srst : rst_cfg;
    always @(posedge aclk) begin
      if (clr) valid[ge] <= 1'b0;
      else if (mem_we && mem_wa == ge) valid[ge] <= 1'b1;
    end
  end endgenerate

  // ---------------- read data ----------------
  wire [ND-1:0] vpad = {{(ND-S){1'b0}}, valid};
  wire vld  = vpad[ar_ra];
  wire zinv = ar_zr && !vld;
  wire [RAW-1:0] mem_ra = {ar_ra[RAW-1] | (ar_alt && !vld), ar_ra[RAW-2:0]};
  wire [31:0] mem_q = mem[mem_ra];
  wire [3*ND-1:0] rpad = {{(3*(ND-L)){1'b0}}, l_round};
  reg [2:0] narrow;
  always @* begin
    case (ar_nk)
      N_CONTROL: narrow = {1'b0, start, 1'b0};
      N_STATUS:  narrow = {err_param, err_input, busy};
      N_CFG:     narrow = rpad[ar_ra*3 +: 3];
      default:   narrow = 3'd0;
    endcase
  end
  // Three 4:1 stages per bit (kept apart: yosys/abc maps them to three LUTs per bit).
  (* keep *) wire [31:0] rd_a;
  (* keep *) wire [31:0] rd_b;
  assign rd_a = (ar_code[1:0] == 2'd0) ? images_in : (ar_code[1:0] == 2'd1) ? images_out :
                (ar_code[1:0] == 2'd2) ? busy_cycles[31:0] : in_flight;
  assign rd_b = (ar_code[1:0] == 2'd0) ? stall_cycles[31:0] : (ar_code[1:0] == 2'd1) ? stall_hi :
                (ar_code[1:0] == 2'd2) ? starve_cycles[31:0] : busy_hi;
  wire [31:0] rd_p = {p_rdata[31:3], ar_nw ? narrow : p_rdata[2:0]};
  wire [31:0] rd = (ar_code[3:2] == 2'd0) ? rd_a : (ar_code[3:2] == 2'd1) ? rd_b : (ar_code[3:2] == 2'd2) ? mem_q : rd_p;
  // RDATA: loaded by a register read or a parameter-bus read answer; zero through the reset
  // on an invalid PARAM_SEL or a timeout, and per bit group for the bits a word does not have
  // (and a shadow not written since its reset).
  wire p_rdone  = p_done && !p_we_q;
  wire rd_zero  = rst || r_bad || (p_rdone && !p_ack);
  wire rd_load  = r_reg || p_rdone;
  wire rz_lo    = rd_zero || (r_reg && zinv);
  wire rz_mid   = rz_lo || (r_reg && ar_nw);
  wire rz_hi    = rz_mid || (r_reg && ar_psel);
  always @(posedge aclk) begin
    if (rz_lo)        s_axil_rdata[2:0] <= 3'd0;
    else if (rd_load) s_axil_rdata[2:0] <= rd[2:0];
  end
  always @(posedge aclk) begin
    if (rz_mid)       s_axil_rdata[16:3] <= 14'd0;
    else if (rd_load) s_axil_rdata[16:3] <= rd[16:3];
  end
  always @(posedge aclk) begin
    if (rz_hi)        s_axil_rdata[31:17] <= 15'd0;
    else if (rd_load) s_axil_rdata[31:17] <= rd[31:17];
  end

  // ---------------- handshakes and the parameter bus ----------------
  always @(posedge aclk) begin
    if (rst) begin
      aw_full       <= 1'b0;
      w_full        <= 1'b0;
      ar_full       <= 1'b0;
      s_axil_bvalid <= 1'b0;
      b_err         <= 1'b0;
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
      if ((write_go && !w_start) || w_strb_bad || (p_done && p_we_q)) begin
        s_axil_bvalid <= 1'b1;
        b_err         <= w_strb_bad;
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
    if (s_axil_awvalid && !aw_full) begin
      aw_tgt  <= wtarget(s_axil_awaddr);
      w_param <= (wtarget(s_axil_awaddr) == T_PDATA[TW-1:0]);
    end
    if (s_axil_wvalid && !w_full) begin
      w_data      <= s_axil_wdata;
      w_full_strb <= (s_axil_wstrb == 4'hF);
    end
    if (s_axil_arvalid && !ar_full) begin
      ar_slot   <= rslot(cword(s_axil_araddr));
      ar_s      <= s_axil_araddr[3:2];
    end
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
    if (rst_cfg) packet_images <= RR_OUT_PACKET_IMAGES;
    else if (wr_packet) packet_images <= w_data;
  end
  always @(posedge aclk) begin
    if (rst_cfg) param_sel <= 17'd0;
    else if (wr_sel) param_sel <= w_data[16:0];
  end
  // PARAM_ADDR: 0 on a PARAM_SEL write, else the memory's written word at each update.
  wire pa_load = wr_addr || pa_evt;
  always @(posedge aclk) begin
    if (rst || wr_sel) param_addr <= 32'd0;
    else if (pa_load)  param_addr <= mem_wd;
  end
  genvar gl;
  generate for (gl = 0; gl < NUM_LAYERS; gl = gl + 1) begin : g_layer
    localparam integer TC = T_CFG + gl, TZ = ND + E_ZERO + gl, TK = ND + E_CLAMP + gl;
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
  // Reading BUSY_CYCLES_LO or STALL_CYCLES_LO latches the HI half (STARVE's is in the memory).
  always @(posedge aclk) begin
    if (srst) busy_hi <= 32'd0;
    else if (r_reg && ar_code == M_BUSY_LO) busy_hi <= busy_cycles[63:32];
  end
  always @(posedge aclk) begin
    if (srst) stall_hi <= 32'd0;
    else if (r_reg && ar_code == M_STALL_LO) stall_hi <= stall_cycles[63:32];
  end
endmodule
