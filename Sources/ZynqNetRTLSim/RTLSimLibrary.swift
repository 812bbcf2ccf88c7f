import CZynqNetRTLSim
import Foundation
import ZynqNetBase
import ZynqNetModel

/// A loaded rtlsim shared library: its function table (`zn_rtlsim.h`). Libraries stay loaded
/// for the life of the process (one per design build), so tables may be shared freely.
public struct RTLSimLibrary: @unchecked Sendable {
    public let path: String
    let api: zn_rtl_api

    /// Whether the library was built with FST tracing.
    public var supportsTracing: Bool { api.trace_support != 0 }

    nonisolated(unsafe) static var loaded: [String: zn_rtl_api] = [:]
    static let lock = NSLock()

    /// Loads (once per process) the library at `path`.
    public static func load(_ path: String) throws -> RTLSimLibrary {
        lock.lock()
        defer { lock.unlock() }
        if let api = loaded[path] { return RTLSimLibrary(path: path, api: api) }
        var api = zn_rtl_api()
        var message = [CChar](repeating: 0, count: 512)
        let rc = message.withUnsafeMutableBufferPointer { zn_rtlsim_load(path, &api, $0.baseAddress, $0.count) }
        guard rc == 0 else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ZynqError(file: path, "cannot load the rtlsim library: \(text)")
        }
        // Every entry of the table is called unwrapped: check them once here.
        let entries: [Any?] = [api.create, api.destroy, api.reset, api.trace_open, api.trace_close, api.axil_write, api.axil_read,
                               api.start, api.stop, api.advance, api.progress, api.datapath_reset_begin,
                               api.datapath_reset_end, api.run, api.set_streams, api.stats, api.clear_stats, api.error]
        guard entries.allSatisfy({ $0 != nil }) else {
            throw ZynqError(file: path, "the rtlsim library's function table is incomplete (rebuild the cache)")
        }
        loaded[path] = api
        return RTLSimLibrary(path: path, api: api)
    }
}
