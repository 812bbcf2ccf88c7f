import ZynqNetBase

/// NumPy `.npz` archives: a zip of `.npy` members, stored or deflated.
public enum NPZ {
    /// Reads every array of an `.npz` file; keys are member names without ".npy".
    public static func read(path: String) throws(ZynqError) -> [String: NDArray] {
        let bytes = try FileBytes.read(path: path)
        return try read(bytes: bytes, name: path)
    }

    /// Reads every array of an in-memory `.npz`; `name` is used in errors.
    public static func read(bytes: [UInt8], name: String) throws(ZynqError) -> [String: NDArray] {
        var result: [String: NDArray] = [:]
        for (key, array) in try readOrdered(bytes: bytes, name: name) { result[key] = array }
        return result
    }

    /// Like `read(path:)`, keeping the archive's member order.
    public static func readOrdered(path: String) throws(ZynqError) -> [(String, NDArray)] {
        let bytes = try FileBytes.read(path: path)
        return try readOrdered(bytes: bytes, name: path)
    }

    /// Like `read(bytes:name:)`, keeping the archive's member order.
    public static func readOrdered(bytes: [UInt8], name: String) throws(ZynqError) -> [(String, NDArray)] {
        try bytes.withBytes { (b) throws(ZynqError) in try readOrdered(b, file: name) }
    }

    /// The key NumPy gives a member: its name without a trailing ".npy".
    static func key(forMember name: String) -> String {
        name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
    }

    static func readOrdered(_ buf: UnsafeRawBufferPointer, file: String) throws(ZynqError) -> [(String, NDArray)] {
        let zip: ZipReader
        do {
            zip = try ZipReader(buf)
        } catch {
            throw ZynqError(file: file, key: error.member.map(key(forMember:)), error.message)
        }
        var out: [(String, NDArray)] = []
        var seen = Set<String>()
        for member in zip.members {
            if member.name.hasSuffix("/") && member.uncompressedSize == 0 { continue }  // a directory
            let key = key(forMember: member.name)
            let array: NDArray?
            do {
                array = try zip.withContents(of: member) { (data) throws(ZynqError) -> NDArray? in
                    // NumPy returns non-.npy members without the magic as raw bytes; we skip them.
                    if !member.name.hasSuffix(".npy") && !NPY.hasMagic(data) { return nil }
                    return try NPY.decode(data, file: file, key: key)
                }
            } catch {
                guard error.file == nil else { throw error }  // from NPY.decode: names file and key
                throw ZynqError(file: file, key: key, error.message)
            }
            guard let array else { continue }
            guard seen.insert(key).inserted else {
                throw ZynqError(file: file, key: key, "appears twice in the archive")
            }
            out.append((key, array))
        }
        return out
    }
}
