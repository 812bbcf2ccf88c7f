// rtlsim: the Verilator model of the generated zynqnet_accel with the data movers of an AXI DMA,
// as a shared library for `zynqnet infer --backend rtlsim` (C ABI: zn_rtlsim.h).
//
// The Swift side keeps the AXI DMA's registers (ZynqNetRuntime's AxiDmaModel) and starts the
// movers here: MM2S reads its memory and drives s_axis (TLAST on the transfer's last beat,
// random TVALID gaps), S2MM drives m_axis_tready (random stalls) and writes the beats to its
// memory until TLAST. Accelerator register accesses become AXI4-Lite transactions. Every call
// runs many clock cycles in C++; the clock also runs (streams included) during AXI-Lite
// transactions, as on the board.
//
// One cycle: inputs set, aclk = 0 and eval (combinational settle), handshakes sampled,
// aclk = 1 and eval (registers update). Protocol checks: a stalled m_axis beat must hold its
// TDATA/TLAST, TKEEP must be all ones, AXI-Lite responses must be OKAY and ordered.
#include "Vzynqnet_accel.h"
#include "verilated.h"
#include "zn_rtlsim.h"
#include "zn_regmap.h"  // generated from the register map beside this file
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <string>

static_assert(ZN_BEAT_BYTES == sizeof(uint64_t), "the streams' beats are 64-bit words here");

#define ZN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    inline uint64_t next() {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // true with probability p/100
    inline bool percent(uint32_t p) { return p != 0 && (uint32_t)(next() % 100) < p; }
};

struct Channel {
    uint8_t* mem = nullptr;
    uint64_t length = 0;  // MM2S: bytes to send; S2MM: room
    uint64_t pos = 0;
    bool active = false;
    bool done = false;      // MM2S: last byte handed over; S2MM: TLAST received
    bool overflow = false;  // S2MM only
};

}  // namespace

struct zn_rtl {
    VerilatedContext* ctx = nullptr;
    Vzynqnet_accel* top = nullptr;
#if VM_TRACE
    VerilatedFstC* trace = nullptr;
#endif
    zn_rtl_config cfg{};
    Rng rng{1};
    uint64_t cycle = 0;
    uint64_t period = 10000;  // ps

    Channel mm2s, s2mm;
    // The beat MM2S presents (held until accepted).
    bool in_valid = false;
    uint64_t in_data = 0;
    uint8_t in_keep = 0;
    bool in_last = false;
    uint64_t in_next = 0;  // bytes of mm2s consumed into beats so far

    // Stream bookkeeping.
    uint64_t in_beats = 0, out_beats = 0;      // since the last reset (of either kind)
    uint64_t stat_in_beats = 0, stat_out_beats = 0;
    std::deque<uint64_t> first_in;  // cycle of each image's first input beat, images inside
    uint64_t prev_end = 0;
    bool have_prev_end = false;

    // m_axis monitor (off while a datapath reset may drop a stalled beat).
    bool monitor = true;
    bool m_stalled = false;
    uint64_t m_data = 0;
    bool m_last = false;

    // Statistics.
    uint64_t stat_cycle0 = 0;
    uint64_t stream_cycles = 0;
    uint64_t images_in = 0, images_out = 0;
    uint64_t lat_min = 0, lat_max = 0;
    std::map<uint64_t, uint64_t> ii_hist;
    uint64_t ii_samples = 0;
    uint64_t sim_ns = 0;
    uint64_t axil_writes = 0, axil_reads = 0;

    std::string err;

    // Sampled in low(), applied in high().
    bool in_fire = false, out_fire = false;
    uint64_t out_data = 0;
    bool out_last = false;

    void fail(const std::string& m) {
        if (err.empty()) err = m + " (cycle " + std::to_string(cycle) + ")";
    }

    void dump(uint64_t t) {
#if VM_TRACE
        if (trace) trace->dump(t);
#else
        (void)t;
#endif
    }

