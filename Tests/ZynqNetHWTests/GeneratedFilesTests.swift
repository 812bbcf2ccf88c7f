import ZynqNetTestSupport
import Testing
import ZynqNetHW

/// The two files RegisterMap generates that people and Vivado read stay committed; they must equal
/// what it generates now. Everything else derived from the repository is built in at build time
/// (Plugins/EmbedFiles) and never committed.
@Suite struct GeneratedFiles {
    @Test func registerMapFilesAreCurrent() throws {
        for (path, text) in [("fpga/rtl/zn_regmap.vh", RegisterMap.verilogHeader()), ("docs/register-map.md", RegisterMap.markdown())] {
            #expect(try checkGenerated(path, text),
                    "\(path) is stale: rewrite both files with ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles")
        }
    }
}
