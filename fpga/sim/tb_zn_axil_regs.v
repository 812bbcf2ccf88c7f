// Testbench of zn_axil_regs: random AXI4-Lite traffic (AW, W and AR independent, random
// addresses over the whole window: mapped, unmapped, unaligned, layer blocks past NUM_LAYERS),
// random BREADY/RREADY, datapath events, resets, a parameter-bus responder that answers after
// random delays (some past the 15-cycle timeout, some stray) and counters preset near their
// 32-bit carries. Every cycle, every output must equal the reference model tb_ref_axil_regs
// (the straightforward register file this module replaced); the parameter-bus request fields are
// compared while a request is outstanding (p_wdata for writes). A second reference, tb_lean_axil_regs
// (this module before its LUT-memory rewrite), must match every output at every cycle, p_* included.
// Then directed parts: a datapath event right after SOFT_RESET; a read of every register after a
// reset, after each kind of register write (with the written word also read back in the very next
// cycle), after parameter-bus answers, timeouts and invalid PARAM_SEL, after SOFT_RESET and
// CLEAR_COUNTERS with the counters near their carries, and after a reset following writes to every
// RW register; FLAGS once more against the parameters (SEQUENTIAL: the engine bit). Ends with
// RESULT PASS and coverage counts.
module tb_zn_axil_regs;
  parameter integer NUM_LAYERS = 2, AW = 12, CYCLES = 20000, SEED = 1, SEQUENTIAL = 0;
  localparam integer L = NUM_LAYERS;

  // Distinct design constants per layer.
  function [L*32-1:0] mk;
    input [31:0] salt;
    integer i;
    reg [31:0] v;
    begin
      for (i = 0; i < L; i = i + 1) begin
        v = (32'h9E37_79B9 * (i + 1)) ^ (salt * 32'h85EB_CA6B);
        mk[i*32 +: 32] = v ^ (v >> 13);
      end
    end
  endfunction
  localparam [63:0] HASH = 64'hC0FF_EE12_3456_789A;
  localparam [L*32-1:0] P_IN = mk(1), P_OUT = mk(2), P_FOLD = mk(3), P_LANES = mk(4), P_WIDTHS = mk(5), P_CLAMP = mk(6);

  reg clk = 1'b0;
  always #5 clk = !clk;
  reg aresetn = 1'b0;
  reg [AW-1:0] awaddr, araddr;
  reg [31:0] wdata;
  reg awvalid = 1'b0, wvalid = 1'b0, arvalid = 1'b0, bready = 1'b0, rready = 1'b0;
  reg [2:0] awprot = 3'd0, arprot = 3'd0;
  reg [3:0] wstrb = 4'hF;
  reg ev_first_in = 1'b0, ev_image_in = 1'b0, ev_image_out = 1'b0, ev_err_input = 1'b0, ev_stall = 1'b0, ev_starve = 1'b0;
  reg p_ack = 1'b0, p_err = 1'b0;
  reg [31:0] p_rdata = 32'd0, p_next = 32'd0;

  // Outputs: n_ = zn_axil_regs, r_ = reference.
  wire n_awready, n_wready, n_bvalid, n_arready, n_rvalid, n_soft, n_start, n_clear, n_busy, n_req, n_we, n_kind;
  wire r_awready, r_wready, r_bvalid, r_arready, r_rvalid, r_soft, r_start, r_clear, r_busy, r_req, r_we, r_kind;
  wire [1:0] n_bresp, n_rresp, r_bresp, r_rresp;
  wire [31:0] n_rdata, r_rdata, n_packet, r_packet, n_addr, r_addr, n_wd, r_wd;
  wire [15:0] n_layer, r_layer;
  wire [3*L-1:0] n_round, r_round;
  wire [L*32-1:0] n_zero, r_zero, n_clamp, r_clamp;
  // l_ = tb_lean_axil_regs (all outputs, every cycle).
  wire l_awready, l_wready, l_bvalid, l_arready, l_rvalid, l_soft, l_start, l_clear, l_busy, l_req, l_we, l_kind;
  wire [1:0] l_bresp, l_rresp;
  wire [31:0] l_rdata, l_packet, l_addr, l_wd;
  wire [15:0] l_layer;
  wire [3*L-1:0] l_round;
  wire [L*32-1:0] l_zero, l_clamp;

  zn_axil_regs #(.AW(AW), .NUM_LAYERS(L), .TOPO_HASH(HASH), .INPUT_COUNT(784), .OUTPUT_COUNT(10), .INPUT_SIGNED(1),
                 .OUTPUT_SIGNED(0), .SEQUENTIAL(SEQUENTIAL), .II_CYCLES(12345), .L_IN(P_IN), .L_OUT(P_OUT), .L_FOLD(P_FOLD), .L_LANES(P_LANES),
                 .L_WIDTHS(P_WIDTHS), .L_CLAMP_RESET(P_CLAMP)) dut (
    .aclk(clk), .aresetn(aresetn),
    .s_axil_awaddr(awaddr), .s_axil_awprot(awprot), .s_axil_awvalid(awvalid), .s_axil_awready(n_awready),
    .s_axil_wdata(wdata), .s_axil_wstrb(wstrb), .s_axil_wvalid(wvalid), .s_axil_wready(n_wready),
    .s_axil_bresp(n_bresp), .s_axil_bvalid(n_bvalid), .s_axil_bready(bready),
    .s_axil_araddr(araddr), .s_axil_arprot(arprot), .s_axil_arvalid(arvalid), .s_axil_arready(n_arready),
    .s_axil_rdata(n_rdata), .s_axil_rresp(n_rresp), .s_axil_rvalid(n_rvalid), .s_axil_rready(rready),
    .soft_reset(n_soft), .start(n_start), .clear_counters(n_clear), .packet_images(n_packet),
    .ev_first_in(ev_first_in), .ev_image_in(ev_image_in), .ev_image_out(ev_image_out), .ev_err_input(ev_err_input),
    .ev_stall(ev_stall), .ev_starve(ev_starve), .busy(n_busy),
    .l_round(n_round), .l_zero(n_zero), .l_clamp(n_clamp),
    .p_req(n_req), .p_we(n_we), .p_layer(n_layer), .p_kind(n_kind), .p_addr(n_addr), .p_wdata(n_wd),
    .p_ack(p_ack), .p_rdata(p_rdata), .p_err(p_err), .p_next(p_next));
  tb_ref_axil_regs #(.AW(AW), .NUM_LAYERS(L), .TOPO_HASH(HASH), .INPUT_COUNT(784), .OUTPUT_COUNT(10), .INPUT_SIGNED(1),
                 .OUTPUT_SIGNED(0), .SEQUENTIAL(SEQUENTIAL), .II_CYCLES(12345), .L_IN(P_IN), .L_OUT(P_OUT), .L_FOLD(P_FOLD), .L_LANES(P_LANES),
                 .L_WIDTHS(P_WIDTHS), .L_CLAMP_RESET(P_CLAMP)) ref (
    .aclk(clk), .aresetn(aresetn),
    .s_axil_awaddr(awaddr), .s_axil_awprot(awprot), .s_axil_awvalid(awvalid), .s_axil_awready(r_awready),
    .s_axil_wdata(wdata), .s_axil_wstrb(wstrb), .s_axil_wvalid(wvalid), .s_axil_wready(r_wready),
    .s_axil_bresp(r_bresp), .s_axil_bvalid(r_bvalid), .s_axil_bready(bready),
    .s_axil_araddr(araddr), .s_axil_arprot(arprot), .s_axil_arvalid(arvalid), .s_axil_arready(r_arready),
    .s_axil_rdata(r_rdata), .s_axil_rresp(r_rresp), .s_axil_rvalid(r_rvalid), .s_axil_rready(rready),
    .soft_reset(r_soft), .start(r_start), .clear_counters(r_clear), .packet_images(r_packet),
    .ev_first_in(ev_first_in), .ev_image_in(ev_image_in), .ev_image_out(ev_image_out), .ev_err_input(ev_err_input),
    .ev_stall(ev_stall), .ev_starve(ev_starve), .busy(r_busy),
    .l_round(r_round), .l_zero(r_zero), .l_clamp(r_clamp),
    .p_req(r_req), .p_we(r_we), .p_layer(r_layer), .p_kind(r_kind), .p_addr(r_addr), .p_wdata(r_wd),
    .p_ack(p_ack), .p_rdata(p_rdata), .p_err(p_err), .p_next(p_next));

  tb_lean_axil_regs #(.AW(AW), .NUM_LAYERS(L), .TOPO_HASH(HASH), .INPUT_COUNT(784), .OUTPUT_COUNT(10), .INPUT_SIGNED(1),
                 .OUTPUT_SIGNED(0), .SEQUENTIAL(SEQUENTIAL), .II_CYCLES(12345), .L_IN(P_IN), .L_OUT(P_OUT), .L_FOLD(P_FOLD), .L_LANES(P_LANES),
                 .L_WIDTHS(P_WIDTHS), .L_CLAMP_RESET(P_CLAMP)) lean (
    .aclk(clk), .aresetn(aresetn),
    .s_axil_awaddr(awaddr), .s_axil_awprot(awprot), .s_axil_awvalid(awvalid), .s_axil_awready(l_awready),
    .s_axil_wdata(wdata), .s_axil_wstrb(wstrb), .s_axil_wvalid(wvalid), .s_axil_wready(l_wready),
    .s_axil_bresp(l_bresp), .s_axil_bvalid(l_bvalid), .s_axil_bready(bready),
    .s_axil_araddr(araddr), .s_axil_arprot(arprot), .s_axil_arvalid(arvalid), .s_axil_arready(l_arready),
    .s_axil_rdata(l_rdata), .s_axil_rresp(l_rresp), .s_axil_rvalid(l_rvalid), .s_axil_rready(rready),
    .soft_reset(l_soft), .start(l_start), .clear_counters(l_clear), .packet_images(l_packet),
    .ev_first_in(ev_first_in), .ev_image_in(ev_image_in), .ev_image_out(ev_image_out), .ev_err_input(ev_err_input),
    .ev_stall(ev_stall), .ev_starve(ev_starve), .busy(l_busy),
    .l_round(l_round), .l_zero(l_zero), .l_clamp(l_clamp),
    .p_req(l_req), .p_we(l_we), .p_layer(l_layer), .p_kind(l_kind), .p_addr(l_addr), .p_wdata(l_wd),
    .p_ack(p_ack), .p_rdata(p_rdata), .p_err(p_err), .p_next(p_next));

  integer seed, cyc, errors, reads, writes, preqs, touts, hi_nonzero, bad_sel, layer_reads, acks;
  integer ack_at, ev_kind, directed_cycles, dk, di, dir_writes;
  reg [AW-1:0] da_addr;
  reg [31:0] da_data;
  reg aw_hs, w_hs;
  reg directed = 1'b0;
  // The directed part must end: a hang is a failure, not a stuck test.
  always @(posedge clk) begin
    if (!directed) directed_cycles = 0;
    else begin
      directed_cycles = directed_cycles + 1;
      if (directed_cycles > 200000) begin
        $display("RESULT FAIL the directed part did not finish");
        $finish;
      end
    end
  end
  reg [31:0] r;
  // The last word zn_axil_regs returned (RVALID && RREADY).
  reg [31:0] last_rdata = 32'd0;
  reg cmp_on = 1'b1;   // compare with the reference models (off in the WSTRB phase)
  always @(posedge clk) if (n_rvalid && rready) last_rdata <= n_rdata;
