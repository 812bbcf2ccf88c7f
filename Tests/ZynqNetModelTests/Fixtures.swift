import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// The committed fixtures of `Tests/Fixtures/io/` (made by `Tests/Fixtures/scripts/make_npy_fixtures.py`
/// with NumPy) and the values NumPy reported for them in `manifest.json`.
enum Fixtures {
    static let root: URL = fixturesRoot.appendingPathComponent("io")

    struct Expected: Decodable, Sendable, CustomStringConvertible {
        var dtype: String
        var shape: [Int]
        var values: [String]
        var file: String?
        var description: String { file ?? dtype }
    }

    struct NPZExpected: Decodable, Sendable {
        var file: String
        var arrays: [String: Expected]
    }

    struct Manifest: Decodable, Sendable {
        var npy: [String: Expected]
        var npz: [String: NPZExpected]
        var idx: [String: Expected]
    }

    static let manifest: Manifest = {
        let data = try! Data(contentsOf: root.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static var npyNames: [String] { manifest.npy.keys.sorted() }
    static var idxNames: [String] { manifest.idx.keys.sorted() }

    /// The decoded array in the manifest's notation (see the fixture script).
    static func valueStrings(_ a: NDArray) -> [String] {
        switch a.storage {
        case .bool(let v): return v.map { $0 ? "1" : "0" }
        case .int8(let v): return v.map { String($0) }
        case .int16(let v): return v.map { String($0) }
        case .int32(let v): return v.map { String($0) }
        case .int64(let v): return v.map { String($0) }
        case .uint8(let v): return v.map { String($0) }
        case .uint16(let v): return v.map { String($0) }
        case .uint32(let v): return v.map { String($0) }
        case .uint64(let v): return v.map { String($0) }
        case .float32(let v): return v.map { hex($0.bitPattern, digits: 8) }
        case .float64(let v): return v.map { hex($0.bitPattern, digits: 16) }
        case .unicode(let v, _): return v
        }
    }

    static func hex<T: BinaryInteger>(_ v: T, digits: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Checks an array against NumPy's report, exactly.
    static func expectMatches(_ a: NDArray, _ e: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.dtype.description == e.dtype, "dtype of \(e)", sourceLocation: sourceLocation)
        #expect(a.shape == e.shape, "shape of \(e)", sourceLocation: sourceLocation)
        #expect(valueStrings(a) == e.values, "values of \(e)", sourceLocation: sourceLocation)
    }

    /// Python 3 with NumPy, if this machine has it (for the interoperability tests).
    static let python: String? = {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            if let out = try? runProcess(candidate, ["-c", "import numpy; print('ok')"], combined: true), out.status == 0 { return candidate }
        }
        return nil
    }()

    /// CPU seconds `body` takes on this thread: load on the machine does not inflate it.
    static func threadCPUSeconds(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let start = now()
        try body()
        return now() - start
    }

    /// Runs `body`, which must throw a `ZynqError`; returns it.
    @discardableResult
    static func expectZynqError(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                                _ body: () throws -> Void) -> ZynqError? {
        do {
            try body()
            Issue.record("expected an error: \(what)", sourceLocation: sourceLocation)
            return nil
        } catch let e as ZynqError {
            #expect(!e.description.contains("\n"), "one-line error", sourceLocation: sourceLocation)
            return e
        } catch {
            Issue.record("not a ZynqError for \(what): \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
