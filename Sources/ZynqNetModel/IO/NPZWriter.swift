import Foundation
import ZIPFoundation

extension NPZ {
    /// Writes `arrays` as an `.npz` (members "key.npy", in the given order), deflated or stored.
    /// The file is written to a temporary name and renamed into place: on any error nothing
    /// is left at `path` (an existing file there is untouched).
    public static func write(_ arrays: [(String, NDArray)], to path: String, compressed: Bool = true) throws {
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

        try FileBytes.writeAtomically(path: path) { temp in
            // The archive is closed (and flushed) when it goes out of scope at the end of this closure.
            let archive: Archive
            do {
                archive = try Archive(url: URL(fileURLWithPath: temp), accessMode: .create)
            } catch {
                throw ZynqError(file: path, "cannot create archive: \(error)")
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
                    throw ZynqError(file: path, key: key, "cannot write member: \(error)")
                }
            }
        }
    }
}