    // Loads the next beat of the MM2S transfer.
    inline void load_beat() {
        uint64_t rem = mm2s.length - in_next;
        uint64_t d = 0;
        if (rem >= ZN_BEAT_BYTES) {
            std::memcpy(&d, mm2s.mem + in_next, ZN_BEAT_BYTES);  // little-endian host (x86-64, ARM)
            in_keep = ZN_BEAT_KEEP;
            in_next += ZN_BEAT_BYTES;
        } else {
            for (uint64_t i = 0; i < rem; i++) d |= (uint64_t)mm2s.mem[in_next + i] << (8 * i);
            in_keep = (uint8_t)((1u << rem) - 1);
            in_next += rem;
        }
        in_data = d;
        in_last = in_next == mm2s.length;
        in_valid = true;
    }

    // First half of a cycle: stream inputs, aclk = 0, eval, sample the stream handshakes.
    inline void low() {
        if (mm2s.active && !in_valid && in_next < mm2s.length && !rng.percent(cfg.gap_percent)) load_beat();
        Vzynqnet_accel* t = top;
        t->s_axis_tvalid = in_valid;
        t->s_axis_tdata = in_data;
        t->s_axis_tkeep = in_keep;
        t->s_axis_tlast = in_last;
        bool room = s2mm.active && s2mm.pos + ZN_BEAT_BYTES <= s2mm.length;
        bool ready = room && !rng.percent(cfg.stall_percent);
        t->m_axis_tready = ready;
        t->aclk = 0;
        t->eval();
        dump(cycle * period);
        in_fire = in_valid && t->s_axis_tready;
        bool mv = t->m_axis_tvalid;
        out_fire = mv && ready;
        if (mv) {
            out_data = t->m_axis_tdata;
            out_last = t->m_axis_tlast;
            if (m_stalled && (out_data != m_data || out_last != m_last))
                fail("m_axis: a stalled beat changed its TDATA or TLAST");
            if (t->m_axis_tkeep != ZN_BEAT_KEEP) fail("m_axis: TKEEP is not all ones");
            if (s2mm.active && !room) {
                // The S2MM buffer is shorter than the packet: the DMA stops with DMAIntErr.
                s2mm.overflow = true;
                s2mm.active = false;
            }
        } else if (m_stalled) {
            fail("m_axis: TVALID dropped before the beat was taken");
        }
        m_stalled = monitor && mv && !ready;
        m_data = out_data;
        m_last = mv && out_last;
    }

    // Second half: aclk = 1, eval, apply the handshakes.
    inline void high() {
        top->aclk = 1;
        top->eval();
        dump(cycle * period + period / 2);
        if (mm2s.active || s2mm.active) stream_cycles++;
        if (in_fire) {
            if (in_beats % cfg.in_beats_per_image == 0) first_in.push_back(cycle);
            in_beats++;
            stat_in_beats++;
            if (in_beats % cfg.in_beats_per_image == 0) images_in++;
            in_valid = false;
            mm2s.pos = in_next;
            if (in_next == mm2s.length) {
                mm2s.done = true;
                mm2s.active = false;
            }
        }
        if (out_fire) {
            std::memcpy(s2mm.mem + s2mm.pos, &out_data, ZN_BEAT_BYTES);
            s2mm.pos += ZN_BEAT_BYTES;
            out_beats++;
            stat_out_beats++;
            if (out_beats % cfg.out_beats_per_image == 0) image_out();
            if (out_last) {
                s2mm.done = true;
                s2mm.active = false;
            }
        }
        cycle++;
    }

    void image_out() {
        images_out++;
        if (!first_in.empty()) {
            uint64_t f = first_in.front();
            first_in.pop_front();
            uint64_t lat = cycle - f + 1;
            if (lat_min == 0 || lat < lat_min) lat_min = lat;
            if (lat > lat_max) lat_max = lat;
            // Steady state: this image was inside before the previous one left.
            if (have_prev_end && f < prev_end) {
                ii_hist[cycle - prev_end]++;
                ii_samples++;
            }
        }
        prev_end = cycle;
        have_prev_end = true;
    }

    inline void tick() {
        low();
        high();
    }

    void set_axil_idle() {
        top->s_axil_awvalid = 0;
        top->s_axil_wvalid = 0;
        top->s_axil_bready = 0;
        top->s_axil_arvalid = 0;
        top->s_axil_rready = 0;
        top->s_axil_awprot = 0;
        top->s_axil_arprot = 0;
        top->s_axil_wstrb = 0xF;
    }

    int delay() { return cfg.axil_random ? (int)(rng.next() % 3) : 0; }

