import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim

/// The stream monitor catches an RTL that breaks AXI4-Stream, and the batch ends at once with
/// that as the error (not a DMA timeout, not wrong results).
@Suite struct MonitorTests {
    @Test(.tags(.verilator)) func anOutputRegisterThatOverwritesAStalledBeatIsReported() throws {
        let model = ShapeA.model(seed: 31)
        var design = try generateDesign(model: model, options: ShapeA.codegen())
        // The planted bug: the output register reloads even while m_axis is stalled.
        let path = "rtl/zn_axis_out.v"
        let good = try #require(design.files[path])
        let bad = good.replacingOccurrences(of: "wire          load = !m_tvalid || m_tready;", with: "wire          load = 1'b1;")
        try #require(bad != good, "the mutation no longer applies to zn_axis_out.v")
        design.files[path] = bad
        let board = try RTLSimBoard(design: design, options: RTLSimOptions(build: quickBuild(), policy: RTLStreamPolicy(stallPercent: 50)))
        let driver = try board.driver(images: 16, interrupt: .never)
        try driver.load(model: model, modelName: "m")
        let inner = AcceleratorBackend(name: "rtlsim", driver: driver, model: model, batchSize: 16, fclkMHz: 100, loopback: board.device)
        var g = SplitMix64(seed: 1)
        let codes = try randomCodes(model, count: 16, rng: &g)
        let t0 = Date()
        do throws(ZynqError) {
            _ = try board.accelerator.explainingFailures { () throws(ZynqError) in try inner.run(codes: codes, count: 16) }
            Issue.record("the broken RTL passed")
        } catch {
            let e = error
            #expect(e.key == "rtlsim")
            #expect(e.message.hasPrefix("m_axis: a stalled beat changed its TDATA or TLAST") ||
                    e.message.hasPrefix("m_axis: TVALID dropped before the beat was taken"), "\(e)")
        }
        #expect(Date().timeIntervalSince(t0) < 30, "the batch ended on the error, not on a timeout")
        #expect(board.accelerator.failure != nil)
    }
}
