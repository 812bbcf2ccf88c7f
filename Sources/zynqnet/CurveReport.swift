import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetVivado

/// yosys numbers of one curve point (`zynqnet report --model … --synth N`).
struct CurveSynthesis: Sendable, Equatable {
    var lut: UInt64
    var ff: UInt64
    var dsp: UInt64
    var bram36: Double
    var seconds: Double
    /// LUTs of the shell and of the datapath (by instance), when the report could split them.
    var lutShell: UInt64? = nil
    var lutDatapath: UInt64? = nil
}

/// The trade-off curve as a table, an ASCII plot and JSON (helpers of `ReportCommand`).
struct CurveReport {
    var model: String
    var board: String
    var fclkMHz: Double
    var budget: ResourceBudget
    var points: [CurvePoint]
    var synthesized: [Int: CurveSynthesis]
    var inputBytes: Int
    /// The model file's format and import rounding (`ImportOptions.json`).
    var modelImport: JSONText = .null

    static let device = ResourceBudget.xc7z020

    static func pct(_ used: Double, _ total: Double) -> Double { (used / total * 10000).rounded() / 100 }
    static func pctText(_ used: Double, _ total: Double) -> String { String(format: "%.0f %%", used / total * 100) }

    static func grouped(_ v: Int) -> String {
        let s = String(v)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    static func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
        s.count >= w ? s : (left ? s + String(repeating: " ", count: w - s.count) : String(repeating: " ", count: w - s.count) + s)
    }

    /// Rows of right-aligned columns: each column at least `minWidths` wide and one character
    /// wider than its widest cell, so neighbours never run together (a 7-digit II, "1,234,567",
    /// takes a column of 10).
    static func columns(_ rows: [[String]], minWidths: [Int]) -> [String] {
        let widths = minWidths.indices.map { c in rows.reduce(minWidths[c]) { max($0, c < $1.count ? $1[c].count + 1 : 0) } }
        return rows.map { row in
            zip(row, widths).map { pad($0, $1) }.joined()
        }
    }

    static func foldText(_ p: CurvePoint) -> String {
        if p.engine == .sequential { return "sequential (one MAC for all layers)" }
        let explicit = p.foldFile.layers.map { $0.requant == .serial }
        return p.folds.enumerated().map { k, f in
            "\(f.pe)x\(f.simd)" + (f.lanes > 1 ? "/\(f.lanes)" : "") + (k < explicit.count && explicit[k] ? "s" : "")
        }.joined(separator: " ")
    }

    // MARK: table

    func table() -> String {
        let d = CurveReport.device, b = budget
        let styles = Set(points.flatMap(\.styles).map(\.rawValue)).sorted().joined(separator: ", ")
        var lines: [String] = []
        lines.append("zynqnet report --model \(model): \(points.count) Pareto-optimal designs (\(styles) multipliers) at \(CurveReport.formatMHz(fclkMHz)) MHz")
        lines.append("budget (\(board), xc7z020): \(CurveReport.grouped(b.lut)) LUT (\(CurveReport.pctText(Double(b.lut), Double(d.lut)))), "
                     + "\(b.dsp) DSP48E1, \(CurveReport.grouped(b.ff)) FF (\(CurveReport.pctText(Double(b.ff), Double(d.ff)))), "
                     + "\(String(format: "%.0f", b.bram36)) BRAM36 (\(CurveReport.pctText(b.bram36, d.bram36)))")
        lines.append("resources are the resource model's estimates" + (synthesized.isEmpty ? "" : "; yosys synth_xilinx numbers beside them where measured"))
        lines.append("datapath: the LUTs folding changes; the rest is the shell every design of the model has (AXI-Lite registers, output stream)")
        lines.append("folds: PExSIMD per layer (/R: R requantization lanes; s: a serial requantizer slower than the MAC array, its rate sets the layer's cycles); sequential: the layer-folded engine (--engine sequential)")
        lines.append("")
        var header = ["#", "II", "images/s", "latency", "LUT", "datapath", "FF", "DSP", "BRAM36", "LUT%", "DSP%", "BRAM%"]
        var minWidths = [3, 9, 13, 9, 8, 9, 8, 5, 8, 7, 7, 7]
        if !synthesized.isEmpty {
            header += ["yosys LUT", "datapath", "FF", "DSP", "BRAM36"]
            minWidths += [11, 9, 8, 5, 8]
        }
        var cells = [header]
        for (i, p) in points.enumerated() {
            let e = p.estimate
            var row = [String(i + 1), CurveReport.grouped(p.iiCycles), CurveReport.grouped(Int(p.imagesPerSecond(fclkMHz: fclkMHz).rounded())),
                       CurveReport.grouped(p.latencyCycles), CurveReport.grouped(e.lut), CurveReport.grouped(p.datapathLUT),
                       CurveReport.grouped(e.ff), String(e.dsp), String(format: "%.1f", e.bram36),
                       String(format: "%.1f", CurveReport.pct(Double(e.lut), Double(d.lut))),
                       String(format: "%.1f", CurveReport.pct(Double(e.dsp), Double(d.dsp))),
                       String(format: "%.1f", CurveReport.pct(e.bram36, d.bram36))]
            if !synthesized.isEmpty {
                if let s = synthesized[i] {
                    row += [CurveReport.grouped(Int(s.lut)), s.lutDatapath.map { CurveReport.grouped(Int($0)) } ?? "-",
                            CurveReport.grouped(Int(s.ff)), String(s.dsp), String(format: "%.1f", s.bram36)]
                } else {
                    row += ["-", "", "", "", ""]
                }
            }
            cells.append(row)
        }
        let folds = ["folds"] + points.map(CurveReport.foldText)
        for (line, f) in zip(CurveReport.columns(cells, minWidths: minWidths), folds) {
            lines.append(line + "  " + f)
        }
        if let last = points.last {
            let ips = last.imagesPerSecond(fclkMHz: fclkMHz)
            lines.append("")
            lines.append(String(format: "input stream at the fastest point: %.1f MB/s of the 64-bit stream's %.0f MB/s at fclk",
                                ips * Double(inputBytes) / 1e6, fclkMHz * 8))
        }
        return lines.joined(separator: "\n")
    }

