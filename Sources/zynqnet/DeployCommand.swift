import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetDeploy
import ZynqNetHW
import ZynqNetVivado
import ZynqNetJTAG
import ZynqNetModel
import ZynqNetSim

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Put a bitstream (and a model) on a board: over JTAG, or over ssh with a bit-exact self-test.",
        discussion: """
        The bitstream comes from --bitstream (with the build's manifest.json beside it or \
        --manifest), from a bundle made earlier (--bundle), or, with only --model, from \
        bitstreams/manifest.json (zynqnet bitstreams add). Its part, board and topology are \
        checked against the board and the model before anything is copied or programmed.

        --via jtag programs the PL over the board's USB JTAG cable while the board runs Linux \
        booted from SD (as Vivado's Hardware Manager does); with --ssh ssh://user@host the \
        bundle is copied first and `zynqnet load --pl-configured` then finishes the design on the \
        board (FCLK0, PL reset, level shifters, HP0 width, probe) and runs the self-test. Without \
        --ssh nothing initialises the PS, so the design is NOT deployed and the command fails \
        after programming. --via ssh://user@host \
        checks that the board is armv7l (uname -m), copies zynqnet-board (the runtime as a \
        static ARM executable: the board needs no Swift, Python or zlib; --board-binary, else \
        beside zynqnet or build/board/zynqnet-board of the checkout, built by \
        scripts/build-board.sh) and runs its doctor, copies a bundle (bitstream, .hwh, \
        manifest.json, model, self-test images and their simulator outputs) with scp, runs \
        `zynqnet-board load` and `zynqnet-board selftest` on the board, which compares the \
        board's outputs with the simulator's bit for bit. Without --via the bundle is only \
        written (-o).
        """
    )

    @Option(help: "Board: \(JTAGCatalog.builtIn.boards.map(\.name).joined(separator: ", ")).")
    var board: BoardArgument

    @Option(help: "The model (.npz, format 1 or 2, .onnx or .tflite).")
    var model: String?

    @OptionGroup var importOptions: ImportOptions

    @Option(help: "The .bit file to deploy.")
    var bitstream: String?

    @Option(help: "A bundle directory made by an earlier deploy -o.")
    var bundle: String?

    @Option(help: "The build's manifest.json for --bitstream (default: manifest.json beside the .bit).")
    var manifest: String?

    @Option(help: "jtag, or ssh://user@host[:port].")
    var via: String?

    @Option(name: .shortAndLong, help: "Write the bundle to this directory (default for ssh: a temporary one).")
    var output: String?

    @Option(help: "Self-test images (npz/IDX/npy; default: synthetic images).")
    var images: String?

    @Option(name: .customLong("selftest-count"), help: "Images in the self-test (0: none).")
    var selftestCount: Int = 16

    @Option(name: .customLong("bitstreams-dir"), help: "Registry of built bitstreams.")
    var bitstreamsDir: String = "bitstreams"

    @Option(help: "JTAG: the cable's USB serial number (see zynqnet boards).")
    var serial: String?

    @Option(help: "JTAG: the cable's USB location BUS-PORT[.PORT…] (see zynqnet boards).")
    var usb: String?

    @Option(name: .customLong("jtag-hz"), help: "JTAG: TCK frequency in Hz (default from the board data).")
    var jtagHz: UInt32?

    @Option(help: "JTAG: ssh://user@host[:port] of the board's Linux, which finishes the JTAG-configured design.")
    var ssh: String?

    var sshFinish: SSHTarget? { ssh.flatMap(SSHTarget.parse) }

    @Option(name: .customLong("remote-dir"), help: "ssh: directory on the board that receives the bundle.")
    var remoteDir: String = "zynqnet"

    @Option(name: .customLong("board-binary"),
            help: "ssh: the zynqnet-board to copy (default: $ZYNQNET_BOARD_BINARY, beside zynqnet, or build/board/zynqnet-board; scripts/build-board.sh builds it).")
    var boardBinary: String?

    @Option(name: .customLong("remote-zynqnet"), help: "JTAG --ssh: the zynqnet executable on the board.")
    var remoteZynqnet: String = "zynqnet"

    @Flag(help: "ssh: run the board-side commands with sudo -n (fpga_manager and /dev/mem need root).")
    var sudo = false

    @Flag(name: .customLong("dry-run"), help: "Check everything and print the plan; change nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON object.")
    var json = false

    var target: DeployRequest.Via? {
        guard let via else { return nil }
        if via == "jtag" { return .jtag }
        return SSHTarget.parse(via).map { .ssh($0) }
    }

    func validate() throws {
        try importOptions.check(model: model)
        guard board.profile != nil else {
            throw ValidationError("--board must be one of \(JTAGCatalog.builtIn.boards.map(\.name).joined(separator: ", ")), not '\(board.text)'")
        }
        if bitstream != nil && bundle != nil { throw ValidationError("--bitstream and --bundle exclude each other") }
        if let bundle {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: bundle, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--bundle '\(bundle)' is not a directory (a bundle written by an earlier deploy -o)")
            }
        }
        if bundle != nil && (model != nil || manifest != nil || images != nil) {
            throw ValidationError("--bundle already holds the model, manifest and self-test images")
        }
        if manifest != nil && bitstream == nil { throw ValidationError("--manifest goes with --bitstream") }
        if bitstream == nil && bundle == nil && model == nil {
            throw ValidationError("give --bitstream, --bundle or --model (to look for a registered bitstream)")
        }
        if let via, target == nil {
            throw ValidationError("--via must be jtag or ssh://user@host[:port], not '\(via)'")
        }
        if via == nil {
            guard output != nil || dryRun, bundle == nil else { throw ValidationError("without --via, -o DIR names the bundle to write") }
        }
        guard (0...10_000).contains(selftestCount) else { throw ValidationError("--selftest-count must be 0…10000") }
        if target != .jtag && (serial != nil || usb != nil || jtagHz != nil || ssh != nil) {
            throw ValidationError("--serial, --usb, --jtag-hz and --ssh go with --via jtag")
        }
        if boardBinary != nil {
            guard case .ssh = target else { throw ValidationError("--board-binary goes with --via ssh://user@host") }
        }
        if let ssh, SSHTarget.parse(ssh) == nil { throw ValidationError("--ssh must be ssh://user@host[:port], not '\(ssh)'") }
        if let usb, USBDeviceSelector.parseLocation(usb) == nil { throw ValidationError("--usb must look like 1-2.3, not '\(usb)'") }
        if let hz = jtagHz, !(1000...30_000_000).contains(hz) { throw ValidationError("--jtag-hz must be 1000…30000000") }
        guard RemotePlan.isSafeRemotePath(remoteDir) else {
            throw ValidationError("--remote-dir may use letters, digits and . _ - / only, not '\(remoteDir)'")
        }
        guard RemotePlan.isSafeRemotePath(remoteZynqnet) else {
            throw ValidationError("--remote-zynqnet may use letters, digits and . _ - / only, not '\(remoteZynqnet)'")
        }
        for dir in [output, bundle].compactMap({ $0 }) where !RemotePlan.isSafeRemotePath(PathText.name(dir)) {
            throw ValidationError("the bundle directory name '\(PathText.name(dir))' may use letters, digits and . _ - only (it is copied to the board)")
        }
    }

    func run() throws {
        let profile = board.profile!
        var request = DeployRequest(board: profile)
        request.modelPath = model
        request.importOptions = importOptions.options
        request.bitstreamPath = bitstream
        request.bundlePath = bundle
        request.manifestPath = manifest
        request.via = target
        request.imagesPath = images
        request.selftestCount = selftestCount
        request.bitstreamsDir = bitstreamsDir
        let source = try Deployment.resolve(request)
        var report: [(String, JSONText)] = [
            ("board", .string(profile.name)),
            ("bitstream", .string(source.bitPath)),
            ("origin", .string(source.origin)),
            ("part", .string(source.bit.vivadoPart)),
            ("design", .string(source.bit.design)),
            ("topology_hash", source.manifest.map { .string(topologyHashText($0.topologyHash.value)) } ?? .null),
            ("model", .optional(model)),
            ("model_import", source.model.map { importOptions.json(path: model ?? "", model: $0) } ?? .null),
            ("dry_run", .bool(dryRun)),
        ]
        func say(_ s: String) { if !json { print(s) } }
        say("bitstream: \(source.origin) (\(source.bit.vivadoPart), design \(source.bit.design), \(source.bit.length) bytes): part matches \(profile.displayName)")
        if let m = source.manifest, let k = source.multBits {
            say("topology: \(topologyHashText(m.topologyHash.value)) matches the model (\(k)-bit multipliers)")
        }

        switch target {
        case .jtag:
            try deployJTAG(profile, source, &report, say)
        case .ssh(let t):
            try deploySSH(profile, source, t, &report, say)
        case nil:
            guard let output else {
                // --dry-run without -o: the checks above are the plan; no bundle is named.
                say("checks passed; with -o DIR the bundle would be written there")
                break
            }
            if dryRun {
                say("would write the bundle \(output)")
            } else {
                let b = try makeBundle(profile, source, at: output)
                say("wrote the bundle \(b.dir)")
            }
            report.append(("bundle", .string(output)))
        }
        if json { try printJSON(JSONText.object(report), pretty: true) }
    }

    func makeBundle(_ profile: BoardProfile, _ source: DeploySource, at dir: String) throws -> DeployBundle {
        guard let manifestPath = source.manifestPath else {
            throw ZynqError(file: source.bitPath, key: "manifest.json",
                            "a bundle needs the build's manifest.json (addresses, FCLK, topology): put it beside the .bit or pass --manifest")
        }
        let imageArray = try images.map { try ImageSet.load(path: $0).images }
        return try DeployBundle.create(at: dir, board: profile, bitPath: source.bitPath, manifestPath: manifestPath,
                                       model: source.model, images: imageArray, selftestCount: selftestCount)
    }

    func deployJTAG(_ profile: BoardProfile, _ source: DeploySource, _ report: inout [(String, JSONText)], _ say: (String) -> Void) throws {
        var selector = USBDeviceSelector(serial: serial)
        if let usb, let loc = USBDeviceSelector.parseLocation(usb) {
            selector.bus = loc.bus
            selector.ports = loc.ports
        }
        Terminal.printErr("JTAG: \(profile.bootModeSentence); the PL is configured over the USB JTAG cable (interface A).")
        let notDeployed = "the PL is programmed but the design is NOT deployed: nothing initialised the PS (ps7_init: DDR, FCLK0, "
            + "level shifters, PL reset) for it. Boot the board's Linux from SD and add --ssh ssh://user@host (zynqnet load "
            + "--pl-configured finishes it there), or deploy with --via ssh"
        report.append(("via", .string("jtag")))
        // With --ssh: the board's prerequisites and the bundle before programming, the finish after.
        let work = NSTemporaryDirectory() + "zynqnet-deploy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        var plan: RemotePlan?
        if let t = sshFinish {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            plan = try remotePlan(profile, source, t, work: work, jtag: true)
            report.append(("ssh", .string(t.url)))
            report.append(("steps", JSONText.array(plan!.steps.map { step in JSONText.object([("step", JSONText.string(step.name)), ("argv", JSONText.array(step.argv.map { JSONText.string($0) }))]) })))
        }
        if dryRun {
            for s in plan?.preSteps ?? [] { say("would run: " + s.argv.joined(separator: " ")) }
            say("would program \(source.bitPath) over JTAG (\(selector))")
            for s in plan?.postSteps ?? [] { say("would run: " + s.argv.joined(separator: " ")) }
            if plan == nil {
                if json { try printJSON(JSONText.object(report + [("deployed", .bool(false))]), pretty: true) }
                throw ZynqError(key: "jtag", "dry run: " + notDeployed)
            }
            return
        }
        if let plan { try Deployment.runSteps(plan.preSteps) { line in if !json { Terminal.printErr(line) } } }
        // USB and JTAG failures become one-line errors like every other bad input.
        func jtag<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as USBError { throw ZynqError(key: "jtag", "\(e)") } catch let e as JTAGError {
                throw ZynqError(key: "jtag", "\(e)")
            }
        }
        let session = try jtag { try JTAGSession(board: profile, selector: selector, frequencyHz: jtagHz) }
        defer { session.close() }
        say("JTAG chain: " + session.chain.devices.map(\.description).joined(separator: ", "))
        let bar = ProgressBar(total: Int(source.bit.length), label: "programming")
        let r = try jtag { try session.program(source.bit, file: source.bitPath) { sent, _ in bar.update(Int(sent)) } }
        bar.finish()
        say(String(format: "programmed %u bytes in %.2f s (%.2f Mbit/s at TCK %.1f MHz); DONE is high",
                   UInt32(truncatingIfNeeded: r.payloadBytes), r.seconds, r.bitsPerSecond / 1e6, Double(r.tckHz) / 1e6))
        report += [("chain", .array(session.chain.devices.map { .string("0x" + Hex.upper($0.idcode, digits: 8)) })),
                   ("bytes", .uint(r.payloadBytes)), ("seconds", .double(r.seconds)), ("bits_per_second", .double(r.bitsPerSecond)),
                   ("tck_hz", .uint(UInt64(r.tckHz))), ("done", .bool(r.status.done))]
        guard let plan else {
            report.append(("deployed", .bool(false)))
            if json { try printJSON(JSONText.object(report), pretty: true) }
            throw ZynqError(key: "jtag", notDeployed)
        }
        let result = try Deployment.finishRemote(plan) { line in if !json { Terminal.printErr(line) } }
        try reportSelftest(result, &report, say)
        report.append(("deployed", .bool(true)))
        say("deployed to \(plan.target.url):\(plan.remoteBundle) (PL over JTAG, finished on the board)")
    }

    /// The bundle (made in `work` unless -o or --bundle) and the ssh plan for it.
    func remotePlan(_ profile: BoardProfile, _ source: DeploySource, _ t: SSHTarget, work: String, jtag: Bool) throws -> RemotePlan {
        // --via ssh runs the copied zynqnet-board: found (or the command that builds it named) before anything is written.
        let binary = jtag ? nil : try BoardBinary.locate(option: boardBinary, environment: ProcessInfo.processInfo.environment,
                                                         executable: BoardBinary.currentExecutable, cwd: FileManager.default.currentDirectoryPath)
        let bundleDir: String
        let selftest: Bool
        if let b = source.bundle {
            bundleDir = b.dir
            selftest = b.info.model != nil && b.info.selftestCount > 0
        } else {
            bundleDir = output ?? (work + "/zynqnet-\(profile.name)-" + String(source.bit.serializedSHAPrefix))
            selftest = source.model != nil && selftestCount > 0
            if !dryRun { _ = try makeBundle(profile, source, at: bundleDir) }
        }
        if source.bundle == nil && source.model == nil {
            Terminal.printErr("note: no --model: the bitstream is loaded but no self-test runs")
        }
        var plan = RemotePlan(target: t, localBundle: bundleDir, remoteParent: remoteDir, remoteZynqnet: remoteZynqnet,
                              sudo: sudo, selftest: selftest, localResult: bundleDir + "/" + DeployBundle.selftestBoardOutput,
                              bufferBytes: source.manifest.map { $0.records.maxBatchImages * ($0.records.inputBytes + $0.records.outputBytes) })
        plan.plConfiguredOverJTAG = jtag
        plan.boardBinary = binary
        // A runtime.json in the bundle may name another buffer (a no-map reserved region).
        if let data = FileManager.default.contents(atPath: bundleDir + "/runtime.json"),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let b = obj["buffer"] as? String {
            guard RemotePlanSafe.isSafe(b) else {
                throw ZynqError(file: bundleDir + "/runtime.json", key: "buffer", "may use letters, digits and . _ - : only, not '\(b)'")
            }
            plan.buffer = b
        }
        return plan
    }

    /// Adds the self-test to the report; a mismatch is the command's error.
    func reportSelftest(_ result: SelfTest.Result?, _ report: inout [(String, JSONText)], _ say: (String) -> Void) throws {
        guard let result else { return }
        report.append(("selftest", result.json))
        guard result.passed else {
            if json { try printJSON(JSONText.object(report), pretty: true) }
            throw result.error
        }
        say(result.summary)
    }

    func deploySSH(_ profile: BoardProfile, _ source: DeploySource, _ t: SSHTarget, _ report: inout [(String, JSONText)], _ say: (String) -> Void) throws {
        // Scratch space for a bundle made without -o; removed when the deploy ends.
        let work = NSTemporaryDirectory() + "zynqnet-deploy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let plan = try remotePlan(profile, source, t, work: work, jtag: false)
        report.append(("via", .string(t.url)))
        report.append(("steps", JSONText.array(plan.steps.map { step in JSONText.object([("step", JSONText.string(step.name)), ("argv", JSONText.array(step.argv.map { JSONText.string($0) }))]) })))
        if dryRun {
            for s in plan.steps { say("would run: " + s.argv.joined(separator: " ")) }
            return
        }
        let result = try Deployment.runRemote(plan) { line in if !json { Terminal.printErr(line) } }
        try reportSelftest(result, &report, say)
        say("deployed to \(t.url):\(plan.remoteBundle)")
    }
}

extension BoardProfile {
    /// The board data's boot-mode instruction as a sentence start.
    var bootModeSentence: String { bootMode.prefix(1).uppercased() + bootMode.dropFirst() }
}

extension BitFile {
    /// 8 hex digits of the .bit's SHA-256, for bundle names.
    var serializedSHAPrefix: Substring { SHA256.hex(serialized()).prefix(8) }
}
