import Foundation

/// The Foundation side of `FileProblem` (host only: the board build has no Foundation).
extension FileProblem {
    /// The reason for any error a file operation threw: a `ZynqError`'s message, an errno
    /// behind a CocoaError/NSError, or a CocoaError code; else Foundation's description,
    /// cut to its first line.
    public static func reason(_ error: Error) -> String {
        if let z = error as? ZynqError { return z.message }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? NSError, under.domain == NSPOSIXErrorDomain {
            return reason(errno: Int32(under.code))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteVolumeReadOnly: return "read-only file system"
            case .fileWriteFileExists: return "already exists"
            case .fileReadCorruptFile: return "the file is corrupt"
            case .fileReadInapplicableStringEncoding: return "not valid text"
            case .fileReadTooLarge: return "too large"
            case .fileWriteInvalidFileName: return "invalid file name"
            case .fileLocking: return "cannot be locked"
            default: break
            }
        }
        let text = String(describing: error)
        return String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "unknown error")
    }

    /// `error` as one line naming `path` (the path the user typed): a `ZynqError` that names a
    /// file is kept as it is.
    public static func error(_ error: Error, path: String, key: String? = nil) -> ZynqError {
        if let z = error as? ZynqError, z.file != nil { return z }
        return ZynqError(file: path, key: key, reason(error))
    }

    /// Runs `body`; any error becomes one line naming `path` (see `error(_:path:key:)`).
    public static func attributing<T>(to path: String, key: String? = nil, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw self.error(error, path: path, key: key) }
    }
}