    // MARK: plot

    /// images/s (y) against LUTs (x), both log scale: `*` estimate, `o` yosys, `@` both in one cell.
    func plot(width: Int = 64, height: Int = 16) -> String {
        guard !points.isEmpty else { return "" }
        var xs: [Double] = points.map { Double(max($0.estimate.lut, 1)) }
        xs += synthesized.values.map { Double(max($0.lut, 1)) }
        let ys = points.map { $0.imagesPerSecond(fclkMHz: fclkMHz) }
        let x0 = log10(xs.min()!), x1 = log10(xs.max()!)
        let y0 = log10(ys.min()!), y1 = log10(ys.max()!)
        func col(_ x: Double) -> Int {
            x1 > x0 ? min(width - 1, max(0, Int(((log10(x) - x0) / (x1 - x0) * Double(width - 1)).rounded()))) : width / 2
        }
        func row(_ y: Double) -> Int {
            y1 > y0 ? min(height - 1, max(0, Int(((log10(y) - y0) / (y1 - y0) * Double(height - 1)).rounded()))) : height / 2
        }
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        func put(_ r: Int, _ c: Int, _ ch: Character) {
            let cur = grid[r][c]
            grid[r][c] = (cur == " " || cur == ch) ? ch : "@"
        }
        for (i, p) in points.enumerated() {
            let r = row(p.imagesPerSecond(fclkMHz: fclkMHz))
            put(r, col(Double(max(p.estimate.lut, 1))), "*")
            if let s = synthesized[i] { put(r, col(Double(max(s.lut, 1))), "o") }
        }
        func label(_ v: Double) -> String {
            if v >= 1e6 { return String(format: "%.2fM", v / 1e6) }
            if v >= 1e3 { return String(format: "%.1fk", v / 1e3) }
            return String(format: "%.0f", v)
        }
        let lw = 9
        var lines: [String] = ["images/s (log)   * estimate" + (synthesized.isEmpty ? "" : ", o yosys, @ both")]
        for r in stride(from: height - 1, through: 0, by: -1) {
            var l = ""
            if r == height - 1 { l = label(pow(10, y1)) } else if r == 0 { l = label(pow(10, y0)) }
            else if r == (height - 1) / 2 { l = label(pow(10, y0 + (y1 - y0) * Double(r) / Double(height - 1))) }
            lines.append(CurveReport.pad(l, lw) + " |" + String(grid[r]))
        }
        lines.append(String(repeating: " ", count: lw) + " +" + String(repeating: "-", count: width))
        let left = CurveReport.grouped(Int(pow(10, x0).rounded())), right = CurveReport.grouped(Int(pow(10, x1).rounded()))
        let mid = CurveReport.grouped(Int(pow(10, (x0 + x1) / 2).rounded()))
        var axis = [Character](repeating: " ", count: width + 2)
        func write(_ s: String, at: Int) {
            for (k, ch) in s.enumerated() where at + k >= 0 && at + k < axis.count { axis[at + k] = ch }
        }
        write(left, at: 1)
        write(mid, at: 1 + width / 2 - mid.count / 2)
        write(right, at: width + 1 - right.count)
        lines.append(String(repeating: " ", count: lw) + String(axis))
        lines.append(String(repeating: " ", count: lw) + "  LUTs (log)")
        return lines.joined(separator: "\n")
    }

