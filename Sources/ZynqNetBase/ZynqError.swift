/// The one error type for bad input: it names the file and, where there is one,
/// the key (npz member, register, option) that is wrong, in a single line.
public struct ZynqError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in, if any.
    public var file: String?
    /// The key, member, register or option that is wrong, if any.
    public var key: String?
    public var message: String

    public init(file: String? = nil, key: String? = nil, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    /// The same error, attributed to `file` if it does not name one yet.
    public func inFile(_ file: String) -> ZynqError {
        var e = self
        if e.file == nil { e.file = file }
        return e
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let key { parts.append("'\(key)'") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
