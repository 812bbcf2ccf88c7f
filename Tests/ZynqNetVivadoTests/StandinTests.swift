import Foundation
import Testing
@testable import ZynqNetVivado

/// The generated scripts, run by real tclsh under the Vivado stand-in (fpga/tcl/vivado_standin.tcl).
@Suite struct StandinTests {
    @Test(arguments: ["pynq-z2", "zybo-z7-20"])
    func buildRunsThroughAndMatchesTheManifest(board: String) throws {
        let dir = try generateProject(board: board)
        let (r, rep) = try runStandin(dir)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(rep)
        let m = try Manifest.load(file: dir + "/manifest.json")
        #expect(differences(report, m) == [])
        #expect(report.board_part == m.boardPart && report.board_preset == 1)
        #expect(report.projects == ["zynqnet_ip", "zynqnet"])
        #expect(FileManager.default.fileExists(atPath: dir + "/ip_repo/src/zynqnet_accel.v"))
        #expect(!r.stdout.contains("WARNING"))
    }

    @Test func otherFclkWidthAndAddressWidth() throws {
        var d = fixtureDesign(axilAddrWidth: 16)
        d.iiCycles = nil
        d.latencyCycles = nil
        // The fixture's s_axil address ports follow its AW parameter (default 12); use a copy with AW = 16.
        let dir = try generateProject(board: "zybo-z7-20", fclk: 142.857143, lengthWidth: 23, design: d)
        let v = try readText(dir + "/rtl/zynqnet_accel.v").replacingOccurrences(of: "parameter AW = 12", with: "parameter AW = 16")
        try writeText(v, dir + "/rtl/zynqnet_accel.v")
        let (r, rep) = try runStandin(dir)
        #expect(r.status == 0, "\(r.stderr)")
        let m = try Manifest.load(file: dir + "/manifest.json")
        #expect(m.accelerator.range.value == 65536)
        #expect(differences(try #require(rep), m) == [])
        #expect(r.stdout.contains("FCLK0 requested 142.857143 MHz"))
    }

    @Test func missingBoardFilesFallBackToPartAndExplicitPS7Settings() throws {
        let dir = try generateProject(board: "pynq-z2")
        let (r, rep) = try runStandin(dir, extra: ["-board-parts", ""])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(rep)
        #expect(report.board_part == "" && report.board_preset == 0)
        #expect(r.stdout.contains("no board files for tul.com.tw:pynq-z2:part0:1.0"))
        // The board data's settings were applied (values from fpga/boards/pynq-z2.json).
        #expect(report.cells["ps7"]?.config["PCW_CRYSTAL_PERIPHERAL_FREQMHZ"] == "50")
        #expect(report.cells["ps7"]?.config["PCW_UIPARAM_DDR_BUS_WIDTH"] == "16 Bit")
        let m = try Manifest.load(file: dir + "/manifest.json")
        #expect(differences(report, m) == [])
    }

    @Test func olderBoardFileVersionIsFoundByPattern() throws {
        let dir = try generateProject(board: "zybo-z7-20")
        let (r, rep) = try runStandin(dir, extra: ["-board-parts", "digilentinc.com:zybo-z7-20:part0:1.0 digilentinc.com:zybo-z7-20:part0:1.1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rep?.board_part == "digilentinc.com:zybo-z7-20:part0:1.1")
        #expect(r.stdout.contains("not installed, using digilentinc.com:zybo-z7-20:part0:1.1"))
    }

    @Test func failedImplementationFailsTheScript() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-run-result", "fail"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("run impl_1 did not complete: PROGRESS 0%"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/zynqnet.bit"))
    }

    @Test func vivadoVersionOutsideTheTargetRangeWarns() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-version", "2019.1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("written for Vivado 2022.2 .. 2025.2, running 2019.1"))
        let (r2, _) = try runStandin(dir, extra: ["-version", "2025.2"])
        #expect(!r2.stdout.contains("written for Vivado"))
    }

    @Test func packageScriptAloneProducesTheCore() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, script: "package_ip.tcl")
        #expect(r.status == 0, "\(r.stderr)")
        let core = try readText(dir + "/ip_repo/component.standin")
        #expect(core.contains("zynqnet.dev:zynqnet:zynqnet_accel:1.0"))
        #expect(core.contains("segment {s_axil reg0 4096}"))
    }
}