    // MARK: JSON

    struct JSONLayer: Encodable {
        var pe: Int
        var simd: Int
        var lanes: Int
        var mul_style: String
        /// nil (left out) for a layer without parameters (maxpool2d) and the sequential engine's.
        var requant: String?
        var cycles: Int
    }
    struct JSONSynth: Encodable {
        var source = "yosys"
        var lut: UInt64
        var ff: UInt64
        var dsp: UInt64
        var bram36: Double
        var yosys_seconds: Double
        var lut_shell: UInt64?
        var lut_datapath: UInt64?
    }
    struct JSONPoint: Encodable {
        var source = "estimate"
        var ii_cycles: Int
        var latency_cycles: Int
        var images_per_second: Double
        var input_mb_per_s: Double
        var lut: Int
        var lut_shell: Int
        var lut_datapath: Int
        var ff: Int
        var dsp: Int
        var bram36: Double
        var utilization: [String: Double]
        var layers: [JSONLayer]
        var engine: String
        var yosys: JSONSynth?

        func encode(to encoder: Encoder) throws {
            enum K: String, CodingKey {
                case source, ii_cycles, latency_cycles, images_per_second, input_mb_per_s, lut, lut_shell, lut_datapath, ff, dsp, bram36, utilization, layers, engine, yosys
            }
            var c = encoder.container(keyedBy: K.self)
            try c.encode(source, forKey: .source)
            try c.encode(ii_cycles, forKey: .ii_cycles)
            try c.encode(latency_cycles, forKey: .latency_cycles)
            try c.encode(images_per_second, forKey: .images_per_second)
            try c.encode(input_mb_per_s, forKey: .input_mb_per_s)
            try c.encode(lut, forKey: .lut)
            try c.encode(lut_shell, forKey: .lut_shell)
            try c.encode(lut_datapath, forKey: .lut_datapath)
            try c.encode(ff, forKey: .ff)
            try c.encode(dsp, forKey: .dsp)
            try c.encode(bram36, forKey: .bram36)
            try c.encode(utilization, forKey: .utilization)
            try c.encode(layers, forKey: .layers)
            try c.encode(engine, forKey: .engine)
            try c.encode(yosys, forKey: .yosys)   // null when not synthesized
        }
    }
    struct JSONCurve: Encodable {
        var model: String
        var board: String
        var part = "xc7z020clg400-1"
        var fclk_mhz: Double
        var budget: [String: Double]
        var points: [JSONPoint]
        var model_import: JSONText
    }

    /// The curve as `--json` prints it (keys sorted, as they always were).
    func json() -> JSONCurve {
        let d = CurveReport.device, b = budget
        let pts = points.enumerated().map { i, p -> JSONPoint in
            let e = p.estimate
            let ips = p.imagesPerSecond(fclkMHz: fclkMHz)
            return JSONPoint(
                ii_cycles: p.iiCycles, latency_cycles: p.latencyCycles, images_per_second: ips,
                input_mb_per_s: ips * Double(inputBytes) / 1e6,
                lut: e.lut, lut_shell: p.shellEstimate.lut, lut_datapath: p.datapathLUT, ff: e.ff, dsp: e.dsp, bram36: e.bram36,
                utilization: ["lut": CurveReport.pct(Double(e.lut), Double(d.lut)), "ff": CurveReport.pct(Double(e.ff), Double(d.ff)),
                              "dsp": CurveReport.pct(Double(e.dsp), Double(d.dsp)), "bram36": CurveReport.pct(e.bram36, d.bram36)],
                layers: zip(p.folds, p.styles).enumerated().map { k, fs in
                    JSONLayer(pe: fs.0.pe, simd: fs.0.simd, lanes: fs.0.lanes, mul_style: fs.1.rawValue,
                              requant: k < p.requant.count && p.topology[k].hasParameters ? p.requant[k].rawValue : nil, cycles: p.layerCycles[k])
                },
                engine: p.engine.rawValue,
                yosys: synthesized[i].map { JSONSynth(lut: $0.lut, ff: $0.ff, dsp: $0.dsp, bram36: $0.bram36,
                                                      yosys_seconds: ($0.seconds * 1000).rounded() / 1000,
                                                      lut_shell: $0.lutShell, lut_datapath: $0.lutDatapath) })
        }
        return JSONCurve(model: model, board: board, fclk_mhz: fclkMHz,
                         budget: ["lut": Double(b.lut), "ff": Double(b.ff), "dsp": Double(b.dsp), "bram36": b.bram36],
                         points: pts, model_import: modelImport)
    }

    static func formatMHz(_ v: Double) -> String {
        v == v.rounded() ? String(Int64(v)) : String(format: "%.3f", v)
    }
}
