import Testing
@testable import ZynqNetCodegen
import ZynqNetHW
@testable import zynqnet

/// The curve table's columns at sizes the Fashion CNN's smallest folds reach (7-digit IIs,
/// 8-digit latencies): every column stays apart from its neighbours.
@Suite struct CurveTableTests {
    static func point(ii: Int, latency: Int, lut: Int) -> CurvePoint {
        var e = ResourceEstimate()
        (e.lut, e.ff, e.dsp, e.bram36) = (lut, 2 * lut, 3, 1.5)
        var p = CurvePoint(folds: [LayerFold(pe: 1, simd: 1, lanes: 1)], styles: [.packed], iiCycles: ii, latencyCycles: latency,
                           estimate: e, layerCycles: [ii])
        p.shellEstimate.lut = 100
        return p
    }

    @Test func columnsWidenForSevenDigitIIs() {
        let curve = CurveReport(model: "m.npz", board: "pynq-z2", fclkMHz: 100, budget: .xc7z020Auto,
                                points: [Self.point(ii: 1_234_567, latency: 12_345_678, lut: 1_000), Self.point(ii: 98, latency: 420, lut: 12_345)],
                                synthesized: [1: CurveSynthesis(lut: 12_000, ff: 9, dsp: 3, bram36: 1.5, seconds: 1, lutDatapath: 11_000)],
                                inputBytes: 784)
        let lines = curve.table().split(separator: "\n").map(String.init)
        let header = try! #require(lines.firstIndex { $0.hasPrefix("  #") })
        #expect(lines[header] == "  #        II     images/s    latency     LUT datapath      FF  DSP  BRAM36   LUT%   DSP%  BRAM%"
                + "  yosys LUT datapath      FF  DSP  BRAM36  folds")
        #expect(lines[header + 1] == "  1 1,234,567           81 12,345,678   1,000      900   2,000    3     1.5    1.9    1.4    1.1"
                + "          -                                1x1")
        #expect(lines[header + 2] == "  2        98    1,020,408        420  12,345   12,245  24,690    3     1.5   23.2    1.4    1.1"
                + "     12,000   11,000       9    3     1.5  1x1")
    }

    @Test func columnsKeepTheirMinimumAndAddOneSpaceBeyondIt() {
        #expect(CurveReport.columns([["a", "bb"], ["1,234,567", "1"]], minWidths: [3, 3])
                == ["         a bb", " 1,234,567  1"])
        #expect(CurveReport.columns([["#", "II"], ["1", "98"]], minWidths: [3, 9]) == ["  #       II", "  1       98"])
    }
}
