// Verilator co-simulation harness of the generated zynqnet_accel (used by `zynqnet verify`).
//
// Reads a job file (argv[1]), drives the design and writes a result file (argv[2]).
// Job file, one item a line, numbers in hex unless noted:
//   seed <dec> gap <dec%> stall <dec%> packet <dec> timing <dec> tlast_error <dec image or -1>
//   write <offset> <value>                     AXI-Lite writes, in order (the parameter image)
//   readback <param_sel> <count(dec)>          followed by <count> expected words, one a line
//   beats <dec beats per image> images <dec>   followed by images*beats input beats
// Result file:
//   magic/version/hash lines, readback_mismatches, images, then per output image:
//   out <beats...>   and a line "tlast <0|1>" for the last beat's TLAST,
//   then metrics: cycles, ii_cycles, latency_cycles, sim_seconds, status, counters.
// Streams: random TVALID gaps (gap %) and TREADY stalls (stall %) from `seed`, except for the
// timing phase, which re-sends the first `timing` images with no gaps and no stalls and measures
// the latency of the first of them (from its first input beat to its last output beat) and the
// steady-state initiation interval between output images.
#include "Vzynqnet_accel.h"
#include "verilated.h"
#include "zn_regmap.h"  // generated from the register map beside this file
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

static_assert(ZN_BEAT_BYTES == sizeof(uint64_t), "the streams' beats are 64-bit words here");

namespace {

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
    uint64_t next() {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    bool percent(int p) { return (int)(next() % 100) < p; }
};

struct Beat {
    uint64_t data;
    bool last;
    long image;       // image index (stream order)
    bool first;       // first beat of its image
};

struct Sim {
    Vzynqnet_accel* top;
    uint64_t cycle = 0;
    Rng rng;
    int gap = 30, stall = 30;
    bool random_streams = true;
    // Input stream state.
    std::deque<Beat> in_q;
    bool in_valid = false;
    Beat in_cur{};
    // Output.
    std::vector<uint64_t> out_beats;
    std::vector<bool> out_last;
    std::vector<uint64_t> out_beat_cycle;
    std::vector<std::pair<long, uint64_t>> first_in_cycle;  // image, cycle of first beat handshake
    bool protocol_error = false;
    std::string protocol_msg;
    bool m_prev_stalled = false;
    uint64_t m_prev_data = 0;
    bool m_prev_last = false;
    uint64_t reset_done = ~0ull;

    explicit Sim(uint64_t seed) : rng(seed) {
        top = new Vzynqnet_accel;
        top->aclk = 0;
        top->aresetn = 0;
        idle_axil();
        top->s_axis_tvalid = 0;
        top->s_axis_tdata = 0;
        top->s_axis_tkeep = ZN_BEAT_KEEP;
        top->s_axis_tlast = 0;
        top->m_axis_tready = 0;
        top->eval();
    }

    void idle_axil() {
        top->s_axil_awvalid = 0;
        top->s_axil_wvalid = 0;
        top->s_axil_bready = 0;
        top->s_axil_arvalid = 0;
        top->s_axil_rready = 0;
        top->s_axil_awprot = 0;
        top->s_axil_arprot = 0;
        top->s_axil_wstrb = 0xF;
    }

