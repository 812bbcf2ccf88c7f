import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// The rtlsim build cache of the test suite (kept between runs; keys are content hashes).
let testCache = repoRoot.appendingPathComponent(".build/zynqnet-test/rtlsim")

/// Quick builds (-O1) in the test cache; tests simulate small designs.
func quickBuild(trace: Bool = false) -> RTLSimBuildOptions {
    RTLSimBuildOptions(cacheRoot: testCache, optimize: false, trace: trace)
}

