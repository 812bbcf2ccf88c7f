import Foundation
import Testing
import ZynqNetBase
import ZynqNetLinux
import ZynqNetRuntime
import ZynqNetTestSupport

/// runtime.json through the project's strict JSON reader (the board binary reads it too):
/// every key optional, an unknown key or a wrong type is one line naming the file and key.
@Suite struct RuntimeConfigTests {
    func parse(_ text: String) throws(ZynqError) -> BoardConfig { try BoardConfig.parse(Array(text.utf8), file: "rt.json") }

    func failure(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "parsed"
        } catch {
            return error.description
        }
    }

    @Test func theFuzzSeedsParse() throws {
        let seeds = repoPath("Fuzz/json-seeds")
        let names = try FileManager.default.contentsOfDirectory(atPath: seeds).filter { $0.hasPrefix("runtime-") }.sorted()
        #expect(names == ["runtime-devmem.json", "runtime-empty.json", "runtime-uio-reserved.json", "runtime-uio.json"])
        let devmem = try BoardConfig.load(path: seeds + "/runtime-devmem.json")
        #expect(devmem.lock_dir == "/run/lock" && devmem.buffer_mode == .writeCombine && devmem.check_ps && devmem.timeout_ms == 2000)
        #expect(try BoardConfig.load(path: seeds + "/runtime-empty.json") == BoardConfig())
        let uio = try BoardConfig.load(path: seeds + "/runtime-uio-reserved.json")
        #expect(uio.access == "uio" && uio.uio_dma == "dma0" && uio.uio_accelerator == "accel0" && uio.lock_dir == nil)
        #expect(uio.buffer == "devmem:0x1F000000:0x01000000" && uio.buffer_cached && uio.buffer_mode == .cached)
        #expect(uio.timeout_ms == 3_600_000 && !uio.check_ps)
        #expect(try BoardConfig.load(path: seeds + "/runtime-uio.json").buffer_mode == .uncached)
    }

    @Test func badFilesAreOneLineNamingFileAndKey() {
        #expect(failure(#"{"timeout": 5}"#) == "rt.json: 'timeout': unknown key; runtime.json may have access, uio_dma, uio_accelerator, buffer, buffer_cached, buffer_mode, timeout_ms, lock_dir, sysfs_root, dev_root, dev_mem, proc_root, check_ps")
        #expect(failure(#"{"check_ps": "yes"}"#) == #"rt.json: 'check_ps': must be true or false, got "yes""#)
        #expect(failure(#"{"buffer": 3}"#) == "rt.json: 'buffer': must be a string, got 3")
        #expect(failure(#"{"access": "pci"}"#) == #"rt.json: 'access': must be "devmem" or "uio", got "pci""#)
        #expect(failure(#"{"buffer_mode": "fast"}"#) == #"rt.json: 'buffer_mode': must be "writecombine", "uncached" or "cached", got "fast""#)
        for t in ["0", "3600001", "2.5", "\"2000\"", "-1"] {
            #expect(failure(#"{"timeout_ms": \#(t)}"#) == "rt.json: 'timeout_ms': must be 1...3600000", "\(t)")
        }
        #expect(failure("[]") == "rt.json: must be an object, got an array")
        #expect(failure(#"{"access": "uio",}"#).hasPrefix("rt.json: "))
        #expect(failure(#"{"access": "uio", "access": "devmem"}"#).hasPrefix("rt.json: "))
    }
}