    // One clock cycle. Inputs must be set; returns after the rising edge.
    // The stream drivers run here: they set their signals before the edge and see the handshakes at it.
    void tick() {
        // Stream input driver: present a beat if none is pending.
        if (!in_valid && !in_q.empty() && (!random_streams || !rng.percent(gap))) {
            in_cur = in_q.front();
            in_q.pop_front();
            in_valid = true;
        }
        top->s_axis_tvalid = in_valid;
        top->s_axis_tdata = in_valid ? in_cur.data : 0xDEADBEEFDEADBEEFull;
        top->s_axis_tlast = in_valid && in_cur.last;
        top->s_axis_tkeep = ZN_BEAT_KEEP;
        top->m_axis_tready = random_streams ? !rng.percent(stall) : 1;
        top->aclk = 0;
        top->eval();
        // Sample the handshakes of this edge.
        // Before and during reset the outputs are not yet defined (real FFs start at 0): ignore them.
        bool live = top->aresetn && cycle >= reset_done;
        bool in_fire = live && top->s_axis_tvalid && top->s_axis_tready;
        bool out_fire = live && top->m_axis_tvalid && top->m_axis_tready;
        if (m_prev_stalled && (!top->m_axis_tvalid || top->m_axis_tdata != m_prev_data || (bool)top->m_axis_tlast != m_prev_last)) {
            protocol_error = true;
            protocol_msg = "m_axis: a stalled beat was dropped or changed at cycle " + std::to_string(cycle);
        }
        if (top->m_axis_tvalid && top->m_axis_tkeep != ZN_BEAT_KEEP) {
            protocol_error = true;
            protocol_msg = "m_axis: TKEEP is not all ones";
        }
        m_prev_stalled = live && top->m_axis_tvalid && !top->m_axis_tready;
        m_prev_data = top->m_axis_tdata;
        m_prev_last = top->m_axis_tlast;
        if (out_fire) {
            out_beats.push_back(top->m_axis_tdata);
            out_last.push_back(top->m_axis_tlast);
            out_beat_cycle.push_back(cycle);
        }
        top->aclk = 1;
        top->eval();
        if (in_fire) {
            if (in_cur.first) first_in_cycle.push_back({in_cur.image, cycle});
            in_valid = false;
        }
        cycle++;
    }

    void reset() {
        top->aresetn = 0;
        for (int i = 0; i < 16; i++) tick();
        top->aresetn = 1;
        reset_done = cycle;
        for (int i = 0; i < 4; i++) tick();
    }

    int rdelay() { return random_streams ? (int)(rng.next() % 3) : 0; }

    // AXI-Lite write: AW and W in random order and delays; B with a random delay.
    void write(uint32_t addr, uint32_t data) {
        int daw = rdelay(), dw = rdelay();
        bool aw_done = false, w_done = false, b_done = false;
        for (int guard = 0; !b_done; guard++) {
            if (guard > 1000) { protocol_error = true; protocol_msg = "AXI-Lite write timed out"; return; }
            top->s_axil_awvalid = !aw_done && daw <= 0;
            top->s_axil_awaddr = addr;
            top->s_axil_wvalid = !w_done && dw <= 0;
            top->s_axil_wdata = data;
            top->s_axil_bready = aw_done && w_done && !rng.percent(30);
            top->aclk = 0;
            top->eval();
            bool awf = top->s_axil_awvalid && top->s_axil_awready;
            bool wf = top->s_axil_wvalid && top->s_axil_wready;
            if (top->s_axil_bvalid && !(aw_done && w_done)) {
                protocol_error = true;
                protocol_msg = "AXI-Lite: BVALID before both AW and W handshakes";
            }
            bool bf = top->s_axil_bvalid && top->s_axil_bready;
            if (bf && top->s_axil_bresp != 0) { protocol_error = true; protocol_msg = "AXI-Lite: BRESP not OKAY"; }
            tick_axil_only();
            aw_done |= awf;
            w_done |= wf;
            b_done |= bf;
            daw--;
            dw--;
        }
        idle_axil();
    }

    uint32_t read(uint32_t addr) {
        int dar = rdelay();
        bool ar_done = false;
        uint32_t value = 0;
        for (int guard = 0;; guard++) {
            if (guard > 1000) { protocol_error = true; protocol_msg = "AXI-Lite read timed out"; return 0; }
            top->s_axil_arvalid = !ar_done && dar <= 0;
            top->s_axil_araddr = addr;
            top->s_axil_rready = ar_done && !rng.percent(30);
            top->aclk = 0;
            top->eval();
            bool arf = top->s_axil_arvalid && top->s_axil_arready;
            if (top->s_axil_rvalid && !ar_done) { protocol_error = true; protocol_msg = "AXI-Lite: RVALID before AR"; }
            bool rf = top->s_axil_rvalid && top->s_axil_rready;
            if (rf) value = top->s_axil_rdata;
            if (rf && top->s_axil_rresp != 0) { protocol_error = true; protocol_msg = "AXI-Lite: RRESP not OKAY"; }
            tick_axil_only();
            ar_done |= arf;
            dar--;
            if (rf) break;
        }
        idle_axil();
        return value;
    }

