// tb_ref_axil_regs: the register file as it was before the lean rewrite (commit 4af49f1), kept as
// the cycle-exact reference model of tb_zn_axil_regs. Testbench only; not part of the library.
// zn_axil_regs: AXI4-Lite slave and register file of the accelerator (docs/register-map.md).
//
// Protocol: AW and W are accepted independently and in any order (one of each is latched);
// a write is performed once both are there and no B response is pending, so a stalled B is
// never overwritten; likewise one AR at a time, and RVALID/RDATA hold until RREADY. Every
// response is OKAY. WSTRB is ignored (full-word writes); unmapped offsets read 0.
// PARAM_DATA accesses go over the parameter bus (p_*): a request, then exactly one p_ack from
// the selected memory (or an error answer from here for an invalid PARAM_SEL, or after 15
// cycles without an answer).
// Offsets come from zn_regmap.vh, generated from Sources/ZynqNetHW/RegisterMap.swift.
module tb_ref_axil_regs #(
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
  output reg                     p_we,
  output reg  [15:0]             p_layer,
  output reg                     p_kind,
  output reg  [31:0]             p_addr,
  output reg  [31:0]             p_wdata,
  input  wire                    p_ack,
  input  wire [31:0]             p_rdata,
  input  wire                    p_err,
  input  wire [31:0]             p_next
);
`include "zn_regmap.vh"

  generate if (AW < 12 || AW > 32 || NUM_LAYERS < 1 || 256 + 32 * NUM_LAYERS > (64'd1 << AW)) begin : g_param_error
`ifdef VERILATOR
    $fatal(1, "zn_axil_regs: AW (%0d) must be 12..32 and the window must hold %0d layer blocks", AW, NUM_LAYERS);
