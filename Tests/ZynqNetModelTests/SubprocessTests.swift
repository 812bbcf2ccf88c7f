import Foundation
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// Subprocess: children in their own process group, status and output captured.
@Suite struct SubprocessTests {
    @Test func statusOutputAndOwnGroup() throws {
        let r = try Subprocess.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(r.status == 3)
        #expect(r.output == "out\nerr\n")
        // The child leads its own group (pgid == its pid), not ours.
        let g = try Subprocess.run("sh", ["-c", "echo $$ $(cut -d' ' -f5 /proc/$$/stat)"])
        let f = g.output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(f.count == 2 && f[0] == f[1], "\(g.output)")
        #expect(f.first != String(getpgrp()))
        // cwd and environment reach the child.
        let c = try Subprocess.run("sh", ["-c", "pwd; echo $ZN_X"], cwd: "/", environment: ["ZN_X": "7", "PATH": "/usr/bin:/bin"])
        #expect(c.output == "/\n7\n")
    }

    @Test func signalledChildAndMissingTool() throws {
        let k = try Subprocess.run("sh", ["-c", "kill -9 $$"])
        #expect(k.status == 128 + 9)
        #expect(throws: ZynqError(key: "zynqnet-no-such-tool", "cannot be run: not found on PATH (install it)")) {
            _ = try Subprocess.run("zynqnet-no-such-tool", [])
        }
        // terminate() ends the whole group, grandchildren too.
        let p = try Subprocess("sh", ["-c", "sleep 30 & sleep 30"])
        usleep(200_000)
        #expect(Subprocess.groupAlive(p.pid))
        p.terminate()
        let deadline = Date().addingTimeInterval(5)
        while Subprocess.groupAlive(p.pid) && Date() < deadline { usleep(20_000) }
        #expect(!Subprocess.groupAlive(p.pid))
    }
}
