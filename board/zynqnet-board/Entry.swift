// zynqnet-board: the runtime on the Zynq's ARM Linux, as one static armhf binary (Embedded
// Swift; built by scripts/build-board.sh). Same exit codes, JSON keys and one-line errors as
// the host `zynqnet`: 0 success, 1 bad input (`error: <file>: '<key>': <reason>`), 2 usage
// (`Error: <message>`). Embedded Swift has no CommandLine: the C entry point takes argv.

@_cdecl("main")
func boardEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var args: [String] = []
    var i = 1
    while i < Int(argc) {
        if let p = argv[i] { args.append(String(cString: p)) }
        i += 1
    }
    BoardMain.run(args)
    return 0
}
