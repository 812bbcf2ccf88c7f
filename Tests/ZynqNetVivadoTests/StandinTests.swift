import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetHW
@testable import ZynqNetVivado

/// The generated scripts, run by real tclsh under the Vivado stand-in (fpga/tcl/vivado_standin.tcl).
@Suite struct StandinTests {
    @Test(.tags(.tclsh), arguments: ["pynq-z2", "zybo-z7-20"])
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

    @Test(.tags(.tclsh)) func otherFclkWidthAndAddressWidth() throws {
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

    @Test(.tags(.tclsh)) func missingBoardFilesFallBackToPartAndExplicitPS7Settings() throws {
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

    @Test(.tags(.tclsh)) func olderBoardFileVersionIsFoundByPattern() throws {
        let dir = try generateProject(board: "zybo-z7-20")
        let (r, rep) = try runStandin(dir, extra: ["-board-parts", "digilentinc.com:zybo-z7-20:part0:1.0 digilentinc.com:zybo-z7-20:part0:1.1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rep?.board_part == "digilentinc.com:zybo-z7-20:part0:1.1")
        #expect(r.stdout.contains("not installed, using digilentinc.com:zybo-z7-20:part0:1.1"))
    }

    @Test(.tags(.tclsh)) func failedImplementationFailsTheScript() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-run-result", "fail"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("run impl_1 did not complete: PROGRESS 0%"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/zynqnet.bit"))
    }

    @Test(.tags(.tclsh)) func vivadoVersionOutsideTheTargetRangeWarns() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-version", "2019.1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("written for Vivado 2022.2 .. 2025.2, running 2019.1"))
        let (r2, _) = try runStandin(dir, extra: ["-version", "2025.2"])
        #expect(!r2.stdout.contains("written for Vivado"))
    }

    @Test(.tags(.tclsh)) func packageScriptAloneProducesTheCore() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, script: "package_ip.tcl")
        #expect(r.status == 0, "\(r.stderr)")
        let core = try readText(dir + "/ip_repo/component.standin")
        #expect(core.contains("zynqnet.dev:zynqnet:zynqnet_accel:1.0"))
        #expect(core.contains("segment {s_axil reg0 4096}"))
    }
}

/// FREQ_HZ, timing and XSA rules of issue 16 (item 5), under the stand-in.
@Suite struct FirstContactStandinTests {
    @Test(.tags(.tclsh)) func vivadoComputesFCLKInSinglePrecision() throws {
        // 142.857 MHz: the PS7 reports 142.857132 (FREQ_HZ 142857132), not 142.857143.
        let dir = try generateProject(fclk: 142.857)
        let (r, _) = try runStandin(dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("FCLK0 requested 142.857 MHz, PS7 reports 142.857132 MHz"))
        let (r2, _) = try runStandin(try generateProject(fclk: 166.667))
        #expect(r2.stdout.contains("PS7 reports 166.666672 MHz"))
        // An RTL FREQ_HZ equal to Vivado's value passes; the codegen-style rounded one does not.
        let v = try readText(dir + "/rtl/zynqnet_accel.v")
        let attr = "    (* X_INTERFACE_PARAMETER = \"XIL_INTERFACENAME m_axis, FREQ_HZ %@\" *)\n    output wire [63:0]   m_axis_tdata,"
        let find = "    output wire [63:0]   m_axis_tdata,"
        #expect(v.contains(find))
        try writeText(v.replacingOccurrences(of: find, with: attr.replacingOccurrences(of: "%@", with: "142857132")), dir + "/rtl/zynqnet_accel.v")
        #expect(try runStandin(dir).0.status == 0)
        try writeText(v.replacingOccurrences(of: find, with: attr.replacingOccurrences(of: "%@", with: "142857143")), dir + "/rtl/zynqnet_accel.v")
        let (bad, _) = try runStandin(dir)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("[BD 41-237] Bus Interface property FREQ_HZ does not match between /acc/m_axis (142857143) and /ps7/FCLK_CLK0 (142857132)"))
    }

    @Test(.tags(.tclsh)) func timingIsReportedCheckedAndRecorded() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-wns", "0.512", "-whs", "0.031"])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["timing_summary.rpt", "utilization.rpt", "zynqnet.bit"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f)") }
        let m = try Manifest.load(file: dir + "/manifest.json")
        // 10 ns period - 0.512 ns WNS = 9.488 ns: 105.396 MHz.
        #expect(m.timing == Manifest.Timing(wnsNS: 0.512, whsNS: 0.031, fclkMHz: 100, fclkAchievedMHz: 105.396, met: true, allowedFailure: false))
        #expect(r.stdout.contains("zynqnet: timing WNS 0.512 ns, WHS 0.031 ns at FCLK0 100.000000 MHz (the routed design reaches 105.4 MHz)"))
        // A second run replaces the record.
        #expect(try runStandin(dir, extra: ["-wns", "0.100"]).0.status == 0)
        #expect(try Manifest.load(file: dir + "/manifest.json").timing?.wnsNS == 0.1)
        #expect(try readText(dir + "/manifest.json").components(separatedBy: "\"timing\"").count == 2)
    }

    @Test(.tags(.tclsh)) func failedTimingStopsTheBuildUnlessAllowed() throws {
        let dir = try generateProject()
        let (r, _) = try runStandin(dir, extra: ["-wns", "-0.412"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("timing failed: WNS -0.412 ns, WHS 0.050 ns at FCLK0 100.000000 MHz"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/zynqnet.bit"))
        #expect(try Manifest.load(file: dir + "/manifest.json").timing?.met == false)
        // codegen --allow-timing-failure: the build finishes, loudly, and records the failure.
        let allowed = try makeTemporaryDirectory("vivado-allow").path
        try FileManager.default.createDirectory(atPath: allowed + "/rtl", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixturesDir + "/zynqnet_accel.v", toPath: allowed + "/rtl/zynqnet_accel.v")
        try VivadoProject.write(design: fixtureDesign(), board: try Board.load(file: repoPath("fpga/boards/pynq-z2.json")),
                                fclkMHz: 100, dmaLengthWidth: 26, allowTimingFailure: true, to: allowed)
        let (a, _) = try runStandin(allowed, extra: ["-wns", "-0.412"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("WARNING: zynqnet build.tcl: TIMING FAILED (WNS -0.412 ns, WHS 0.050 ns) and was allowed"))
        let t = try #require(try Manifest.load(file: allowed + "/manifest.json").timing)
        #expect(t.met == false && t.allowedFailure == true && t.wnsNS == -0.412)
    }

    @Test(.tags(.tclsh)) func xsaNeedsTheBoardFiles() throws {
        let dir = try generateProject()
        var (r, _) = try runStandin(dir, extra: ["-env", "ZYNQNET_WRITE_XSA=1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/zynqnet.xsa"))
        try FileManager.default.removeItem(atPath: dir + "/zynqnet.xsa")
        (r, _) = try runStandin(dir, extra: ["-board-parts", "", "-env", "ZYNQNET_WRITE_XSA=1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("not writing \(dir)/zynqnet.xsa: without the board files for tul.com.tw:pynq-z2:part0:1.0"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/zynqnet.xsa"))
        (r, _) = try runStandin(dir, extra: ["-board-parts", "", "-env", "ZYNQNET_WRITE_XSA=1", "-env", "ZYNQNET_FORCE_XSA=1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("WARNING: zynqnet build.tcl: writing an XSA WITHOUT the board files (ZYNQNET_FORCE_XSA=1):"))
    }
}