`include "zn_regmap.vh"

  function [31:0] rnd;
    input integer dummy;
    begin
      rnd = $random(seed);
    end
  endfunction

  // A random byte address: mostly registers, also unmapped, unaligned and past the layers.
  function [AW-1:0] pick_addr;
    input integer writeish;
    reg [31:0] a, q;
    begin
      q = rnd(0);
      case (q[3:0])
        4'd0, 4'd1, 4'd2, 4'd3, 4'd4: a = {q[8:4], 2'b00};                          // global words 0..31
        4'd5, 4'd6, 4'd7, 4'd8:       a = 32'h100 + 32 * (q[15:8] % (L + 2)) + {q[18:16], 2'b00};
        4'd9:                          a = {q[8:4], 2'b00} + 1 + (q[20:16] % 3);     // unaligned
        4'd10:                         a = 32'h100 + 32 * (q[15:8] % (L + 1)) + 1 + (q[20:16] % 31);
        4'd11:                         a = q;                                          // anywhere
        4'd12:                         a = 32'h60 + {q[8:4], 2'b00};                   // 0x60..0xDC
        default: begin
          if (writeish != 0) begin
            case (q[6:4])
              3'd0: a = 32'h010;
              3'd1: a = 32'h014;
              3'd2: a = 32'h054;
              3'd3: a = 32'h058;
              3'd4, 3'd5: a = 32'h05C;
              default: a = 32'h100 + 32 * (q[15:8] % L) + 32'h14 + 4 * (q[17:16] % 3);
            endcase
          end else begin
            case (q[6:4])
              3'd0, 3'd1: a = 32'h05C;
              3'd2: a = (q[9:7] == 3'd0) ? 32'h010 : (q[9:7] == 3'd1) ? 32'h014 : (q[9:7] == 3'd2) ? 32'h018 :
                        (q[9:7] == 3'd3) ? 32'h054 : 32'h058;                          // RW words, PARAM_ADDR
              3'd3: a = 32'h028 + {q[8:7], 3'b000};                                    // a LO counter
              3'd4: a = 32'h02C + {q[8:7], 3'b000};                                    // a HI counter
              default: a = 32'h100 + 32 * (q[15:8] % L) + {q[18:16], 2'b00};
            endcase
          end
        end
      endcase
      pick_addr = a[AW-1:0];
    end
  endfunction

  function [31:0] pick_data;
    input integer dummy;
    reg [31:0] q;
    begin
      q = rnd(0);
      case (q[2:0])
        3'd0: pick_data = rnd(0);
        3'd1: pick_data = {15'd0, q[8], 16'd0} | (q[15:9] % (L + 2));                 // PARAM_SEL-like
        3'd2: pick_data = {29'd0, q[5:3]} & 32'hFFFF_FFFA;                            // CONTROL without soft reset
        3'd3: pick_data = {29'd0, q[5:3]};                                            // CONTROL, STATUS bits
        3'd4: pick_data = 32'hFFFF_FFFF - (q[31:28]);
        default: pick_data = {26'd0, q[8:3]};
      endcase
    end
  endfunction

  // Counters near their carries (32-bit and 64-bit), in all three models alike.
  task preset_counters;
    input [31:0] q;
    begin
      ref.busy_cycles   = {q[7:0], 24'd0, 32'hFFFF_FFF0};
      dut.busy_cycles   = {q[7:0], 24'd0, 32'hFFFF_FFF0};
      lean.busy_cycles  = {q[7:0], 24'd0, 32'hFFFF_FFF0};
      ref.stall_cycles  = {q[15:8], 24'd0, 32'hFFFF_FFF8};
      dut.stall_cycles  = {q[15:8], 24'd0, 32'hFFFF_FFF8};
      lean.stall_cycles = {q[15:8], 24'd0, 32'hFFFF_FFF8};
      ref.starve_cycles = {24'hFFFF_FF, q[23:16], 32'hFFFF_FFFC};
      dut.starve_cycles = {24'hFFFF_FF, q[23:16], 32'hFFFF_FFFC};
      lean.starve_cycles = {24'hFFFF_FF, q[23:16], 32'hFFFF_FFFC};
      ref.images_in     = 32'hFFFF_FFFE;
      dut.images_in     = 32'hFFFF_FFFE;
      lean.images_in    = 32'hFFFF_FFFE;
      ref.images_out    = 32'hFFFF_FFFF;
      dut.images_out    = 32'hFFFF_FFFF;
      lean.images_out   = 32'hFFFF_FFFF;
      ref.in_flight     = (q[24]) ? 32'h0000_0001 : 32'hFFFF_FFFF;
      dut.in_flight     = (q[24]) ? 32'h0000_0001 : 32'hFFFF_FFFF;
      lean.in_flight    = (q[24]) ? 32'h0000_0001 : 32'hFFFF_FFFF;
    end
  endtask

  // Directed AXI accesses (the models are compared every cycle; these only make the traffic).
  // Signals change right after a rising edge; a handshake is seen with the values before it.
  // wr_rd: AW, W and AR together (the write goes first, the read in the next cycle); ra = 0
  // with rd = 0 makes it a plain write.
  reg dir_rd;
  task wr_rd;
    input [AW-1:0] wa;
    input [31:0] wd;
    input [AW-1:0] ra;
    input rd;
    reg da, dw, db, dr, drr;
    begin
      awvalid <= 1'b1; awaddr <= wa; wvalid <= 1'b1; wdata <= wd; bready <= 1'b1;
      arvalid <= rd; araddr <= ra; rready <= 1'b1;
      da = 1'b0; dw = 1'b0; db = 1'b0; dr = !rd; drr = !rd;
      while (!(db && drr)) begin
        @(posedge clk);
        if (da && dw && r_bvalid) db = 1'b1;
        if (dr && r_rvalid) drr = 1'b1;
        if (awvalid && r_awready) begin da = 1'b1; awvalid <= 1'b0; end
        if (wvalid && r_wready) begin dw = 1'b1; wvalid <= 1'b0; end
        if (arvalid && r_arready) begin dr = 1'b1; arvalid <= 1'b0; end
      end
    end
  endtask
  // One write on the DUT alone with the given strobes; BRESP must be `resp`.
  integer strb_reqs = 0;
  always @(posedge clk) if (!cmp_on && n_req) strb_reqs = strb_reqs + 1;
  task strb_write;
    input [AW-1:0] wa;
    input [31:0] wd;
    input [3:0] ws;
    input [1:0] resp;
    reg da, dw;
    begin
      awvalid <= 1'b1; awaddr <= wa; wvalid <= 1'b1; wdata <= wd; wstrb <= ws; bready <= 1'b1;
      da = 1'b0; dw = 1'b0;
      while (!(da && dw && n_bvalid)) begin
        @(posedge clk);
        if (awvalid && n_awready) begin da = 1'b1; awvalid <= 1'b0; end
        if (wvalid && n_wready) begin dw = 1'b1; wvalid <= 1'b0; end
        #1;
      end
      if (n_bresp !== resp) begin
        $display("tb_zn_axil_regs: write of %h to %h with WSTRB %h answered BRESP %b, expected %b", wd, wa, ws, n_bresp, resp);
        errors = errors + 1;
      end
      @(posedge clk);
      wstrb <= 4'hF;
    end
  endtask
  task expect_word;
    input [AW-1:0] ra;
    input [31:0] want;
    reg dr;
    begin
      arvalid <= 1'b1; araddr <= ra; rready <= 1'b1;
      dr = 1'b0;
      while (!(dr && n_rvalid)) begin
        @(posedge clk);
        if (arvalid && n_arready) begin dr = 1'b1; arvalid <= 1'b0; end
        #1;
      end
      if (n_rdata !== want) begin
        $display("tb_zn_axil_regs: %h reads %h after partial-strobe writes, expected %h", ra, n_rdata, want);
        errors = errors + 1;
      end
      @(posedge clk);
    end
  endtask
  task rd_word;
    input [AW-1:0] ra;
    reg dr, drr;
    begin
      arvalid <= 1'b1; araddr <= ra; rready <= 1'b1;
      dr = 1'b0; drr = 1'b0;
      while (!drr) begin
        @(posedge clk);
        if (dr && r_rvalid) drr = 1'b1;
        if (arvalid && r_arready) begin dr = 1'b1; arvalid <= 1'b0; end
      end
    end
  endtask
  // Every word of the global window and of every layer block (and of one block past them),
  // upwards and downwards in turn (a LO read latches its HI: both orders matter).
  reg sweep_down = 1'b0;
  task sweep;
    integer k;
    begin
      for (k = 0; k < 32; k = k + 1) rd_word(4 * (sweep_down ? 31 - k : k));
      for (k = 0; k < 8 * (L + 1); k = k + 1) rd_word(12'h100 + 4 * (sweep_down ? 8 * (L + 1) - 1 - k : k));
      sweep_down = !sweep_down;
    end
  endtask
  // The parameter-bus responder of the directed part: dmode 0 answers the cycle after p_req,
  // 1 never answers (timeout), 2 answers with p_err.
  reg [1:0] dmode;
  always @(posedge clk) begin
    if (directed) begin
      p_ack <= 1'b0;
      p_err <= 1'b0;
      if (r_req && dmode != 2'd1) begin
        p_ack   <= 1'b1;
        p_err   <= (dmode == 2'd2);
        p_rdata <= $random(seed);
        p_next  <= $random(seed);
      end
    end
  end

  initial begin
    seed = SEED;
    dmode = 2'd0;
    errors = 0; reads = 0; writes = 0; preqs = 0; touts = 0; hi_nonzero = 0; bad_sel = 0; layer_reads = 0; acks = 0;
    ack_at = -1;
    awaddr = {AW{1'b0}}; araddr = {AW{1'b0}}; wdata = 32'd0;
    repeat (3) @(posedge clk);
    aresetn <= 1'b1;
    for (cyc = 0; cyc < CYCLES; cyc = cyc + 1) begin
      @(posedge clk);
      // Coverage (values before this edge's updates).
      if (r_rvalid && rready) begin
        reads = reads + 1;
        if (ref.ar_addr >= 12'h100) layer_reads = layer_reads + 1;
        if ((ref.ar_addr == 12'h02C || ref.ar_addr == 12'h034 || ref.ar_addr == 12'h03C) && r_rdata != 32'd0)
          hi_nonzero = hi_nonzero + 1;
      end
      if (r_bvalid && bready) writes = writes + 1;
      if (r_req) preqs = preqs + 1;
      if (ref.pstate != 2'd0 && ref.ptimer == 4'd15 && !p_ack) touts = touts + 1;
      if (ref.pstate != 2'd0 && p_ack) acks = acks + 1;
      if (ref.write_go && ref.w_param && !ref.sel_valid) bad_sel = bad_sel + 1;
      // Reset now and then.
      r = rnd(0);
      aresetn <= !(r[11:0] == 12'd7 || (!aresetn && r[13:12] != 2'd0));
      // AXI master.
      r = rnd(0);
      if (!awvalid || r_awready) begin
        awvalid <= (r[3:0] < 4'd6);
        awaddr  <= pick_addr(1);
      end
      if (!wvalid || r_wready) begin
        wvalid <= (r[7:4] < 4'd6);
        wdata  <= pick_data(0);
      end
      if (!arvalid || r_arready) begin
        arvalid <= (r[11:8] < 4'd8);
        araddr  <= pick_addr(0);
      end
      bready <= (r[15:12] < 4'd10);
      rready <= (r[19:16] < 4'd10);
      awprot <= r[22:20];
      arprot <= r[25:23];
      wstrb  <= 4'hF;       // partial strobes: directed below (the reference models predate SLVERR)
      // Datapath events.
      r = rnd(0);
      ev_first_in  <= (r[2:0] == 3'd0);
      ev_image_in  <= (r[5:3] == 3'd0);
      ev_image_out <= (r[8:6] == 3'd0);
      ev_err_input <= (r[15:9] == 7'd0);
      ev_stall     <= r[16];
      ev_starve    <= r[17];
      // Parameter bus: answer a request after 0..3 cycles, sometimes 9..24 (past the timeout);
      // now and then a stray answer.
      r = rnd(0);
      p_ack   <= 1'b0;
      p_rdata <= rnd(0);
      p_next  <= rnd(0);
      p_err   <= r[20] & r[21];
      if (r_req) ack_at = cyc + ((r[3:0] < 4'd12) ? (r[5:4]) : (9 + r[9:6]));
      if (cyc == ack_at || r[19:10] == 10'd5) begin
        p_ack <= 1'b1;
        if (cyc == ack_at) ack_at = -1;
      end
      // Counters near their 32-bit carries, in both models alike.
      r = rnd(0);
      if (r[6:0] == 7'd3) begin
        @(negedge clk);
        r = rnd(0);
        preset_counters(r);
      end
    end
    // Directed: a datapath event in the cycle after a SOFT_RESET pulse (the datapath's
    // registered reset is active then) must not count: IN_FLIGHT stays 0, BUSY low.
    @(posedge clk);
    aresetn <= 1'b1; awvalid <= 1'b0; wvalid <= 1'b0; arvalid <= 1'b0; bready <= 1'b1; rready <= 1'b1;
    ev_first_in <= 1'b0; ev_image_in <= 1'b0; ev_image_out <= 1'b0; ev_err_input <= 1'b0;
    repeat (40) @(posedge clk);
    directed = 1'b1;
    // Complete a half-latched write (AW without W or W without AW) with an unmapped address or
    // zero data, so the writes below are not paired with it.
    while (ref.aw_full != ref.w_full) begin
      awvalid <= !ref.aw_full; awaddr <= 12'h0FC;
      wvalid  <= !ref.w_full;  wdata  <= 32'd0;
      @(posedge clk);
      awvalid <= 1'b0; wvalid <= 1'b0;
      repeat (20) @(posedge clk);
    end
    for (ev_kind = 0; ev_kind < 3; ev_kind = ev_kind + 1) begin
      awvalid <= 1'b1; awaddr <= RA_CONTROL;
      wvalid  <= 1'b1; wdata  <= 32'd1 << RB_CONTROL_SOFT_RESET;
      // One write: handshakes sampled at the negedge, VALID dropped at the next edge.
      #1;
      while (awvalid || wvalid) begin
        @(negedge clk);
        aw_hs = awvalid && n_awready;
        w_hs  = wvalid && n_wready;
        @(posedge clk);
        if (aw_hs) awvalid <= 1'b0;
        if (w_hs)  wvalid  <= 1'b0;
        #1;
      end
      @(negedge clk);
      while (!n_soft) @(negedge clk);
      @(posedge clk);
      ev_first_in  <= (ev_kind == 0);
      ev_image_out <= (ev_kind == 1);
      ev_err_input <= (ev_kind == 2);
      @(posedge clk);
      ev_first_in <= 1'b0; ev_image_out <= 1'b0; ev_err_input <= 1'b0;
      repeat (3) @(posedge clk);
      @(negedge clk);
      if (dut.in_flight !== 32'd0 || n_busy !== 1'b0 || dut.err_input !== 1'b0) begin
        errors = errors + 1;
        $display("tb_zn_axil_regs: event %0d in the cycle after SOFT_RESET counted: IN_FLIGHT %h BUSY %b ERR_INPUT %b",
                 ev_kind, dut.in_flight, n_busy, dut.err_input);
      end
    end
    // Directed, part 2: reads of every register after resets and each kind of write.
    dir_writes = 0;
    aresetn <= 1'b0;
    @(posedge clk);
    aresetn <= 1'b1;
    @(posedge clk);
    sweep;                                                                  // reset values
    for (dk = 0; dk < 6 + 3 * L; dk = dk + 1) begin
      r = rnd(0);
      case (dk)
        0: begin da_addr = RA_CONTROL;           da_data = {r[31:3], 1'b0, r[1], 1'b0}; end   // START, no pulses
        1: begin da_addr = RA_STATUS;            da_data = r; end
        2: begin da_addr = RA_OUT_PACKET_IMAGES; da_data = r; end
        3: begin da_addr = RA_PARAM_SEL;         da_data = {r[31:17], r[16], 16'd0} | (r[15:8] % L); end
        4: begin da_addr = RA_PARAM_ADDR;        da_data = r; end
        5: begin da_addr = RA_PARAM_SEL;         da_data = {15'd0, r[16], 16'd0} | (L + r[3:0]); end   // invalid layer
        default: begin
          da_addr = RA_LAYER_BASE + 32 * ((dk - 6) / 3) + ((dk - 6) % 3 == 0 ? RA_L_CFG : (dk - 6) % 3 == 1 ? RA_L_ZERO : RA_L_CLAMP);
          da_data = r;
        end
      endcase
      wr_rd(da_addr, da_data, da_addr, 1'b1);                               // read back in the next cycle
      wr_rd(da_addr, ~da_data, RA_PARAM_ADDR, 1'b1);
      sweep;
      dir_writes = dir_writes + 1;
    end
    // The parameter window: answers, timeouts, p_err, invalid PARAM_SEL; PARAM_ADDR read right after.
    for (dk = 0; dk < 12; dk = dk + 1) begin
      r = rnd(0);
      dmode = (dk % 3 == 0) ? 2'd1 : (dk % 3 == 1) ? 2'd0 : 2'd2;
      wr_rd(RA_PARAM_SEL, {15'd0, r[16], 16'd0} | ((dk >= 9) ? L : (r[15:8] % L)), 0, 1'b0);
      if (dk % 2 == 0) wr_rd(RA_PARAM_ADDR, r, 0, 1'b0);
      if (dk % 4 < 2) wr_rd(RA_PARAM_DATA, ~r, RA_PARAM_ADDR, 1'b1);
      else begin
        rd_word(RA_PARAM_DATA);
        rd_word(RA_PARAM_ADDR);
      end
      rd_word(RA_PARAM_DATA);
      wr_rd(RA_PARAM_DATA, r, RA_PARAM_DATA, 1'b1);
      sweep;
    end
    dmode = 2'd0;
    // Counters near their carries: LO then HI reads, SOFT_RESET and CLEAR_COUNTERS in between.
    for (dk = 0; dk < 8; dk = dk + 1) begin
      r = rnd(0);
      @(negedge clk);
      preset_counters(r);
      ev_stall <= 1'b1; ev_starve <= 1'b1; ev_image_in <= 1'b1; ev_first_in <= r[25]; ev_image_out <= r[26];
      repeat (2 + r[30:28]) @(posedge clk);
      rd_word(RA_STARVE_CYCLES_LO);
      rd_word(RA_STARVE_CYCLES_HI);
      rd_word(RA_BUSY_CYCLES_LO);
      rd_word(RA_STALL_CYCLES_LO);
      rd_word(RA_STALL_CYCLES_HI);
      rd_word(RA_BUSY_CYCLES_HI);
      ev_stall <= 1'b0; ev_starve <= 1'b0; ev_image_in <= 1'b0; ev_first_in <= 1'b0; ev_image_out <= 1'b0;
      if (dk % 2 == 0) wr_rd(RA_CONTROL, 32'd1 << ((dk % 4 == 0) ? RB_CONTROL_SOFT_RESET : RB_CONTROL_CLEAR_COUNTERS),
                             RA_STARVE_CYCLES_HI, 1'b1);
      rd_word(RA_STARVE_CYCLES_HI);
      rd_word(RA_STALL_CYCLES_HI);
      rd_word(RA_BUSY_CYCLES_HI);
      sweep;
    end
    // Writes to every RW register, then a reset: every word reads its reset value again.
    for (dk = 0; dk < 2; dk = dk + 1) begin
      wr_rd(RA_OUT_PACKET_IMAGES, rnd(0), 0, 1'b0);
      wr_rd(RA_CONTROL, 32'd2, 0, 1'b0);
      wr_rd(RA_PARAM_SEL, 32'd0, 0, 1'b0);
      wr_rd(RA_PARAM_ADDR, rnd(0), 0, 1'b0);
      for (di = 0; di < L; di = di + 1) begin
        wr_rd(RA_LAYER_BASE + 32 * di + RA_L_CFG, rnd(0), 0, 1'b0);
        wr_rd(RA_LAYER_BASE + 32 * di + RA_L_ZERO, rnd(0), 0, 1'b0);
        wr_rd(RA_LAYER_BASE + 32 * di + RA_L_CLAMP, rnd(0), 0, 1'b0);
      end
      rd_word(RA_STARVE_CYCLES_LO);
      aresetn <= 1'b0;
      repeat (1 + dk) @(posedge clk);
      aresetn <= 1'b1;
      @(posedge clk);
      sweep;
    end
    // WSTRB other than 4'hF: SLVERR, and nothing written (no register, no parameter-bus
    // request). Checked on the DUT alone; a reset resynchronises the reference models.
    cmp_on = 1'b0;
    strb_write(RA_OUT_PACKET_IMAGES, 32'h0000_0005, 4'hF, 2'b00);
    strb_write(RA_PARAM_SEL, 32'd0, 4'hF, 2'b00);
    strb_write(RA_PARAM_ADDR, 32'h0000_0010, 4'hF, 2'b00);
    for (dk = 0; dk < 5; dk = dk + 1) begin
      strb_write(RA_OUT_PACKET_IMAGES, 32'h0000_0077, (dk == 0) ? 4'h0 : (dk == 1) ? 4'h1 : (dk == 2) ? 4'h7 : (dk == 3) ? 4'hE : 4'hB, 2'b10);
      strb_write(RA_PARAM_DATA, 32'h1234_5678, (dk == 0) ? 4'h3 : 4'h8, 2'b10);
      expect_word(RA_OUT_PACKET_IMAGES, 32'h0000_0005);
      expect_word(RA_PARAM_ADDR, 32'h0000_0010);
    end
    if (strb_reqs != 0) begin
      $display("tb_zn_axil_regs: a PARAM_DATA write with WSTRB != 4'hF made %0d parameter-bus requests", strb_reqs);
      errors = errors + 1;
    end
    strb_write(RA_OUT_PACKET_IMAGES, 32'h0000_0009, 4'hF, 2'b00);
    expect_word(RA_OUT_PACKET_IMAGES, 32'h0000_0009);
    aresetn <= 1'b0;
    @(posedge clk);
    aresetn <= 1'b1;
    @(posedge clk);
    @(negedge clk);
    cmp_on = 1'b1;
    sweep;
    // FLAGS against the parameters directly (not only against the reference models).
    rd_word(RA_FLAGS);
    repeat (2) @(posedge clk);
    if (last_rdata !== {29'd0, SEQUENTIAL != 0, 1'b0, 1'b1}) begin
      $display("FLAGS reads %h, expected SEQUENTIAL %0d, OUTPUT_SIGNED 0, INPUT_SIGNED 1", last_rdata, SEQUENTIAL);
      errors = errors + 1;
    end
    $display("tb_zn_axil_regs: directed writes %0d", dir_writes);
    $display("tb_zn_axil_regs: reads %0d (layer %0d) writes %0d requests %0d answers %0d timeouts %0d bad-sel %0d hi %0d",
             reads, layer_reads, writes, preqs, acks, touts, bad_sel, hi_nonzero);
    if (errors != 0) $display("RESULT FAIL %0d mismatches", errors);
    else if (reads < CYCLES / 20 || writes < CYCLES / 20 || preqs < 20 || touts < 2 || bad_sel < 2 || hi_nonzero < 2 || layer_reads < 20)
      $display("RESULT FAIL coverage too low");
    else $display("RESULT PASS");
    $finish;
  end

  // Compare every output just before each rising edge (not during the WSTRB phase).
  always @(negedge clk) begin
    if (cmp_on) if ({n_awready, n_wready, n_bvalid, n_bresp, n_arready, n_rvalid, n_rdata, n_rresp} !==
        {r_awready, r_wready, r_bvalid, r_bresp, r_arready, r_rvalid, r_rdata, r_rresp} ||
        {n_soft, n_start, n_clear, n_packet, n_busy, n_round, n_zero, n_clamp, n_req} !==
        {r_soft, r_start, r_clear, r_packet, r_busy, r_round, r_zero, r_clamp, r_req} ||
        ((r_req || ref.pstate != 2'd0) && {n_we, n_layer, n_kind, n_addr} !== {r_we, r_layer, r_kind, r_addr}) ||
        ((r_req || ref.pstate != 2'd0) && r_we && n_wd !== r_wd) ||
        {n_awready, n_wready, n_bvalid, n_bresp, n_arready, n_rvalid, n_rdata, n_rresp, n_soft, n_start, n_clear, n_packet,
         n_busy, n_round, n_zero, n_clamp, n_req, n_we, n_layer, n_kind, n_addr, n_wd} !==
        {l_awready, l_wready, l_bvalid, l_bresp, l_arready, l_rvalid, l_rdata, l_rresp, l_soft, l_start, l_clear, l_packet,
         l_busy, l_round, l_zero, l_clamp, l_req, l_we, l_layer, l_kind, l_addr, l_wd}) begin
      errors = errors + 1;
      if (errors <= 5)
        $display("tb_zn_axil_regs: mismatch at %0t: AXI %b/%b rdata %h/%h ctl %b%b%b/%b%b%b pkt %h/%h busy %b/%b req %b/%b we %b/%b sel %h.%b/%h.%b addr %h/%h wd %h/%h cfg %h/%h",
                 $time, {n_awready, n_wready, n_bvalid, n_arready, n_rvalid}, {r_awready, r_wready, r_bvalid, r_arready, r_rvalid},
                 n_rdata, r_rdata, n_soft, n_start, n_clear, r_soft, r_start, r_clear, n_packet, r_packet, n_busy, r_busy,
                 n_req, r_req, n_we, r_we, n_layer, n_kind, r_layer, r_kind, n_addr, r_addr, n_wd, r_wd,
                 {n_round, n_zero, n_clamp}, {r_round, r_zero, r_clamp});
    end
  end
endmodule
