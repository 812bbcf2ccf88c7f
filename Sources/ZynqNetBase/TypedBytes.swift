/// Typed-throws forms of the standard library's `rethrows` byte accessors: in Embedded Swift
/// (the board build) an untyped error is an `any Error` existential, which cannot be used, so
/// code that throws `ZynqError` from inside such a closure calls these instead.
extension Array {
    /// `withUnsafeBytes`, passing a `ZynqError` through.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZynqError) -> R) throws(ZynqError) -> R {
        var result: Result<R, ZynqError>? = nil
        withUnsafeBytes { b in
            do throws(ZynqError) { result = .success(try body(b)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }

    /// `withUnsafeMutableBytes`, passing a `ZynqError` through.
    @inlinable
    public mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(ZynqError) -> R) throws(ZynqError) -> R {
        var result: Result<R, ZynqError>? = nil
        withUnsafeMutableBytes { b in
            do throws(ZynqError) { result = .success(try body(b)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }

    /// `withUnsafeBufferPointer`, passing a `ZynqError` through.
    @inlinable
    public func withBuffer<R>(_ body: (UnsafeBufferPointer<Element>) throws(ZynqError) -> R) throws(ZynqError) -> R {
        var result: Result<R, ZynqError>? = nil
        withUnsafeBufferPointer { b in
            do throws(ZynqError) { result = .success(try body(b)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }

    /// `withUnsafeMutableBufferPointer`, passing a `ZynqError` through.
    @inlinable
    public mutating func withMutableBuffer<R>(_ body: (inout UnsafeMutableBufferPointer<Element>) throws(ZynqError) -> R) throws(ZynqError) -> R {
        var result: Result<R, ZynqError>? = nil
        withUnsafeMutableBufferPointer { b in
            do throws(ZynqError) { result = .success(try body(&b)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }
}

extension String {
    /// `withCString`, passing a `ZynqError` through.
    @inlinable
    public func withCStringTyped<R>(_ body: (UnsafePointer<CChar>) throws(ZynqError) -> R) throws(ZynqError) -> R {
        var result: Result<R, ZynqError>? = nil
        withCString { p in
            do throws(ZynqError) { result = .success(try body(p)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }
}

#if hasFeature(Embedded)
/// Arrays in error messages (`got [0, 1]`): Embedded Swift has no description for them and would
/// print "(cannot print value in embedded Swift)".
extension Array: @retroactive CustomStringConvertible where Element: CustomStringConvertible {
    public var description: String { "[" + map { $0.description }.joined(separator: ", ") + "]" }
}

extension StringProtocol {
    /// Whether `other` occurs in the text (byte-wise on UTF-8). The full standard library has
    /// this through Foundation/_StringProcessing; Embedded Swift has neither.
    public func contains(_ other: some StringProtocol) -> Bool {
        let hay = Array(utf8), needle = Array(other.utf8)
        if needle.isEmpty { return true }
        guard hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if Array(hay[i..<(i + needle.count)]) == needle { return true }
        }
        return false
    }
}
#endif
