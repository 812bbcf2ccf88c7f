import Testing
import ZynqNetDeploy

@Suite struct SSHTargets {
    @Test func parsing() {
        #expect(SSHTarget.parse("ssh://xilinx@pynq") == SSHTarget(user: "xilinx", host: "pynq", port: nil))
        #expect(SSHTarget.parse("ssh://root@192.168.2.99:2222/") == SSHTarget(user: "root", host: "192.168.2.99", port: 2222))
        #expect(SSHTarget.parse("ssh://a_b.c@board-1.local")?.destination == "a_b.c@board-1.local")
        for bad in ["pynq", "ssh://pynq", "ssh://@pynq", "ssh://x@", "ssh://x@h:0", "ssh://x@h:99999", "ssh://-oProxyCommand=x@h",
                    "ssh://x@-h", "ssh://x y@h", "ssh://x@h;rm", "ssh://x@h/path", "ssh://x@[::1]"] {
            #expect(SSHTarget.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func remotePaths() {
        for ok in ["zynqnet", "apps/zn", "/opt/zynqnet/bundles", "a.b_c-d"] { #expect(RemotePlan.isSafeRemotePath(ok), "\(ok)") }
        for bad in ["", "-x", "a b", "../x", "a/../b", "~/x", "a;b", "a'b", "$HOME", "a\nb", "zyn\u{e9}"] {
            #expect(!RemotePlan.isSafeRemotePath(bad), "\(bad)")
        }
    }

    @Test func planWithoutSelftest() {
        let p = RemotePlan(target: SSHTarget(user: "u", host: "h", port: nil), localBundle: "/tmp/b1", remoteParent: "zn",
                           remoteZynqnet: "zynqnet", sudo: false, selftest: false, localResult: "/tmp/b1/selftest/board.npz")
        #expect(p.steps.map { $0.argv } == [
            ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "--", "u@h", "mkdir -p -- 'zn'"],
            ["scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-r", "-q", "--", "/tmp/b1", "u@h:zn/"],
            ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "--", "u@h", "'zynqnet' load 'zn/b1' --json"],
        ])
    }
}
