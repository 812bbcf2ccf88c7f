import ZynqNetTestSupport
import Testing
import ZynqNetHW

/// The committed derived files must equal what RegisterMap generates
/// (regenerate: `ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles`).
@Suite struct GeneratedFiles {
    @Test func registerMapDocIsCurrent() throws {
        #expect(try checkGenerated("docs/register-map.md", RegisterMap.markdown()),
                "docs/register-map.md is stale: run ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles")
    }

    @Test func verilogHeaderIsCurrent() throws {
        #expect(try checkGenerated("fpga/rtl/zn_regmap.vh", RegisterMap.verilogHeader()),
                "fpga/rtl/zn_regmap.vh is stale: run ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles")
    }
}

extension GeneratedFiles {
    @Test func embeddedFilesAreCurrent() throws {
        #expect(try checkGenerated("Sources/ZynqNetCodegen/EmbeddedRTL.swift", embeddedFilesSource()),
                "Sources/ZynqNetCodegen/EmbeddedRTL.swift is stale: run ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles")
    }
}
