// The C ABI between zynqnet (Swift) and the rtlsim device: a Verilator model of the generated
// zynqnet_accel plus the data movers of an AXI DMA, compiled into a shared library
// (fpga/sim/rtlsim/rtlsim.cpp) and loaded with dlopen. The library exports one symbol,
// `zn_rtl_get_api`, which fills a table of function pointers. The AXI DMA's register
// semantics stay in Swift (ZynqNetRuntime's AxiDmaModel); this side runs clock cycles.
//
// Everything here is plain C (fixed-width types only) so Swift imports it directly.
#ifndef ZN_RTLSIM_H
#define ZN_RTLSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bumped on every incompatible change of the table or the structs below.
#define ZN_RTL_ABI 2

typedef struct zn_rtl zn_rtl;

typedef struct {
    /// Beats of one input image, ceil(INPUT_COUNT / 8), and of one output image, 1 + ceil(C / 8).
    uint32_t in_beats_per_image;
    uint32_t out_beats_per_image;
    /// Percent (0…95) of cycles in which MM2S holds back TVALID although it has data.
    uint32_t gap_percent;
    /// Percent (0…95) of cycles in which an armed S2MM holds back TREADY.
    uint32_t stall_percent;
    /// 1: AXI-Lite masters with random AW/W order, random delays and random BREADY/RREADY.
    uint32_t axil_random;
    /// The clock period in picoseconds (waveform time; 10000 at 100 MHz).
    uint32_t clock_period_ps;
    /// Seed of the stream and AXI-Lite randomness and of Verilator's random initial state.
    uint64_t seed;
    /// The most cycles one `advance` call runs before it returns anyway.
    uint64_t advance_budget;
} zn_rtl_config;

enum { ZN_RTL_MM2S = 0, ZN_RTL_S2MM = 1 };

/// Why `advance` returned.
enum {
    ZN_RTL_STOP_NOTHING = 0,    /// no channel active: nothing can move
    ZN_RTL_STOP_EVENT = 1,      /// a channel finished (MM2S sent its last byte, S2MM saw TLAST or overflowed)
    ZN_RTL_STOP_QUIESCENT = 2,  /// MM2S is not active and every image that went in has come out
    ZN_RTL_STOP_BUDGET = 3,     /// `advance_budget` cycles ran without any of the above
    ZN_RTL_STOP_ERROR = 4       /// a protocol violation (see `error`)
};

typedef struct {
    uint64_t cycle;
    /// Bytes MM2S has handed over (its current transfer) and bytes S2MM has written.
    uint64_t mm2s_bytes;
    uint64_t s2mm_bytes;
    uint32_t mm2s_active;
    uint32_t mm2s_done;
    uint32_t s2mm_active;
    /// S2MM received TLAST (the transfer is complete) / a beat arrived with no room left.
    uint32_t s2mm_last;
    uint32_t s2mm_overflow;
    uint32_t stop_reason;
} zn_rtl_progress;

typedef struct {
    /// Clock cycles since creation or the last `clear_stats`.
    uint64_t cycles;
    /// Of those, cycles in which a DMA channel was active (the batches' hardware time).
    uint64_t stream_cycles;
    uint64_t in_beats;
    uint64_t out_beats;
    uint64_t images_in;
    uint64_t images_out;
    /// First input beat to last output beat of an image, inclusive: fewest and most cycles.
    uint64_t latency_min;
    uint64_t latency_max;
    /// Cycles between the last output beats of consecutive images of one S2MM transfer, counted
    /// only where the later image was already inside (steady state): median, minimum, samples.
    uint64_t ii_median;
    uint64_t ii_min;
    uint64_t ii_samples;
    /// Wall time spent running cycles (ns).
    uint64_t sim_nanoseconds;
    /// AXI-Lite transactions.
    uint64_t axil_writes;
    uint64_t axil_reads;
} zn_rtl_stats;

typedef struct {
    uint32_t abi;
    /// 1 if the library was built with FST tracing (`trace_open` works).
    uint32_t trace_support;
    /// A new simulation, not yet reset (call `reset`; open a trace before it to see the reset).
    zn_rtl *(*create)(const zn_rtl_config *config);
    void (*destroy)(zn_rtl *sim);
    /// aresetn = 0 for `cycles` cycles (at least 2), then 4 cycles out of reset.
    void (*reset)(zn_rtl *sim, uint32_t cycles);
    /// Starts an FST waveform: 0 ok, -1 not built with tracing, -2 already tracing, -3 cannot write.
    int (*trace_open)(zn_rtl *sim, const char *path);
    void (*trace_close)(zn_rtl *sim);
    /// One AXI-Lite write / read (cycles run meanwhile, streams included). 0 ok, -1 error (see `error`).
    int (*axil_write)(zn_rtl *sim, uint32_t address, uint32_t value);
    int (*axil_read)(zn_rtl *sim, uint32_t address, uint32_t *value);
    /// Starts a channel on `memory` (MM2S: `length` bytes sent, TLAST on the last beat;
    /// S2MM: room for `length` bytes). Replaces a transfer in progress.
    void (*start)(zn_rtl *sim, int channel, void *memory, uint64_t length);
    /// Stops a channel at once (DMA reset, error, RS cleared).
    void (*stop)(zn_rtl *sim, int channel);
    /// Runs cycles until an event, quiescence, an error or the budget; then reports.
    void (*advance)(zn_rtl *sim, zn_rtl_progress *out);
    /// Reports without running.
    void (*progress)(zn_rtl *sim, zn_rtl_progress *out);
    /// Around a write of CONTROL.SOFT_RESET: `begin` before it (a stalled m_axis beat may now
    /// vanish), `end` after it (runs 8 cycles, forgets the images inside).
    void (*datapath_reset_begin)(zn_rtl *sim);
    void (*datapath_reset_end)(zn_rtl *sim);
    /// Runs `cycles` cycles (streams as they are).
    void (*run)(zn_rtl *sim, uint64_t cycles);
    void (*set_streams)(zn_rtl *sim, uint32_t gap_percent, uint32_t stall_percent, uint32_t axil_random);
    void (*stats)(zn_rtl *sim, zn_rtl_stats *out);
    void (*clear_stats)(zn_rtl *sim);
    /// The first protocol violation or AXI-Lite failure seen, or NULL.
    const char *(*error)(zn_rtl *sim);
} zn_rtl_api;

/// What the shared library exports.
typedef void (*zn_rtl_get_api_fn)(zn_rtl_api *api);

/// Loads a library built from rtlsim.cpp (dlopen RTLD_NOW | RTLD_LOCAL; it stays loaded) and
/// fills `api`. 0 on success; otherwise writes a message to `error` (at most `error_size` bytes).
int zn_rtlsim_load(const char *path, zn_rtl_api *api, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
