#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Short reasons for file errors, in one place: errno values (here) and Foundation's
/// CocoaError codes (FileProblemFoundation.swift, host only) become "permission denied",
/// "no such file or directory", … (never a Foundation dump naming a temporary path).
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
}