    int axil_write(uint32_t addr, uint32_t data) {
        axil_writes++;
        int daw = delay(), dw = delay();
        bool aw = false, w = false, b = false;
        for (int guard = 0; !b; guard++) {
            if (guard > 2000) {
                fail("AXI-Lite write to " + hex(addr) + " got no response");
                set_axil_idle();
                return -1;
            }
            top->s_axil_awvalid = !aw && daw <= 0;
            top->s_axil_awaddr = addr;
            top->s_axil_wvalid = !w && dw <= 0;
            top->s_axil_wdata = data;
            top->s_axil_wstrb = 0xF;
            top->s_axil_bready = aw && w && !(cfg.axil_random && rng.percent(30));
            low();
            bool awf = top->s_axil_awvalid && top->s_axil_awready;
            bool wf = top->s_axil_wvalid && top->s_axil_wready;
            bool bv = top->s_axil_bvalid;
            if (bv && !(aw && w)) fail("AXI-Lite: BVALID before both the AW and W handshakes");
            bool bf = bv && top->s_axil_bready;
            if (bf && top->s_axil_bresp != 0) fail("AXI-Lite: BRESP is not OKAY for " + hex(addr));
            high();
            aw |= awf;
            w |= wf;
            b |= bf;
            daw--;
            dw--;
        }
        set_axil_idle();
        return err.empty() ? 0 : -1;
    }

    int axil_read(uint32_t addr, uint32_t* value) {
        axil_reads++;
        int dar = delay();
        bool ar = false;
        for (int guard = 0;; guard++) {
            if (guard > 2000) {
                fail("AXI-Lite read of " + hex(addr) + " got no response");
                set_axil_idle();
                *value = 0;
                return -1;
            }
            top->s_axil_arvalid = !ar && dar <= 0;
            top->s_axil_araddr = addr;
            top->s_axil_rready = ar && !(cfg.axil_random && rng.percent(30));
            low();
            bool arf = top->s_axil_arvalid && top->s_axil_arready;
            bool rv = top->s_axil_rvalid;
            if (rv && !ar) fail("AXI-Lite: RVALID before the AR handshake");
            bool rf = rv && top->s_axil_rready;
            if (rf) {
                *value = top->s_axil_rdata;
                if (top->s_axil_rresp != 0) fail("AXI-Lite: RRESP is not OKAY for " + hex(addr));
            }
            high();
            ar |= arf;
            dar--;
            if (rf) break;
        }
        set_axil_idle();
        return err.empty() ? 0 : -1;
    }

    static std::string hex(uint32_t v) {
        char b[16];
        snprintf(b, sizeof b, "0x%03X", v);
        return b;
    }

    // MM2S finished (or never started) and every image that went in came out.
    bool quiescent() const { return !mm2s.active && first_in.empty(); }

    void report(zn_rtl_progress* p, uint32_t reason) const {
        p->cycle = cycle;
        p->mm2s_bytes = mm2s.pos;
        p->s2mm_bytes = s2mm.pos;
        p->mm2s_active = mm2s.active;
        p->mm2s_done = mm2s.done;
        p->s2mm_active = s2mm.active;
        p->s2mm_last = s2mm.done;
        p->s2mm_overflow = s2mm.overflow;
        p->stop_reason = reason;
    }

    void advance(zn_rtl_progress* p) {
        if (!err.empty()) return report(p, ZN_RTL_STOP_ERROR);
        if (!mm2s.active && !s2mm.active) return report(p, ZN_RTL_STOP_NOTHING);
        if (!mm2s.active && quiescent()) return report(p, ZN_RTL_STOP_QUIESCENT);
        bool watch_mm2s = mm2s.active, watch_s2mm = s2mm.active;
        uint64_t end = cycle + cfg.advance_budget;
        uint32_t reason = ZN_RTL_STOP_BUDGET;
        // Check the stop conditions every cycle; they are a few loads and compares.
        while (cycle < end) {
            tick();
            if ((watch_mm2s && !mm2s.active) || (watch_s2mm && !s2mm.active)) {
                reason = ZN_RTL_STOP_EVENT;
                break;
            }
            if (!err.empty()) {
                reason = ZN_RTL_STOP_ERROR;
                break;
            }
            if (!mm2s.active && !s2mm.active) {
                reason = ZN_RTL_STOP_NOTHING;
                break;
            }
            if (!watch_mm2s && first_in.empty()) {
                reason = ZN_RTL_STOP_QUIESCENT;
                break;
            }
        }
        report(p, reason);
    }
};

