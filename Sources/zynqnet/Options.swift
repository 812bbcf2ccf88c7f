import ArgumentParser
import Foundation
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetBase
import ZynqNetJTAG
import ZynqNetRTLSim
import ZynqNetVivado

// The options several commands share, and the argument types of backends, engines, multiplier
// styles and boards (swift-argument-parser lists their values in the help and refuses others).

extension Engine: ExpressibleByArgument {}
extension MulStyle: ExpressibleByArgument {}
extension BackendKind: ExpressibleByArgument {}

/// A `--board` value: a board name or a board .json. The one place the CLI looks boards up.
struct BoardArgument: ExpressibleByArgument, Equatable {
    var text: String
    init(argument: String) { text = argument }
    init(_ text: String) { self.text = text }
    var defaultValueDescription: String { text }

    /// A board .json given by path (an input of the command).
    var file: String? { text.hasSuffix(".json") ? text : nil }
    /// The board's data for codegen and the Vivado scripts.
    func resolve() throws -> ZynqNetHW.Board { try ZynqNetHW.Board.resolve(text) }
    /// The board's cable and PS facts for deploy, nil for an unknown name.
    var profile: BoardProfile? { JTAGCatalog.builtIn.board(named: text) }
}

/// --mult-bits and --mul-style: the arithmetic of the generated multipliers (codegen, verify, report).
struct ArithmeticOptions: ParsableArguments {
    @Option(name: .customLong("mult-bits"), help: "Stored width of the requantization multipliers M (1…32).")
    var multBits: Int = 32

    @Option(name: .customLong("mul-style"), help: "Multipliers of layers a fold file does not set.")
    var mulStyle: MulStyle = .packed

    func validate() throws {
        guard (1...32).contains(multBits) else { throw ValidationError("--mult-bits must be 1…32") }
    }
}

/// The design choices `codegen` and `verify` share: clock, folding, engine, arithmetic.
struct DesignOptions: ParsableArguments {
    @Option(help: "FCLK0 in MHz.")
    var fclk: Double = 100

    @Option(help: "Fold file (JSON), one entry per layer.")
    var fold: String?

    @Option(help: "Engine: dataflow (a unit per layer, folded by --fold/--target-fps) or sequential (the smallest design: one MAC and one requantizer for all layers; same as a fold file {\"engine\": \"sequential\"}).")
    var engine: Engine?

    @Option(name: .customLong("target-fps"), help: "Images per second to reach (chooses the cheapest folds).")
    var targetFPS: Double?

    @OptionGroup var arithmetic: ArithmeticOptions

    @Flag(name: .customLong("allow-overfull"), help: "Accept a --fold whose design's estimate exceeds the board's LUT, FF, DSP or BRAM.")
    var allowOverfull = false

    func validate() throws {
        if fold != nil && targetFPS != nil { throw ValidationError("--fold and --target-fps exclude each other") }
        if engine == .sequential && (fold != nil || targetFPS != nil) {
            throw ValidationError("--engine sequential excludes --fold and --target-fps (it has no folds)")
        }
        if let t = targetFPS { guard t > 0, t.isFinite else { throw ValidationError("--target-fps must be positive") } }
    }

    /// The codegen options these values give (the fold file is read here).
    func codegenOptions() throws -> CodegenOptions {
        var opts = CodegenOptions()
        opts.fclkMHz = fclk
        opts.multBits = arithmetic.multBits
        opts.mulStyle = arithmetic.mulStyle
        opts.allowOverfull = allowOverfull
        if let fold {
            let data = Data(try FileBytes.read(path: fold))  // "cannot open: No such file or directory", …
            opts.fold = .file(try FoldFile.parse(data, file: fold), name: fold)
        } else if let targetFPS {
            opts.fold = .targetFPS(targetFPS)
        } else if engine == .sequential {
            opts.fold = .file(.sequential, name: "--engine")
        }
        return opts
    }
}
