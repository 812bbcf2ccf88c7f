import Foundation
import ZIPFoundation
import ZynqNetBase

extension NPZ {
    /// Writes `arrays` as an `.npz` (members "key.npy", in the given order), deflated or stored.
    /// The file is written to a temporary name and renamed into place: on any error nothing
    /// is left at `path` (an existing file there is untouched).
    public static func write(_ arrays: [(String, NDArray)], to path: String, compressed: Bool = true) throws {
        try FileBytes.writeAtomically(path: path) { (temp) throws(ZynqError) in
            do { try writeFile(arrays, at: temp, name: path, compressed: compressed) } catch { throw FileProblem.error(error, path: path) }
        }
    }

    /// Stages `arrays` as the declared output `path` of `plan` (written at its commit).
    public static func write(_ arrays: [(String, NDArray)], to path: String, plan: OutputPlan, compressed: Bool = true) throws {
        try plan.write(path) { temp in try writeFile(arrays, at: temp, name: path, compressed: compressed) }
    }

    /// Whether `path` is an `.npz` zynqnet wrote (its zip comment is `marker`).
    @Sendable public static func writtenByZynqnet(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        guard let size = try? h.seekToEnd(), size >= UInt64(22 + marker.count) else { return false }
        try? h.seek(toOffset: size - UInt64(22 + marker.count))
        let tail = Array(h.readDataToEndOfFile())
        guard tail.count == 22 + marker.count, tail[0] == 0x50, tail[1] == 0x4b, tail[2] == 5, tail[3] == 6,
              Int(tail[20]) | Int(tail[21]) << 8 == marker.count else { return false }
        return Array(tail[22...]) == marker
    }

    /// Writes the archive to the new file `temp` (errors name `path`), with the zynqnet marker.
    static func writeFile(_ arrays: [(String, NDArray)], at temp: String, name path: String, compressed: Bool) throws {
        var seen = Set<String>()
        for (key, _) in arrays {
            guard !key.isEmpty, !key.contains("\0") else {
                throw ZynqError(file: path, key: key, "invalid npz key")
            }
            guard seen.insert(key).inserted else {
                throw ZynqError(file: path, key: key, "duplicate npz key")
            }
        }
        // A fixed timestamp (1980-01-01, the zip epoch, as NumPy uses) keeps output reproducible.
        var components = DateComponents()
        components.year = 1980
        components.month = 1
        components.day = 1
        let date = Calendar(identifier: .gregorian).date(from: components) ?? Date(timeIntervalSince1970: 315_532_800)

        do {
            // The archive is closed (and flushed) when it goes out of scope at the end of this block.
            let archive: Archive
            do {
                archive = try Archive(url: URL(fileURLWithPath: temp), accessMode: .create)
            } catch {
                throw ZynqError(file: path, "cannot create archive: \(FileProblem.reason(error))")
            }
            for (key, array) in arrays {
                let bytes = NPY.encode(array)
                do {
                    try archive.addEntry(
                        with: key + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                        modificationDate: date, permissions: 0o644,
                        compressionMethod: compressed ? .deflate : .none,
                        bufferSize: 1 << 20
                    ) { position, size in
                        let start = Int(position)
                        return bytes.withUnsafeBytes { Data($0[start ..< start + size]) }
                    }
                } catch {
                    throw ZynqError(file: path, key: key, "cannot write member: \(FileProblem.reason(error))")
                }
            }
        }
        try appendMarker(temp, name: path)
    }

    /// Sets the end-of-central-directory record's comment to `marker`.
    static func appendMarker(_ temp: String, name path: String) throws {
        guard let h = FileHandle(forUpdatingAtPath: temp) else { throw ZynqError(file: path, "cannot reopen the archive") }
        defer { try? h.close() }
        guard let size = try? h.seekToEnd(), size >= 22 else { throw ZynqError(file: path, "archive too short") }
        try h.seek(toOffset: size - 22)
        let eocd = Array(h.readData(ofLength: 22))
        guard eocd.count == 22, eocd[0] == 0x50, eocd[1] == 0x4b, eocd[2] == 5, eocd[3] == 6, eocd[20] == 0, eocd[21] == 0 else {
            return   // not the plain record this writer makes: no marker
        }
        try h.seek(toOffset: size - 2)
        h.write(Data([UInt8(marker.count & 0xff), UInt8(marker.count >> 8)] + marker))
    }
}
