import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

/// `zynqnet bit`, `boards`, `bitstreams` and `deploy`, run as the built executable.
@Suite("zynqnet bit / boards")
struct BitAndBoardsCommandTests {
    @Test func bitInfo() throws {
        let r = try CLI.run(["bit", "info", CLI.fixture("bit/synthetic-7z020.bit")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("part:        7z020clg400 (xc7z020clg400)"))
        #expect(r.stdout.contains("idcode:      0x23727093 (xc7z020)"))
        #expect(r.stdout.contains("frame words: 101"))
        #expect(r.stdout.contains("crc:         2 of 2 checks match"))
        let j = try CLI.run(["bit", "info", CLI.fixture("bit/synthetic-7z020.bit"), "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["design"] as? String == "zynqnet_bd_wrapper")
        #expect(obj["length"] as? Int == 872)
        #expect(obj["date"] as? String == "2024/05/01" && obj["time"] as? String == "12:34:56")
        #expect(obj["user_id"] as? String == "0XFFFFFFFF" && obj["version"] as? String == "2022.2")
    }

    @Test func bitErrorsExitOne() throws {
        let r = try CLI.run(["bit", "info", CLI.fixture("bit/synthetic-7z020.bin")])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(CLI.fixture("bit/synthetic-7z020.bin")): 'header': not a Xilinx .bit file"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try CLI.run(["bit", "info"]).status == 2)
    }

    @Test func toBinWritesThePYNQBin() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("a.bin").path
        let r = try CLI.run(["bit", "tobin", CLI.fixture("bit/synthetic-7z020.bit"), "-o", out])
        #expect(r.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == (try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("bit/synthetic-7z020.bin")))))
        // A bad input leaves nothing behind.
        let bad = dir.appendingPathComponent("b.bin").path
        #expect(try CLI.run(["bit", "tobin", CLI.fixture("bit/synthetic-7z020.bin"), "-o", bad]).status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.bin"])
    }

    @Test func boardsWithNoneAttached() throws {
        let r = try CLI.run(["boards"])
        #expect(r.status == 0)
        #expect(r.stdout == "no boards found (no FTDI FT2232H 0403:6010 on USB)\n")
        let j = try CLI.run(["boards", "--json"])
        #expect(j.status == 0 && j.stdout == "[]\n")
        let w = try CLI.run(["boards", "--watch", "--watch-seconds", "0.3", "--json"])
        #expect(w.status == 0 && w.stdout == "")
        #expect(try CLI.run(["boards", "--watch-seconds", "1"]).status == 2)
    }
}

/// A workspace with a codegen output, a (synthetic) bitstream and fake ssh/scp on PATH that
/// act as the board: they record their argv and run the board side in a directory. There a
/// wrapper `zynqnet` runs the real one: `load` against a fake fpga_manager sysfs tree and
/// firmware directory (as root; otherwise it only checks the bundle's files), and `infer
/// --backend board` on the runtime's loopback board (the real driver stack and accelerator
/// model, configured from the bundle's manifest).
struct DeployWorkspace {
    let root: URL
    var path: String { root.path }
    let model = CLI.fixture("golden/bottleneck_1.model.npz")

    init() throws {
        root = try makeTemporaryDirectory("cli")
        for d in ["bin", "board", "board-bin", "board-sys/class/fpga_manager/fpga0", "board-firmware"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        let codegen = try CLI.run(["codegen", model, "--board", "pynq-z2", "-o", path + "/build"])
        precondition(codegen.status == 0, codegen.stderr)
        for (f, v) in [("firmware", ""), ("flags", ""), ("state", "operating\n")] {
            try Data(v.utf8).write(to: root.appendingPathComponent("board-sys/class/fpga_manager/fpga0/" + f))
        }
        // The board's root for `zynqnet doctor --root`: a PYNQ-Z2 device tree, root, CMA, a
        // u-dma-buf, and a sparse /dev/mem (the SLCR reads 0: level shifters off until a load).
        let fs = path + "/board-fs"
        for d in ["proc/device-tree", "proc/self", "dev", "sys/class/u-dma-buf/udmabuf0", "sys/firmware/devicetree/base"] {
            try FileManager.default.createDirectory(atPath: fs + "/" + d, withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: fs + "/sys/class/fpga_manager", withDestinationPath: path + "/board-sys/class/fpga_manager")
        for (f, v) in [("proc/device-tree/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0"), ("sys/firmware/devicetree/base/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0"),
                       ("proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n"),
                       ("proc/meminfo", "CmaTotal: 131072 kB\nCmaFree: 114688 kB\n"), ("dev/udmabuf0", ""),
                       ("sys/class/u-dma-buf/udmabuf0/size", "16777216\n")] {
            try Data(v.utf8).write(to: URL(fileURLWithPath: fs + "/" + f))
        }
        _ = FileManager.default.createFile(atPath: fs + "/dev/mem", contents: nil)
        let mem = try FileHandle(forWritingTo: URL(fileURLWithPath: fs + "/dev/mem"))
        try mem.truncate(atOffset: 0xF800_9000)
        try mem.close()
        try FileManager.default.copyItem(atPath: CLI.fixture("bit/synthetic-7z020.bit"), toPath: path + "/build/zynqnet.bit")
        try Data("<hwh/>".utf8).write(to: root.appendingPathComponent("build/zynqnet.hwh"))
        try script("bin/ssh", """
            #!/bin/bash
            python3 -c 'import json,sys; print(json.dumps(["ssh"] + sys.argv[1:]))' "$@" >> "$FAKE_LOG"
            [ -n "$FAKE_SSH_FAIL" ] && { echo "ssh: connect to host pynq port 22: Connection refused" >&2; exit 255; }
            while [ "$1" != "--" ]; do shift; done
            shift 2
            cd "$FAKE_BOARD_ROOT" && PATH="$FAKE_BOARD_BIN:$PATH" exec sh -c "$1"
            """)
        try script("bin/scp", """
            #!/bin/bash
            python3 -c 'import json,sys; print(json.dumps(["scp"] + sys.argv[1:]))' "$@" >> "$FAKE_LOG"
            while [ "$1" != "--" ]; do shift; done
            shift
            map() { case "$1" in *@*:*) echo "$FAKE_BOARD_ROOT/${1#*:}";; *) echo "$1";; esac; }
            exec cp -r "$(map "$1")" "$(map "$2")"
            """)
        try script("board-bin/zynqnet", """
            #!/bin/bash
            case "$1" in
            doctor)
                exec "$REAL_ZYNQNET" doctor --root "$FAKE_BOARD_FS" "${@:2}" ;;
            load)
                [ -f "$2/manifest.json" ] && [ -f "$2/deploy.json" ] && [ -f "$2/zynqnet.bit" ] || { echo "load: not a bundle: $2" >&2; exit 1; }
                if [ "$(id -u)" = 0 ]; then
                    exec "$REAL_ZYNQNET" load "$2" --sysfs-root "$FAKE_SYSFS" --proc-root "$FAKE_BOARD_FS/proc" --firmware-dir "$FAKE_FIRMWARE" --no-clock --no-probe "${@:3}"
                fi
                echo '{"state":"operating"}' ;;
            infer)
                shift; args=(); out=""
                while [ $# -gt 0 ]; do
                    case "$1" in
                    --backend) [ "$2" = board ] || { echo "infer: expected --backend board" >&2; exit 2; }; args+=(--backend loopback); shift 2 ;;
                    --output) out="$2"; args+=("$1" "$2"); shift 2 ;;
                    *) args+=("$1"); shift ;;
                    esac
                done
                "$REAL_ZYNQNET" infer "${args[@]}" || exit $?
                if [ -n "$FAKE_BOARD_FLIP" ]; then
                    python3 -c 'import numpy as np,sys; d=dict(np.load(sys.argv[1])); d["outputs"][3,1]+=1; np.savez(sys.argv[1], **d)' "$out"
                fi ;;
            *) echo "unknown $1" >&2; exit 2 ;;
            esac
            """)
        // The board's uname: armv7l unless FAKE_UNAME says otherwise.
        try script("board-bin/uname", "#!/bin/bash\n[ \"$1\" = -m ] && echo \"${FAKE_UNAME:-armv7l}\"")
        // The zynqnet-board deploy --via ssh copies (ZYNQNET_BOARD_BINARY names it) and then runs on the
        // board: doctor and load as the board's zynqnet above, selftest the bundle's images on the
        // loopback board, compared with the bundle's expected outputs there (exit 1 and one line if not equal).
        try script("zynqnet-board", """
            #!/bin/bash
            case "$1" in
            selftest)
                b="$2"; out="$(mktemp -d)/board.npz"
                [ -n "$FAKE_BOARD_NO_IMAGES" ] && { echo "warning: about to fail" >&2; echo "error: $b/selftest/images.npz: cannot read images" >&2; exit 1; }
                "$REAL_ZYNQNET" infer "$b/selftest/images.npz" --model "$b/model.npz" --backend loopback --bundle "$b" --output "$out" > /dev/null || exit $?
                python3 - "$b/selftest/expected.npz" "$out" <<'PY'
            import json, os, sys
            import numpy as np
            e, b = np.load(sys.argv[1]), dict(np.load(sys.argv[2]))
            if os.environ.get("FAKE_BOARD_FLIP"): b["outputs"][3, 1] += 1
            n = len(e["predictions"])
            bad = []
            for i in range(n):
                o = [k for k in range(e["outputs"].shape[1]) if e["outputs"][i, k] != b["outputs"][i, k]]
                if o: bad.append(f"image {i}: output {o[0]} is {b['outputs'][i, o[0]]} on the board, {e['outputs'][i, o[0]]} in the simulator")
            print(json.dumps({"backend": "board", "images": n, "passed": not bad, "mismatches": bad}))
            if bad:
                print(f"error: 'selftest': the board's outputs differ from the simulator's on {len(bad)} of {n} images: {bad[0]}", file=sys.stderr)
                sys.exit(1)
            PY
                ;;
            *) exec "$FAKE_BOARD_BIN/zynqnet" "$@" ;;
            esac
            """)
    }

    func script(_ rel: String, _ text: String) throws {
        let url = root.appendingPathComponent(rel)
        try Data((text + "\n").utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    var environment: [String: String] {
        ["PATH": path + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
         "FAKE_LOG": path + "/log", "FAKE_BOARD_ROOT": path + "/board", "FAKE_BOARD_BIN": path + "/board-bin",
         "REAL_ZYNQNET": CLI.executable.path, "FAKE_SYSFS": path + "/board-sys", "FAKE_FIRMWARE": path + "/board-firmware",
         "FAKE_BOARD_FS": path + "/board-fs", "ZYNQNET_BOARD_BINARY": path + "/zynqnet-board"]
    }

    func run(_ args: [String], extra: [String: String] = [:]) throws -> CLI.Result {
        var env = environment
        for (k, v) in extra { env[k] = v }
        return try runProcess(CLI.executable.path, args, cwd: root, environment: env, inheritEnvironment: false)
    }

    /// records.max_batch_images × (input_bytes + output_bytes) of the build's manifest.json.
    var bufferBytes: Int {
        let m = try! JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("build/manifest.json"))) as! [String: Any]
        let r = m["records"] as! [String: Any]
        return (r["max_batch_images"] as! Int) * ((r["input_bytes"] as! Int) + (r["output_bytes"] as! Int))
    }

    /// The argv of every ssh/scp call, in order.
    var calls: [[String]] {
        guard let text = try? String(contentsOfFile: path + "/log", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite("zynqnet bitstreams / deploy")
struct DeployCommandTests {
    @Test func sshDeployRunsExactlyTheseCommands() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                           "--via", "ssh://xilinx@pynq:2222", "-o", "bundle-a", "--selftest-count", "8"])
        #expect(r.status == 0, "\(r.stderr)")
        let opts = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]
        let b = "zynqnet/bundle-a"
        // The architecture first, then zynqnet-board alone, its doctor, the bundle, its load and selftest.
        #expect(w.calls == [
            ["ssh"] + opts + ["-p", "2222", "--", "xilinx@pynq", "uname -m"],
            ["ssh"] + opts + ["-p", "2222", "--", "xilinx@pynq", "mkdir -p -- 'zynqnet'"],
            ["scp"] + opts + ["-P", "2222", "-p", "-q", "--", w.path + "/zynqnet-board", "xilinx@pynq:zynqnet/zynqnet-board"],
            ["ssh"] + opts + ["-p", "2222", "--", "xilinx@pynq", "'zynqnet/zynqnet-board' doctor --json --buffer-bytes \(w.bufferBytes)"],
            ["scp"] + opts + ["-P", "2222", "-r", "-q", "--", "bundle-a", "xilinx@pynq:zynqnet/"],
            ["ssh"] + opts + ["-p", "2222", "--", "xilinx@pynq", "'zynqnet/zynqnet-board' load '\(b)' --json"],
            ["ssh"] + opts + ["-p", "2222", "--", "xilinx@pynq", "'zynqnet/zynqnet-board' selftest '\(b)' --json"],
        ])
        // The board got the very binary, executable.
        #expect(FileManager.default.contents(atPath: w.path + "/board/zynqnet/zynqnet-board") == FileManager.default.contents(atPath: w.path + "/zynqnet-board"))
        #expect(FileManager.default.isExecutableFile(atPath: w.path + "/board/zynqnet/zynqnet-board"))
        #expect(r.stdout.contains("self-test: 8 images, outputs equal the simulator's bit for bit"))
        if geteuid() == 0 {
            // The real `zynqnet load` ran on the fake board: the .bin PYNQ's bit2bin makes, and the firmware name.
            #expect(try Data(contentsOf: w.root.appendingPathComponent("board-firmware/zynqnet.bin"))
                    == (try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("bit/synthetic-7z020.bin")))))
            #expect(try String(contentsOfFile: w.path + "/board-sys/class/fpga_manager/fpga0/firmware", encoding: .utf8) == "zynqnet.bin")
        }
        // The board received the whole bundle.
        let fm = FileManager.default
        for f in ["manifest.json", "deploy.json", "zynqnet.bit", "zynqnet.hwh", "model.npz", "selftest/images.npz", "selftest/expected.npz"] {
            #expect(fm.fileExists(atPath: w.path + "/board/" + b + "/" + f), "\(f)")
        }
        // Expected outputs are the simulator's, for the stored images (independently rerun here).
        let sim = try CLI.run(["infer", w.path + "/bundle-a/selftest/images.npz", "--model", w.model, "--output", w.path + "/check.npz"])
        #expect(sim.status == 0)
        let expected = try NPZ.read(path: w.path + "/bundle-a/selftest/expected.npz")
        let check = try NPZ.read(path: w.path + "/check.npz")
        #expect(expected["outputs"] == check["outputs"] && expected["predictions"] == check["predictions"])
        #expect(expected["outputs"]?.shape.first == 8)
    }

    @Test func sudoAndRemoteOptions() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        // The fake board has sudo; zynqnet-board goes to --remote-dir and runs from there.
        try w.script("board-bin/sudo", "#!/bin/bash\n[ \"$1\" = -n ] && shift && exec \"$@\"")
        let r = try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://root@10.0.0.7",
                           "-o", "only-bit", "--sudo", "--remote-dir", "apps/zn"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(w.calls.map { $0.last! } == [
            "uname -m", "mkdir -p -- 'apps/zn'", "root@10.0.0.7:apps/zn/zynqnet-board",
            "sudo -n 'apps/zn/zynqnet-board' doctor --json --buffer-bytes \(w.bufferBytes)",
            "root@10.0.0.7:apps/zn/",
            "sudo -n 'apps/zn/zynqnet-board' load 'apps/zn/only-bit' --json",
        ])
        #expect(r.stderr.contains("no --model: the bitstream is loaded but no self-test runs"))
    }

    @Test func aBoardThatComputesDifferentlyFails() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                           "--via", "ssh://xilinx@pynq", "-o", "bundle-b"], extra: ["FAKE_BOARD_FLIP": "1"])
        #expect(r.status == 1)
        // zynqnet-board's selftest --json result: the differing images, as deploy names them.
        let expected = try NPZ.read(path: w.path + "/bundle-b/selftest/expected.npz")["outputs"]!.integers()!
        let classes = try NPZ.read(path: w.path + "/bundle-b/selftest/expected.npz")["outputs"]!.shape[1]
        #expect(lastLine(r.stderr) == "error: 'selftest': the board's outputs differ from the simulator's on 1 of 16 images: image 3: output 1 is \(expected[3 * classes + 1] + 1) on the board, \(expected[3 * classes + 1]) in the simulator")
        #expect(!r.stdout.contains("deployed to"))
        // A self-test that fails without a result (here: the bundle's images are gone) is the board's own last line.
        let gone = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                              "--via", "ssh://xilinx@pynq", "-o", "bundle-c"], extra: ["FAKE_BOARD_NO_IMAGES": "1"])
        #expect(gone.status == 1)
        #expect(lastLine(gone.stderr) == "error: 'selftest': the self-test failed on the board (exit code 1): error: zynqnet/bundle-c/selftest/images.npz: cannot read images")
    }

    @Test func aBoardThatFailsDoctorGetsNoBundle() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        try FileManager.default.removeItem(atPath: w.path + "/board-fs/sys/class/u-dma-buf")
        let r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                           "--via", "ssh://xilinx@pynq", "-o", "bundle-d"])
        #expect(r.status == 1)
        #expect(lastLine(r.stderr) == "error: 'doctor': the board is not ready (only zynqnet-board was copied): udmabuf: no u-dma-buf device 'udmabuf0' (\(w.path)/board-fs/sys/class/u-dma-buf/udmabuf0) (fix: build and load u-dma-buf on the board (docs/board-setup.md): insmod u-dma-buf.ko udmabuf0=\(w.bufferBytes))")
        // zynqnet-board was copied to run its doctor; then nothing: no bundle, nothing loaded.
        #expect(w.calls.map { $0.last! } == ["uname -m", "mkdir -p -- 'zynqnet'", "xilinx@pynq:zynqnet/zynqnet-board",
                                               "'zynqnet/zynqnet-board' doctor --json --buffer-bytes \(w.bufferBytes)"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.path + "/board/zynqnet") == ["zynqnet-board"])
    }

    @Test func sshFailureNamesTheStep() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let r = try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://xilinx@pynq", "-o", "c"],
                          extra: ["FAKE_SSH_FAIL": "1"])
        #expect(r.status == 1)
        #expect(lastLine(r.stderr) == "error: 'ssh': step 'check the board's architecture (uname -m)' failed with exit code 255: ssh: connect to host pynq port 22: Connection refused")
        let noSSH = try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://xilinx@pynq", "-o", "d"],
                              extra: ["PATH": "/nonexistent"])
        #expect(noSSH.status == 1)
        #expect(lastLine(noSSH.stderr) == "error: 'ssh': 'ssh' was not found on PATH (install OpenSSH client tools)")
    }

    /// zynqnet-board is armv7 hard-float: a board whose `uname -m` says otherwise gets nothing.
    @Test func aBoardThatIsNotArmv7lIsNamedAndGetsNothing() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        for arch in ["aarch64", "x86_64"] {
            let r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                               "--via", "ssh://xilinx@pynq", "-o", "b-\(arch)"], extra: ["FAKE_UNAME": arch])
            #expect(r.status == 1)
            #expect(lastLine(r.stderr) == "error: 'uname -m': the board's architecture is \(arch), not armv7l: zynqnet-board is a 32-bit ARM "
                    + "(armv7 hard-float) executable for the Zynq-7000's Linux; nothing was copied")
        }
        #expect(w.calls.map { $0.last! } == ["uname -m", "uname -m"])
        #expect(!FileManager.default.fileExists(atPath: w.path + "/board/zynqnet"))
    }

    /// No zynqnet-board: one line naming the command that builds it, before anything is written or run.
    @Test func aMissingBoardBinaryNamesTheCommandThatBuildsIt() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let args = ["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit", "--via", "ssh://xilinx@pynq", "-o", "nb"]
        var r = try w.run(args, extra: ["ZYNQNET_BOARD_BINARY": w.path + "/nope"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(w.path)/nope: 'ZYNQNET_BOARD_BINARY': no zynqnet-board executable here; build it with "
                + "scripts/build-board.sh in the zynqnet checkout (it writes build/board/zynqnet-board)\n")
        r = try w.run(args + ["--board-binary", "nope"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: nope: '--board-binary': no zynqnet-board executable here; build it with "
                + "scripts/build-board.sh in the zynqnet checkout (it writes build/board/zynqnet-board)\n")
        // Nowhere to be found: zynqnet installed alone (a link to it in an empty directory), run there.
        let lone = w.path + "/lone"
        try FileManager.default.createDirectory(atPath: lone, withIntermediateDirectories: true)
        do { try FileManager.default.linkItem(atPath: CLI.executable.path, toPath: lone + "/zynqnet") } catch {
            try FileManager.default.copyItem(atPath: CLI.executable.path, toPath: lone + "/zynqnet")
        }
        var env = w.environment
        env["ZYNQNET_BOARD_BINARY"] = nil
        r = try runProcess(lone + "/zynqnet", args.map { $0 == "build/zynqnet.bit" ? w.path + "/build/zynqnet.bit" : $0 }, cwd: URL(fileURLWithPath: lone),
                           environment: env, inheritEnvironment: false)
        #expect(r.status == 1)
        #expect(r.stderr == "error: 'zynqnet-board': not built: deploy --via ssh copies it to the board (which needs no Swift, Python or zlib); "
                + "build it with scripts/build-board.sh in the zynqnet checkout (it writes build/board/zynqnet-board), or pass --board-binary FILE "
                + "(looked beside zynqnet and for build/board/zynqnet-board above it and here)\n")
        #expect(w.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: w.path + "/nb") && !FileManager.default.fileExists(atPath: lone + "/nb"))
        // --board-binary is for --via ssh.
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "jtag", "--board-binary", "x"]).status == 2)
    }

    /// Without --board-binary or the variable, the checkout's build/board/zynqnet-board (above the
    /// zynqnet executable) is the one copied.
    @Test func theCheckoutsBuildIsFoundByDefault() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var env = w.environment
        env["ZYNQNET_BOARD_BINARY"] = nil
        let r = try runProcess(CLI.executable.path, ["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://xilinx@pynq", "--dry-run"],
                               cwd: w.root, environment: env, inheritEnvironment: false)
        let built = repoPath("build/board/zynqnet-board")
        if FileManager.default.isExecutableFile(atPath: built) {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("would run: scp -o BatchMode=yes -o ConnectTimeout=15 -p -q -- \(built) xilinx@pynq:zynqnet/zynqnet-board\n"), "\(r.stdout)")
        } else {
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("error: 'zynqnet-board': not built:"))
        }
    }

    @Test func checksHappenBeforeAnythingIsCopied() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        // Another board.
        var r = try w.run(["deploy", "--board", "zybo-z7-20", "--bitstream", "build/zynqnet.bit", "--via", "ssh://xilinx@pynq"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/manifest.json: 'board': the design was built for 'pynq-z2', not zybo-z7-20\n")
        // A bitstream for another part.
        try FileManager.default.copyItem(atPath: CLI.fixture("bit/synthetic-7z010.bit"), toPath: w.path + "/build/other.bit")
        r = try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/other.bit", "--via", "ssh://xilinx@pynq"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/other.bit: 'part': the bitstream is for xc7z010clg400, but TUL PYNQ-Z2 has xc7z020clg400-1; nothing was programmed\n")
        // A model with another topology.
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", CLI.fixture("golden/width_1.model.npz"), "--bitstream", "build/zynqnet.bit",
                       "--via", "ssh://xilinx@pynq"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: build/manifest.json: 'topology_hash': the design's topology 0x"))
        #expect(w.calls.isEmpty)
        // Usage errors exit 2.
        #expect(try w.run(["deploy", "--board", "pynq-z3", "--bitstream", "x.bit", "--via", "jtag"]).status == 2)
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "x.bit", "--via", "ssh://-oProxyCommand=x@h"]).status == 2)
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "x.bit", "--bundle", "b", "--via", "jtag"]).status == 2)
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "x.bit", "--via", "ssh://a@b", "--remote-dir", "a b"]).status == 2)
    }

    /// The topology hash leaves roundings out: a model of the design's topology that rounds
    /// half_even, where the design's requantizers were built for floor and half_up (the fixture
    /// rounds half_up), is refused on the host by manifest.json's layer_roundings, in one line,
    /// before anything is written or copied, with --bitstream and from the registry.
    @Test func aModelWithARoundingTheDesignLacksIsRefused() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var model = try QuantizedModel.load(path: w.model)
        #expect(model.layers.map(\.rounding) == [.halfUp, .halfUp])
        model.layers[0].rounding = .halfEven
        try model.save(to: w.path + "/even.model.npz")
        let line = "'layer_roundings[0]': the model's layer 0 rounds half_even, but the design's layer 0 requantizer was built for floor, half_up only; "
            + "build a design for this model: zynqnet codegen even.model.npz --board pynq-z2 -o build-pynq-z2 (nothing was written)\n"
        var r = try w.run(["deploy", "--board", "pynq-z2", "--model", "even.model.npz", "--bitstream", "build/zynqnet.bit", "-o", "bundle-even"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/manifest.json: " + line)
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", "even.model.npz", "--bitstream", "build/zynqnet.bit",
                       "--via", "ssh://xilinx@pynq", "-o", "bundle-even"])
        #expect(r.status == 1 && r.stderr == "error: build/manifest.json: " + line)
        #expect(w.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bundle-even"))
        // From the registry: the one bitstream of the topology does not fit; its manifest is named.
        r = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let registered = try FileManager.default.contentsOfDirectory(atPath: w.path + "/bitstreams").filter { $0.hasSuffix(".manifest.json") }
        #expect(registered.count == 1)
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", "even.model.npz", "--via", "ssh://xilinx@pynq", "-o", "bundle-even"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: bitstreams/\(registered.first ?? ""): " + line)
        #expect(w.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bundle-even"))
        // The model itself (half_up) still deploys from the registry.
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--via", "ssh://xilinx@pynq", "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func registryLookupAndHowToBuild() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--via", "ssh://xilinx@pynq", "--dry-run"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no bitstream for pynq-z2 with the model's topology"))
        #expect(r.stderr.contains("vivado -mode batch -source build.tcl"))
        r = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let list = try w.run(["bitstreams", "list", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: w.root.appendingPathComponent("build/manifest.json"))) as? [String: Any])
        // Printed in one case everywhere: "0x" and 16 lower-case digits (manifest.json's value, any case).
        let hash = try #require((manifest["topology_hash"] as? String)?.lowercased())
        #expect(entries[0]["topology_hash"] as? String == hash && hash.count == 18)
        #expect(entries[0]["board"] as? String == "pynq-z2" && entries[0]["part"] as? String == "xc7z020clg400-1")
        #expect(entries[0]["fclk_mhz"] as? Double == manifest["fclk_mhz"] as? Double)
        let sha = try CLI.runTool("/usr/bin/sha256sum", [w.path + "/build/zynqnet.bit"])
        #expect(entries[0]["sha256"] as? String == String(sha.prefix(64)))
        let file = try #require(entries[0]["file"] as? String)
        #expect(FileManager.default.fileExists(atPath: w.path + "/bitstreams/" + file))
        #expect(entries[0]["hwh"] as? String == file.replacingOccurrences(of: ".bit", with: ".hwh"))
        // Now deploy finds it from the model alone.
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--via", "ssh://xilinx@pynq", "-o", "from-registry"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("(registered, topology \(hash))"))
        #expect(w.calls.count == 7)
        // A changed registered file is refused.
        try Data("x".utf8).write(to: w.root.appendingPathComponent("bitstreams/" + file))
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--via", "ssh://xilinx@pynq", "--dry-run"])
        #expect(r.status == 1 && r.stderr.contains("'sha256': does not match"))
    }

    @Test func bitstreamsAddRefusesMismatches() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        try FileManager.default.copyItem(atPath: CLI.fixture("bit/synthetic-7z010.bit"), toPath: w.path + "/build/other.bit")
        let r = try w.run(["bitstreams", "add", "build/other.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/other.bit: 'part': the bitstream is for xc7z010clg400, but the manifest's board TUL PYNQ-Z2 has xc7z020clg400-1; nothing was registered\n")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bitstreams"))
        let m = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/nope.json"])
        #expect(m.status == 1 && m.stderr == "error: build/nope.json: cannot read manifest\n")
        // A design build.tcl recorded as failing timing (kept with --allow-timing-failure).
        let text = try String(contentsOfFile: w.path + "/build/manifest.json", encoding: .utf8)
        let failed = text.replacingOccurrences(of: "{\n", with: "{\n  \"timing\": {\"wns_ns\": -0.412, \"whs_ns\": 0.050, \"fclk_mhz\": 100.000000, \"fclk_achieved_mhz\": 96.043, \"met\": false, \"allowed_failure\": true},\n", options: [], range: text.range(of: "{\n"))
        try failed.write(toFile: w.path + "/build/failed.json", atomically: true, encoding: .utf8)
        let t = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/failed.json"])
        #expect(t.status == 1)
        #expect(t.stderr == "error: build/failed.json: 'timing': the design failed timing (WNS -0.412 ns, WHS 0.05 ns at 100.0 MHz, kept with --allow-timing-failure): it may compute wrong results; rebuild at a lower --fclk; nothing was registered\n")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bitstreams"))
    }

    /// PYNQ-Z2 and Zybo Z7-20 designs share the part; the .hwh beside the .bit tells them apart.
    @Test func bitstreamsAddTellsThePYNQZ2FromTheZyboZ720() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let hwh = w.root.appendingPathComponent("build/zynqnet.hwh")
        try Data(#"<MODULE><SYSTEMINFO ARCH="zynq" BOARD="digilentinc.com:zybo-z7-20:part0:1.2" DEVICE="7z020"/></MODULE>"#.utf8).write(to: hwh)
        var r = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/zynqnet.hwh: 'BOARD': the design was built for board part digilentinc.com:zybo-z7-20:part0:1.2, the manifest says pynq-z2 (tul.com.tw:pynq-z2:part0:1.0)\n")
        // Without board files (no BOARD attribute) the PS crystal still tells: 33.333333 MHz is the Zybo's.
        try Data(#"<MODULE><PARAMETER NAME="PCW_CRYSTAL_PERIPHERAL_FREQMHZ" VALUE="33.333333"/></MODULE>"#.utf8).write(to: hwh)
        r = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: build/zynqnet.hwh: 'PCW_CRYSTAL_PERIPHERAL_FREQMHZ': 33.333333 MHz is not the 50.0 MHz PS crystal of pynq-z2: the design was built for another board\n")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bitstreams/manifest.json"))
        try Data(#"<MODULE><SYSTEMINFO BOARD="tul.com.tw:pynq-z2:part0:1.0"/><PARAMETER NAME="PCW_CRYSTAL_PERIPHERAL_FREQMHZ" VALUE="50"/></MODULE>"#.utf8).write(to: hwh)
        r = try w.run(["bitstreams", "add", "build/zynqnet.bit", "--manifest", "build/manifest.json"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func bundleOnlyAndReuse() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit", "-o", "kit", "--selftest-count", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: w.root.appendingPathComponent("kit/deploy.json"))) as? [String: Any])
        #expect(info["board"] as? String == "pynq-z2" && info["model"] as? String == "model.npz" && info["mult_bits"] as? Int == 32)
        #expect((info["selftest"] as? [String: Any])?["count"] as? Int == 4)
        // The same output again is refused, nothing changed.
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit", "-o", "kit"])
        #expect(r.status == 1 && r.stderr == "error: kit: already exists; remove it or choose another -o/--output\n")
        // The bundle deploys as it is.
        r = try w.run(["deploy", "--board", "pynq-z2", "--bundle", "kit", "--via", "ssh://xilinx@pynq", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let selftest = try #require(report["selftest"] as? [String: Any])
        #expect(selftest["images"] as? Int == 4 && selftest["passed"] as? Bool == true)
        #expect((report["steps"] as? [[String: Any]])?.count == 7)
    }

    @Test func selftestCountZeroAndMultiplierWidth() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit",
                           "--via", "ssh://xilinx@pynq", "-o", "no-test", "--selftest-count", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(w.calls.count == 6)
        #expect(FileManager.default.fileExists(atPath: w.path + "/no-test/model.npz"))
        #expect(!FileManager.default.fileExists(atPath: w.path + "/no-test/selftest/expected.npz"))
        // A design generated for 20-bit multipliers matches the model at 20 bits (the model's M fit).
        let small = CLI.fixture("golden/s0_m1_floor.model.npz")  // every M is 1
        let g = try w.run(["codegen", small, "--board", "pynq-z2", "--mult-bits", "20", "-o", "build20"])
        #expect(g.status == 0, "\(g.stderr)")
        r = try w.run(["deploy", "--board", "pynq-z2", "--model", small, "--bitstream", "build/zynqnet.bit", "--manifest", "build20/manifest.json",
                       "--via", "ssh://xilinx@pynq", "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("matches the model (20-bit multipliers)"))
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://a@b", "--remote-dir", "~/zn"]).status == 2)
    }

    @Test func jtagWithoutACableFailsCleanly() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let r = try w.run(["deploy", "--board", "zybo-z7-20", "--bitstream", CLI.fixture("bit/synthetic-7z020.bit"), "--via", "jtag", "--serial", "none-such"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("JTAG: Keep the boot-mode jumper (JP5) on SD so Linux boots from the SD card; JTAG then programs only the PL"))
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last == "error: 'jtag': no such device: USB 0403:6010 serial 'none-such' found; is the board powered and its PROG/UART USB port connected?"
                || last.hasPrefix("error: 'jtag': cannot initialise libusb"), "\(last)")
        // JTAG alone cannot deploy: nothing initialises the PS. Said plainly, exit 1.
        let dry = try w.run(["deploy", "--board", "zybo-z7-20", "--bitstream", CLI.fixture("bit/synthetic-7z020.bit"), "--via", "jtag", "--dry-run", "--usb", "1-2.3"])
        #expect(dry.status == 1)
        #expect(dry.stdout.contains("would program \(CLI.fixture("bit/synthetic-7z020.bit")) over JTAG (USB 0403:6010 at 1-2.3)"))
        #expect(lastLine(dry.stderr) == "error: 'jtag': dry run: the PL is programmed but the design is NOT deployed: nothing initialised the PS (ps7_init: DDR, FCLK0, level shifters, PL reset) for it. Boot the board's Linux from SD and add --ssh ssh://user@host (zynqnet load --pl-configured finishes it there), or deploy with --via ssh")
        #expect(w.calls.isEmpty)
    }

    /// JTAG with Linux running: doctor and the bundle before programming, the finish on the board after.
    @Test func jtagWithSSHFinishesOnTheBoard() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        let r = try w.run(["deploy", "--board", "pynq-z2", "--model", w.model, "--bitstream", "build/zynqnet.bit", "--via", "jtag",
                           "--ssh", "ssh://xilinx@pynq", "-o", "jb", "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("would ") }
        #expect(lines.count == 7)
        #expect(lines[0].hasSuffix("'zynqnet' doctor --json --buffer-bytes \(w.bufferBytes)"))
        #expect(lines[2].hasPrefix("would run: scp "))
        #expect(lines[3] == "would program build/zynqnet.bit over JTAG (USB 0403:6010)")
        #expect(lines[4].hasSuffix("'zynqnet' load 'zynqnet/jb' --pl-configured --json"))
        #expect(lines[5].contains("'zynqnet' infer "))
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "ssh://x@y", "--ssh", "ssh://x@y"]).status == 2)
        #expect(try w.run(["deploy", "--board", "pynq-z2", "--bitstream", "build/zynqnet.bit", "--via", "jtag", "--ssh", "pynq"]).status == 2)
    }
}

/// The last non-empty line of a command's output.
func lastLine(_ s: String) -> String { s.split(separator: "\n").last.map(String.init) ?? "" }

@Suite("zynqnet deploy / load / infer: names and bundles")
struct BundleNameTests {
    @Test("deploy --dry-run needs no -o; --board in any case; --bundle that is not a folder is named")
    func deployDryRunAndNames() throws {
        let w = try DeployWorkspace()
        defer { w.remove() }
        var r = try w.run(["deploy", "--board", "PYNQ-Z2", "--bitstream", "build/zynqnet.bit", "--model", w.model, "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("checks passed; with -o DIR the bundle would be written there"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/bitstreams"))
        r = try w.run(["deploy", "--board", "pynq-z2", "--bundle", "nonexist", "-o", "x"])
        #expect(r.status == 2 && r.stderr.hasPrefix("Error: --bundle 'nonexist' is not a directory (a bundle written by an earlier deploy -o)\n"), "\(r.stderr)")
        r = try CLI.run(["infer", CLI.fixture("golden/signs_usu.images.npz"), "--model", CLI.fixture("golden/signs_usu.model.npz"),
                         "--backend", "loopback", "--bundle", w.path + "/nonexist"])
        #expect(r.status == 2 && r.stderr.hasPrefix("Error: --bundle '\(w.path)/nonexist' is not a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains("'open'"))
    }

    @Test("load on a folder without a bitstream says so first")
    func loadWithoutBitstream() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try CLI.run(["load", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(dir.path): no bitstream (zynqnet.bit) and no manifest.json: not a bundle (zynqnet deploy -o DIR makes one)\n")
        let codegen = try CLI.run(["codegen", CLI.fixture("golden/bottleneck_1.model.npz"), "--board", "pynq-z2", "-o", dir.path + "/build"])
        #expect(codegen.status == 0, "\(codegen.stderr)")
        try FileManager.default.copyItem(atPath: dir.path + "/build/manifest.json", toPath: dir.path + "/manifest.json")
        r = try CLI.run(["load", dir.path, "--sysfs-root", dir.path + "/sys"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(dir.path)/zynqnet.bit: no bitstream: the bundle's manifest.json names zynqnet.bit, which is not in \(dir.path)\n")
    }
}