`else
    zn_param_error__zn_axil_regs_window_too_small u_param_error();
`endif
  end endgenerate

  wire unused_axil = ^{s_axil_awprot, s_axil_arprot, s_axil_wstrb};
  wire rst = !aresetn;
  assign s_axil_bresp = 2'b00;
  assign s_axil_rresp = 2'b00;

  // ---------------- AW / W / AR latches ----------------
  reg          aw_full, w_full, ar_full;
  reg [AW-1:0] aw_addr, ar_addr;
  reg [31:0]   w_data;
  assign s_axil_awready = !aw_full;
  assign s_axil_wready  = !w_full;
  assign s_axil_arready = !ar_full;

  // ---------------- registers ----------------
  reg         err_input, err_param;
  reg  [31:0] in_flight, images_in, images_out;
  reg  [63:0] busy_cycles, stall_cycles, starve_cycles;
  reg  [31:0] busy_hi, stall_hi, starve_hi;
  reg  [31:0] param_sel;
  reg  [31:0] param_addr;
  assign busy = (in_flight != 32'd0);

  // ---------------- address decode ----------------
  function is_global;
    input [AW-1:0] a;
    input [11:0]   off;
    begin
      is_global = ({{(32-AW){1'b0}}, a} == {20'd0, off});
    end
  endfunction
  function [31:0] layer_of;
    input [AW-1:0] a;
    reg   [31:0]   rel;
    begin
      rel = {{(32-AW){1'b0}}, a} - {20'd0, RA_LAYER_BASE};
      layer_of = rel >> 5;
    end
  endfunction
  function in_layers;
    input [AW-1:0] a;
    begin
      in_layers = ({{(32-AW){1'b0}}, a} >= {20'd0, RA_LAYER_BASE}) && (layer_of(a) < NUM_LAYERS);
    end
  endfunction

  // ---------------- parameter bus state ----------------
  localparam [1:0] P_IDLE = 2'd0, P_WRITE = 2'd1, P_READ = 2'd2;
  reg [1:0] pstate;
  reg [3:0] ptimer;
  wire sel_valid = ({16'd0, param_sel[15:0]} < NUM_LAYERS);

  wire write_go = aw_full && w_full && !s_axil_bvalid && pstate == P_IDLE;
  wire read_go  = ar_full && !s_axil_rvalid && pstate == P_IDLE && !write_go;
  wire w_param  = is_global(aw_addr, RA_PARAM_DATA);
  wire r_param  = is_global(ar_addr, RA_PARAM_DATA);
  wire p_done   = p_ack || ptimer == 4'd15;

  // ---------------- read mux ----------------
  reg [31:0] rmux;
  integer li;
  always @* begin
    rmux = 32'd0;
    if (is_global(ar_addr, RA_MAGIC))              rmux = RM_MAGIC;
    if (is_global(ar_addr, RA_VERSION))            rmux = RM_VERSION;
    if (is_global(ar_addr, RA_TOPOLOGY_HASH_LO))   rmux = TOPO_HASH[31:0];
    if (is_global(ar_addr, RA_TOPOLOGY_HASH_HI))   rmux = TOPO_HASH[63:32];
    if (is_global(ar_addr, RA_CONTROL))            rmux = {30'd0, start, 1'b0};
    if (is_global(ar_addr, RA_STATUS))             rmux = {29'd0, err_param, err_input, busy};
    if (is_global(ar_addr, RA_OUT_PACKET_IMAGES))  rmux = packet_images;
    if (is_global(ar_addr, RA_IN_FLIGHT))          rmux = in_flight;
    if (is_global(ar_addr, RA_IMAGES_IN))          rmux = images_in;
    if (is_global(ar_addr, RA_IMAGES_OUT))         rmux = images_out;
    if (is_global(ar_addr, RA_BUSY_CYCLES_LO))     rmux = busy_cycles[31:0];
    if (is_global(ar_addr, RA_BUSY_CYCLES_HI))     rmux = busy_hi;
    if (is_global(ar_addr, RA_STALL_CYCLES_LO))    rmux = stall_cycles[31:0];
    if (is_global(ar_addr, RA_STALL_CYCLES_HI))    rmux = stall_hi;
    if (is_global(ar_addr, RA_STARVE_CYCLES_LO))   rmux = starve_cycles[31:0];
    if (is_global(ar_addr, RA_STARVE_CYCLES_HI))   rmux = starve_hi;
    if (is_global(ar_addr, RA_NUM_LAYERS))         rmux = NUM_LAYERS;
    if (is_global(ar_addr, RA_INPUT_COUNT))        rmux = INPUT_COUNT;
    if (is_global(ar_addr, RA_OUTPUT_COUNT))       rmux = OUTPUT_COUNT;
    if (is_global(ar_addr, RA_FLAGS))              rmux = {29'd0, SEQUENTIAL != 0, OUTPUT_SIGNED != 0, INPUT_SIGNED != 0};
    if (is_global(ar_addr, RA_II_CYCLES))          rmux = II_CYCLES;
    if (is_global(ar_addr, RA_PARAM_SEL))          rmux = param_sel;
    if (is_global(ar_addr, RA_PARAM_ADDR))         rmux = param_addr;
    if (in_layers(ar_addr)) begin
      for (li = 0; li < NUM_LAYERS; li = li + 1) begin
        if (layer_of(ar_addr) == li) begin
          case (ar_addr[4:0])
            RA_L_IN:     rmux = L_IN[li*32 +: 32];
            RA_L_OUT:    rmux = L_OUT[li*32 +: 32];
            RA_L_FOLD:   rmux = L_FOLD[li*32 +: 32];
            RA_L_LANES:  rmux = L_LANES[li*32 +: 32];
            RA_L_WIDTHS: rmux = L_WIDTHS[li*32 +: 32];
            RA_L_CFG:    rmux = {29'd0, l_round[li*3 +: 3]};
            RA_L_ZERO:   rmux = l_zero[li*32 +: 32];
            RA_L_CLAMP:  rmux = l_clamp[li*32 +: 32];
            default:     rmux = 32'd0;
          endcase
        end
      end
    end
  end

  // ---------------- the state machine ----------------
  integer lj;
  always @(posedge aclk) begin
    if (rst) begin
      aw_full        <= 1'b0;
      w_full         <= 1'b0;
      ar_full        <= 1'b0;
      s_axil_bvalid  <= 1'b0;
      s_axil_rvalid  <= 1'b0;
      s_axil_rdata   <= 32'd0;
      soft_reset     <= 1'b0;
      start          <= 1'b0;
      clear_counters <= 1'b0;
      packet_images  <= 32'd1;
      param_sel      <= 32'd0;
      param_addr     <= 32'd0;
      pstate         <= P_IDLE;
      ptimer         <= 4'd0;
      p_req          <= 1'b0;
      p_we           <= 1'b0;
      p_layer        <= 16'd0;
      p_kind         <= 1'b0;
      p_addr         <= 32'd0;
      p_wdata        <= 32'd0;
      l_round        <= {(NUM_LAYERS*3){1'b0}};
      l_zero         <= {(NUM_LAYERS*32){1'b0}};
      l_clamp        <= L_CLAMP_RESET;
    end else begin
      soft_reset     <= 1'b0;
      clear_counters <= 1'b0;
      p_req          <= 1'b0;
      if (s_axil_awvalid && !aw_full) begin aw_full <= 1'b1; aw_addr <= s_axil_awaddr; end
      if (s_axil_wvalid && !w_full)   begin w_full  <= 1'b1; w_data  <= s_axil_wdata;  end
      if (s_axil_arvalid && !ar_full) begin ar_full <= 1'b1; ar_addr <= s_axil_araddr; end
      if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
      if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;

      // Writes.
      if (write_go) begin
        if (w_param) begin
          if (sel_valid) begin
            p_req   <= 1'b1;
            p_we    <= 1'b1;
            p_layer <= param_sel[15:0];
            p_kind  <= param_sel[16];
            p_addr  <= param_addr;
            p_wdata <= w_data;
            pstate  <= P_WRITE;
            ptimer  <= 4'd0;
          end else begin
            param_addr    <= param_addr + 32'd1;
            s_axil_bvalid <= 1'b1;
            aw_full       <= 1'b0;
            w_full        <= 1'b0;
          end
        end else begin
          if (is_global(aw_addr, RA_CONTROL)) begin
            soft_reset     <= w_data[RB_CONTROL_SOFT_RESET];
            start          <= w_data[RB_CONTROL_START];
            clear_counters <= w_data[RB_CONTROL_CLEAR_COUNTERS];
          end
          if (is_global(aw_addr, RA_OUT_PACKET_IMAGES)) packet_images <= w_data;
          if (is_global(aw_addr, RA_PARAM_SEL)) begin
            param_sel  <= w_data & 32'h0001_FFFF;
            param_addr <= 32'd0;
          end
          if (is_global(aw_addr, RA_PARAM_ADDR)) param_addr <= w_data;
          if (in_layers(aw_addr)) begin
            for (lj = 0; lj < NUM_LAYERS; lj = lj + 1) begin
              if (layer_of(aw_addr) == lj) begin
                if (aw_addr[4:0] == RA_L_CFG)   l_round[lj*3 +: 3] <= w_data[RB_L_CFG_ROUNDING +: 3];
                if (aw_addr[4:0] == RA_L_ZERO)  l_zero[lj*32 +: 32]  <= w_data;
                if (aw_addr[4:0] == RA_L_CLAMP) l_clamp[lj*32 +: 32] <= w_data;
              end
            end
          end
          s_axil_bvalid <= 1'b1;
          aw_full       <= 1'b0;
          w_full        <= 1'b0;
        end
      end

      // Reads.
      if (read_go) begin
        if (r_param) begin
          if (sel_valid) begin
            p_req   <= 1'b1;
            p_we    <= 1'b0;
            p_layer <= param_sel[15:0];
            p_kind  <= param_sel[16];
            p_addr  <= param_addr;
            pstate  <= P_READ;
            ptimer  <= 4'd0;
          end else begin
            param_addr    <= param_addr + 32'd1;
            s_axil_rdata  <= 32'd0;
            s_axil_rvalid <= 1'b1;
            ar_full       <= 1'b0;
          end
        end else begin
          s_axil_rdata  <= rmux;
          s_axil_rvalid <= 1'b1;
          ar_full       <= 1'b0;
        end
      end

      // Parameter bus answers.
      if (pstate != P_IDLE) begin
        ptimer <= ptimer + 4'd1;
        if (p_done) begin
          param_addr <= p_ack ? p_next : param_addr + 32'd1;
          pstate     <= P_IDLE;
          if (pstate == P_WRITE) begin
            s_axil_bvalid <= 1'b1;
            aw_full       <= 1'b0;
            w_full        <= 1'b0;
          end else begin
            s_axil_rdata  <= p_ack ? p_rdata : 32'd0;
            s_axil_rvalid <= 1'b1;
            ar_full       <= 1'b0;
          end
        end
      end
    end
  end

  // ---------------- status and counters ----------------
  wire read_lo_busy   = read_go && is_global(ar_addr, RA_BUSY_CYCLES_LO);
  wire read_lo_stall  = read_go && is_global(ar_addr, RA_STALL_CYCLES_LO);
  wire read_lo_starve = read_go && is_global(ar_addr, RA_STARVE_CYCLES_LO);
  wire w1c_status     = write_go && is_global(aw_addr, RA_STATUS);
  wire param_error    = (write_go && w_param && !sel_valid) || (read_go && r_param && !sel_valid) ||
                        (pstate != P_IDLE && ((p_ack && p_err) || (!p_ack && ptimer == 4'd15)));
  // The cycle after SOFT_RESET too: the datapath's registered reset is active then.
  reg soft_reset_q;
  always @(posedge aclk) soft_reset_q <= soft_reset && !rst;
  always @(posedge aclk) begin
    if (rst || soft_reset || soft_reset_q) begin
      err_input     <= 1'b0;
      err_param     <= 1'b0;
      in_flight     <= 32'd0;
      images_in     <= 32'd0;
      images_out    <= 32'd0;
      busy_cycles   <= 64'd0;
      stall_cycles  <= 64'd0;
      starve_cycles <= 64'd0;
      busy_hi       <= 32'd0;
      stall_hi      <= 32'd0;
      starve_hi     <= 32'd0;
    end else begin
      if (ev_err_input) err_input <= 1'b1;
      else if (w1c_status && w_data[RB_STATUS_ERR_INPUT]) err_input <= 1'b0;
      if (param_error) err_param <= 1'b1;
      else if (w1c_status && w_data[RB_STATUS_ERR_PARAM]) err_param <= 1'b0;
      in_flight <= in_flight + {31'd0, ev_first_in} - {31'd0, ev_image_out};
      if (clear_counters) begin
        images_in     <= 32'd0;
        images_out    <= 32'd0;
        busy_cycles   <= 64'd0;
        stall_cycles  <= 64'd0;
        starve_cycles <= 64'd0;
      end else begin
        if (ev_image_in)        images_in     <= images_in + 32'd1;
        if (ev_image_out)       images_out    <= images_out + 32'd1;
        if (busy)               busy_cycles   <= busy_cycles + 64'd1;
        if (ev_stall)           stall_cycles  <= stall_cycles + 64'd1;
        if (busy && ev_starve)  starve_cycles <= starve_cycles + 64'd1;
      end
      if (read_lo_busy)   busy_hi   <= busy_cycles[63:32];
      if (read_lo_stall)  stall_hi  <= stall_cycles[63:32];
      if (read_lo_starve) starve_hi <= starve_cycles[63:32];
    end
  end
endmodule
