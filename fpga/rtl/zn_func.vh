// zn_func.vh: elaboration-time (constant) functions shared by the zynqnet RTL library.
// Included inside module bodies. Plain Verilog-2005.

// Greatest common divisor of two positive integers.
function integer zn_gcd;
  input integer a;
  input integer b;
  integer fa, fb, ft;
  begin
    fa = a;
    fb = b;
    while (fb != 0) begin
      ft = fa % fb;
      fa = fb;
      fb = ft;
    end
    zn_gcd = fa;
  end
endfunction

// max(1, ceil(log2(n))): the width of an index into n things (at least one bit).
function integer zn_idxw;
  input integer n;
  integer fw, fp;
  begin
    fw = 1;
    fp = 2;
    while (fp < n) begin
      fw = fw + 1;
      fp = fp * 2;
    end
    zn_idxw = fw;
  end
endfunction

// The fewest bits of a signed number holding every value of [lo, hi] (64-bit bounds).
function integer zn_sbits;
  input reg signed [63:0] lo;
  input reg signed [63:0] hi;
  integer fw;
  reg signed [63:0] lim;
  begin
    fw = 1;
    lim = 64'sd1;  // 2^(fw-1) for fw = 1
    while (!((lo >= -lim) && (hi <= lim - 64'sd1))) begin
      fw = fw + 1;
      lim = lim * 64'sd2;
    end
    zn_sbits = fw;
  end
endfunction

// floor(log2(n)) for n >= 1.
function integer zn_flog2;
  input integer n;
  integer fw, fp;
  begin
    fw = 0;
    fp = 2;
    while (fp <= n) begin
      fw = fw + 1;
      fp = fp * 2;
    end
    zn_flog2 = fw;
  end
endfunction

// Latency (registered levels) of zn_addtree with n leaves, a register every `every` levels.
function integer zn_tree_lat;
  input integer n;
  input integer every;
  integer levels;
  begin
    levels = (n > 1) ? $clog2(n) : 0;
    zn_tree_lat = (levels == 0) ? 1 : (levels + every - 1) / every;
  end
endfunction


// RAMB18s for a d x w simple-dual-port memory: the fewest over the shapes 512 x 36, 1K x 18,
// 2K x 9, 4K x 4, 8K x 2, 16K x 1 (depth tiles times width columns).
function integer zn_ramb18_sdp;
  input integer sdp_d;
  input integer sdp_w;
  integer sdp_i, sdp_td, sdp_tw, sdp_n;
  begin
    zn_ramb18_sdp = 0;
    sdp_td = 512;
    sdp_tw = 36;
    for (sdp_i = 0; sdp_i < 6; sdp_i = sdp_i + 1) begin
      sdp_n = ((sdp_d + sdp_td - 1) / sdp_td) * ((sdp_w + sdp_tw - 1) / sdp_tw);
      if (zn_ramb18_sdp == 0 || sdp_n < zn_ramb18_sdp) zn_ramb18_sdp = sdp_n;
      sdp_td = sdp_td * 2;
      sdp_tw = (sdp_i == 1) ? 9 : (sdp_i == 2) ? 4 : sdp_tw / 2;
    end
  end
endfunction
