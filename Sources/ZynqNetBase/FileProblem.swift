import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Short reasons for file errors, in one place: errno values and Foundation's CocoaError
/// codes become "permission denied", "no such file or directory", … (never a Foundation
/// dump naming a temporary path).
public enum FileProblem {
    /// The reason for an errno value.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied"
        case ENOENT: return "no such file or directory"
        case ENOTDIR: return "a part of the path is not a directory"
        case EISDIR: return "is a directory"
        case EEXIST: return "already exists"
        case ENOTEMPTY: return "directory not empty"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "read-only file system"
        case ENAMETOOLONG: return "name too long"
        case ELOOP: return "too many symbolic links"
        case EXDEV: return "on another file system"
        case EMFILE, ENFILE: return "too many open files"
        case EIO: return "input/output error"
        default:
            if let c = strerror(code) { return String(cString: c).lowercased() }
            return "error \(code)"
        }
    }

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