namespace {

uint64_t now_ns() {
    return (uint64_t)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Timer {
    zn_rtl* s;
    uint64_t t0;
    explicit Timer(zn_rtl* sim) : s(sim), t0(now_ns()) {}
    ~Timer() { s->sim_ns += now_ns() - t0; }
};

zn_rtl* rtl_create(const zn_rtl_config* config) {
    zn_rtl* s = new zn_rtl;
    s->cfg = *config;
    if (s->cfg.in_beats_per_image == 0) s->cfg.in_beats_per_image = 1;
    if (s->cfg.out_beats_per_image == 0) s->cfg.out_beats_per_image = 1;
    if (s->cfg.gap_percent > 95) s->cfg.gap_percent = 95;
    if (s->cfg.stall_percent > 95) s->cfg.stall_percent = 95;
    s->period = s->cfg.clock_period_ps >= 2 ? s->cfg.clock_period_ps : 10000;
    if (s->cfg.advance_budget == 0) s->cfg.advance_budget = 1000000;
    s->rng = Rng(config->seed ^ (uint64_t)ZN_MAGIC);
    s->ctx = new VerilatedContext;
    // Random initial register values (the RTL must not depend on them), from the seed.
    s->ctx->randReset(2);
    s->ctx->randSeed((int)(config->seed % 1000000007ull) + 1);
#if VM_TRACE
    s->ctx->traceEverOn(true);
#endif
    s->top = new Vzynqnet_accel{s->ctx, "zynqnet_accel"};
    Vzynqnet_accel* t = s->top;
    t->aclk = 0;
    t->aresetn = 0;
    t->s_axis_tvalid = 0;
    t->s_axis_tdata = 0;
    t->s_axis_tkeep = 0;
    t->s_axis_tlast = 0;
    t->m_axis_tready = 0;
    s->set_axil_idle();
    t->s_axil_awaddr = 0;
    t->s_axil_araddr = 0;
    t->s_axil_wdata = 0;
    t->eval();
    return s;
}

void rtl_reset(zn_rtl* s, uint32_t cycles) {
    Timer tm(s);
    // Outputs before and during reset are undefined: the monitor is off meanwhile.
    s->monitor = false;
    s->top->aresetn = 0;
    for (uint32_t i = 0; i < (cycles < 2 ? 2 : cycles); i++) s->tick();
    s->top->aresetn = 1;
    for (int i = 0; i < 4; i++) s->tick();
    s->m_stalled = false;
    s->monitor = true;
    s->in_beats = s->out_beats = 0;
    s->first_in.clear();
    s->have_prev_end = false;
}

void rtl_destroy(zn_rtl* s) {
    if (!s) return;
#if VM_TRACE
    if (s->trace) {
        s->trace->close();
        delete s->trace;
    }
#endif
    s->top->final();
    delete s->top;
    delete s->ctx;
    delete s;
}

int rtl_trace_open(zn_rtl* s, const char* path) {
#if VM_TRACE
    if (s->trace) return -2;
    s->trace = new VerilatedFstC;
    s->top->trace(s->trace, 99);
    s->trace->open(path);
    if (!s->trace->isOpen()) {
        delete s->trace;
        s->trace = nullptr;
        return -3;
    }
    return 0;
#else
    (void)s;
    (void)path;
    return -1;
#endif
}

void rtl_trace_close(zn_rtl* s) {
#if VM_TRACE
    if (s->trace) {
        s->trace->close();
        delete s->trace;
        s->trace = nullptr;
    }
#else
    (void)s;
#endif
}

int rtl_axil_write(zn_rtl* s, uint32_t a, uint32_t v) {
    Timer tm(s);
    return s->axil_write(a, v);
}

int rtl_axil_read(zn_rtl* s, uint32_t a, uint32_t* v) {
    Timer tm(s);
    return s->axil_read(a, v);
}

void rtl_start(zn_rtl* s, int ch, void* mem, uint64_t length) {
    Channel& c = ch == ZN_RTL_MM2S ? s->mm2s : s->s2mm;
    c = Channel();
    c.mem = (uint8_t*)mem;
    c.length = length;
    c.active = length > 0;
    if (ch == ZN_RTL_MM2S) {
        s->in_valid = false;
        s->in_next = 0;
    } else {
        s->have_prev_end = false;  // II samples stay within one transfer
    }
}

void rtl_stop(zn_rtl* s, int ch) {
    Channel& c = ch == ZN_RTL_MM2S ? s->mm2s : s->s2mm;
    c.active = false;
    if (ch == ZN_RTL_MM2S) s->in_valid = false;
}

void rtl_advance(zn_rtl* s, zn_rtl_progress* p) {
    Timer tm(s);
    s->advance(p);
}

void rtl_progress(zn_rtl* s, zn_rtl_progress* p) { s->report(p, ZN_RTL_STOP_NOTHING); }

void rtl_datapath_reset_begin(zn_rtl* s) {
    s->monitor = false;
    s->m_stalled = false;
}

void rtl_datapath_reset_end(zn_rtl* s) {
    {
        Timer tm(s);
        for (int i = 0; i < 8; i++) s->tick();
    }
    s->in_beats = 0;
    s->out_beats = 0;
    s->first_in.clear();
    s->have_prev_end = false;
    s->monitor = true;
}

void rtl_run(zn_rtl* s, uint64_t n) {
    Timer tm(s);
    for (uint64_t i = 0; i < n; i++) s->tick();
}

void rtl_set_streams(zn_rtl* s, uint32_t gap, uint32_t stall, uint32_t axil_random) {
    s->cfg.gap_percent = gap > 95 ? 95 : gap;
    s->cfg.stall_percent = stall > 95 ? 95 : stall;
    s->cfg.axil_random = axil_random;
}

void rtl_stats(zn_rtl* s, zn_rtl_stats* o) {
    std::memset(o, 0, sizeof *o);
    o->cycles = s->cycle - s->stat_cycle0;
    o->stream_cycles = s->stream_cycles;
    o->in_beats = s->stat_in_beats;
    o->out_beats = s->stat_out_beats;
    o->images_in = s->images_in;
    o->images_out = s->images_out;
    o->latency_min = s->lat_min;
    o->latency_max = s->lat_max;
    o->ii_samples = s->ii_samples;
    if (!s->ii_hist.empty()) {
        o->ii_min = s->ii_hist.begin()->first;
        uint64_t half = (s->ii_samples + 1) / 2, seen = 0;
        for (auto& kv : s->ii_hist) {
            seen += kv.second;
            if (seen >= half) {
                o->ii_median = kv.first;
                break;
            }
        }
    }
    o->sim_nanoseconds = s->sim_ns;
    o->axil_writes = s->axil_writes;
    o->axil_reads = s->axil_reads;
}

void rtl_clear_stats(zn_rtl* s) {
    s->stat_cycle0 = s->cycle;
    s->stream_cycles = 0;
    s->stat_in_beats = s->stat_out_beats = 0;
    s->images_in = s->images_out = 0;
    s->lat_min = s->lat_max = 0;
    s->ii_hist.clear();
    s->ii_samples = 0;
    s->sim_ns = 0;
    s->axil_writes = s->axil_reads = 0;
}

const char* rtl_error(zn_rtl* s) { return s->err.empty() ? nullptr : s->err.c_str(); }

}  // namespace

ZN_EXPORT void zn_rtl_get_api(zn_rtl_api* api) {
    std::memset(api, 0, sizeof *api);
    api->abi = ZN_RTL_ABI;
    api->trace_support = VM_TRACE ? 1 : 0;
    api->create = rtl_create;
    api->destroy = rtl_destroy;
    api->reset = rtl_reset;
    api->trace_open = rtl_trace_open;
    api->trace_close = rtl_trace_close;
    api->axil_write = rtl_axil_write;
    api->axil_read = rtl_axil_read;
    api->start = rtl_start;
    api->stop = rtl_stop;
    api->advance = rtl_advance;
    api->progress = rtl_progress;
    api->datapath_reset_begin = rtl_datapath_reset_begin;
    api->datapath_reset_end = rtl_datapath_reset_end;
    api->run = rtl_run;
    api->set_streams = rtl_set_streams;
    api->stats = rtl_stats;
    api->clear_stats = rtl_clear_stats;
    api->error = rtl_error;
}