    // A cycle while only AXI-Lite signals move (streams idle).
    void tick_axil_only() {
        top->s_axis_tvalid = 0;
        top->m_axis_tready = 0;
        top->aclk = 0;
        top->eval();
        top->aclk = 1;
        top->eval();
        cycle++;
    }
};

bool read_words(FILE* f, std::vector<std::string>& words) {
    char buf[256];
    while (fscanf(f, "%255s", buf) == 1) words.emplace_back(buf);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    if (argc < 3) {
        fprintf(stderr, "usage: %s JOB RESULT\n", argv[0]);
        return 2;
    }
    FILE* jf = fopen(argv[1], "r");
    if (!jf) { fprintf(stderr, "cannot open %s\n", argv[1]); return 2; }
    std::vector<std::string> w;
    read_words(jf, w);
    fclose(jf);
    size_t p = 0;
    auto next = [&]() -> std::string { return p < w.size() ? w[p++] : std::string(); };
    auto hex = [&]() -> uint64_t { return strtoull(next().c_str(), nullptr, 16); };
    auto dec = [&]() -> long { return strtol(next().c_str(), nullptr, 10); };

    uint64_t seed = 1;
    int gap = 30, stall = 30, timing = 4;
    long packet = 1, tlast_error = -1;
    std::vector<std::pair<uint32_t, uint32_t>> writes;
    struct RB { uint32_t sel; std::vector<uint32_t> words; };
    std::vector<RB> readbacks;
    std::vector<uint32_t> reads;   // registers read after the writes: "register ADDR VALUE"
    long beats_per_image = 0, images = 0;
    std::vector<uint64_t> beats;
    while (p < w.size()) {
        std::string k = next();
        if (k == "seed") seed = dec();
        else if (k == "gap") gap = dec();
        else if (k == "stall") stall = dec();
        else if (k == "packet") packet = dec();
        else if (k == "timing") timing = dec();
        else if (k == "tlast_error") tlast_error = dec();
        else if (k == "write") { uint32_t a = hex(); uint32_t v = hex(); writes.push_back({a, v}); }
        else if (k == "read") reads.push_back((uint32_t)hex());
        else if (k == "readback") {
            RB rb; rb.sel = hex(); long n = dec();
            for (long i = 0; i < n; i++) rb.words.push_back(hex());
            readbacks.push_back(rb);
        } else if (k == "beats") {
            beats_per_image = dec();
            if (next() != "images") { fprintf(stderr, "job: expected 'images'\n"); return 2; }
            images = dec();
            for (long i = 0; i < beats_per_image * images; i++) beats.push_back(hex());
        } else { fprintf(stderr, "job: unknown item '%s'\n", k.c_str()); return 2; }
    }

    Sim sim(seed);
    sim.gap = gap;
    sim.stall = stall;
    auto t0 = std::chrono::steady_clock::now();
    sim.reset();
    FILE* rf = fopen(argv[2], "w");
    if (!rf) { fprintf(stderr, "cannot write %s\n", argv[2]); return 2; }
    fprintf(rf, "magic %08x\n", sim.read(ZN_REG_MAGIC));
    fprintf(rf, "version %08x\n", sim.read(ZN_REG_VERSION));
    uint32_t hlo = sim.read(ZN_REG_TOPOLOGY_HASH_LO), hhi = sim.read(ZN_REG_TOPOLOGY_HASH_HI);
    fprintf(rf, "hash %08x%08x\n", hhi, hlo);
    for (auto& wr : writes) sim.write(wr.first, wr.second);
    long mism = 0;
    for (auto& rb : readbacks) {
        sim.write(ZN_REG_PARAM_SEL, rb.sel);
        for (size_t i = 0; i < rb.words.size(); i++) {
            uint32_t got = sim.read(ZN_REG_PARAM_DATA);
            if (got != rb.words[i]) {
                if (mism < 10) fprintf(rf, "readback_mismatch sel %x word %zu got %08x expected %08x\n", rb.sel, i, got, rb.words[i]);
                mism++;
            }
        }
    }
    fprintf(rf, "readback_mismatches %ld\n", mism);
    for (uint32_t a : reads) fprintf(rf, "register %x %08x\n", a, sim.read(a));
    sim.write(ZN_REG_OUT_PACKET_IMAGES, (uint32_t)packet);
    sim.write(ZN_REG_CONTROL, ZN_CONTROL_START_MASK);

    // Phase 1: every image under random gaps and stalls.
    long total_images = images + (images > 0 ? std::min<long>(timing, images) : 0);
    long out_per_image = 0;
    uint64_t design_ii = 0;  // II_CYCLES: the cycle guards allow for slow (deeply folded) designs
    {
        uint32_t classes = sim.read(ZN_REG_OUTPUT_COUNT);
        out_per_image = 1 + (classes + ZN_OR_VALUES_PER_BEAT - 1) / ZN_OR_VALUES_PER_BEAT;
        design_ii = sim.read(ZN_REG_II_CYCLES);
    }
    for (long i = 0; i < images; i++)
        for (long b = 0; b < beats_per_image; b++) {
            bool last = b == beats_per_image - 1;
            if (i == tlast_error && b == 0 && beats_per_image > 1) last = true;  // early TLAST
            sim.in_q.push_back({beats[i * beats_per_image + b], last, i, b == 0});
        }
    sim.random_streams = true;
    uint64_t guard = sim.cycle + 200000 + (uint64_t)images * ((beats_per_image + out_per_image) * 200 + 4 * design_ii);
    while ((long)sim.out_beats.size() < images * out_per_image && sim.cycle < guard && !sim.protocol_error) sim.tick();
    // Phase 2: timing, no gaps, no stalls.
    long ti = std::min<long>(timing, images);
    size_t out_before = sim.out_beats.size();
    size_t first_before = sim.first_in_cycle.size();
    for (int i = 0; i < 64; i++) sim.tick();  // drain, idle
    sim.random_streams = false;
    for (long i = 0; i < ti; i++)
        for (long b = 0; b < beats_per_image; b++)
            sim.in_q.push_back({beats[i * beats_per_image + b], b == beats_per_image - 1, images + i, b == 0});
    guard = sim.cycle + 200000 + (uint64_t)ti * ((beats_per_image + out_per_image) * 200 + 4 * design_ii);
    while ((long)sim.out_beats.size() < total_images * out_per_image && sim.cycle < guard && !sim.protocol_error) sim.tick();
    for (int i = 0; i < 16; i++) sim.tick();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    long got_images = (long)sim.out_beats.size() / out_per_image;
    fprintf(rf, "images %ld\n", got_images);
    for (long i = 0; i < got_images; i++) {
        fprintf(rf, "out");
        for (long b = 0; b < out_per_image; b++) fprintf(rf, " %016" PRIx64, sim.out_beats[i * out_per_image + b]);
        fprintf(rf, "\n");
        long lb = i * out_per_image + out_per_image - 1;
        bool any_inner_last = false;
        for (long b = 0; b < out_per_image - 1; b++) any_inner_last |= sim.out_last[i * out_per_image + b];
        fprintf(rf, "tlast %d%s\n", (int)sim.out_last[lb], any_inner_last ? " inner" : "");
    }
    // Timing metrics.
    long latency = -1, ii = -1;
    if (ti > 0 && sim.out_beats.size() >= out_before + (size_t)(ti * out_per_image) && sim.first_in_cycle.size() > first_before) {
        uint64_t first_in = sim.first_in_cycle[first_before].second;
        uint64_t last_out = sim.out_beat_cycle[out_before + out_per_image - 1];
        latency = (long)(last_out - first_in + 1);
        if (ti >= 3) {
            // Steady state: between the ends of the second and the last timing images.
            uint64_t a = sim.out_beat_cycle[out_before + 2 * out_per_image - 1];
            uint64_t b = sim.out_beat_cycle[out_before + ti * out_per_image - 1];
            ii = (long)((b - a) / (uint64_t)(ti - 2));
        }
    }
    uint32_t status = sim.read(ZN_REG_STATUS);
    fprintf(rf, "status %08x\n", status);
    fprintf(rf, "images_in %u\n", sim.read(ZN_REG_IMAGES_IN));
    fprintf(rf, "images_out %u\n", sim.read(ZN_REG_IMAGES_OUT));
    fprintf(rf, "in_flight %u\n", sim.read(ZN_REG_IN_FLIGHT));
    fprintf(rf, "latency_cycles %ld\n", latency);
    fprintf(rf, "ii_cycles %ld\n", ii);
    fprintf(rf, "cycles %" PRIu64 "\n", sim.cycle);
    fprintf(rf, "sim_seconds %.6f\n", secs);
    fprintf(rf, "protocol %s\n", sim.protocol_error ? sim.protocol_msg.c_str() : "ok");
    fclose(rf);
    sim.top->final();
    delete sim.top;
    return 0;
}
