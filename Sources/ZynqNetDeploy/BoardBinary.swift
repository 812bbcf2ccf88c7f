import Foundation
import ZynqNetBase

/// The board binary `zynqnet-board` (scripts/build-board.sh writes build/board/zynqnet-board):
/// what `deploy --via ssh` copies to the board and runs there, so the board needs no Swift,
/// Python or zlib.
public enum BoardBinary {
    public static let name = "zynqnet-board"
    /// The command that builds it, from the zynqnet checkout.
    public static let buildCommand = "scripts/build-board.sh"
    /// Where the build writes it, relative to the checkout.
    public static let buildPath = "build/board/zynqnet-board"
    /// An environment variable naming it (as `--board-binary` does).
    public static let environmentKey = "ZYNQNET_BOARD_BINARY"

    /// Where it is looked for when neither `--board-binary` nor the environment names it: beside
    /// the zynqnet executable (an install), then `build/board/zynqnet-board` in each directory
    /// above the executable (a checkout's `.build/…/zynqnet`), then in `cwd`.
    public static func candidates(executable: String?, cwd: String) -> [String] {
        var list: [String] = []
        if let executable {
            var dir = PathText.parent(executable)
            list.append(PathText.join(dir, name))
            while !dir.isEmpty && dir != "/" && dir != "." {
                list.append(PathText.join(dir, buildPath))
                dir = PathText.parent(dir)
            }
        }
        list.append(PathText.join(cwd, buildPath))
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    /// The zynqnet-board to copy: `option` (--board-binary), else `$ZYNQNET_BOARD_BINARY`, else
    /// the first of `candidates` that exists. A named file that is missing, or none found, is one
    /// error saying which command builds it.
    public static func locate(option: String?, environment: [String: String], executable: String?, cwd: String) throws -> String {
        let hint = "build it with \(buildCommand) in the zynqnet checkout (it writes \(buildPath))"
        for (key, value) in [("--board-binary", option), (environmentKey, environment[environmentKey])] {
            guard let path = value, !path.isEmpty else { continue }
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ZynqError(file: path, key: key, "no \(name) executable here; \(hint)")
            }
            return path
        }
        let looked = candidates(executable: executable, cwd: cwd)
        guard let found = looked.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ZynqError(key: name, "not built: deploy --via ssh copies it to the board (which needs no Swift, Python or zlib); "
                            + "\(hint), or pass --board-binary FILE (looked beside zynqnet and for \(buildPath) above it and here)")
        }
        return found
    }

    /// This process's executable (resolved), for `candidates`.
    public static var currentExecutable: String? {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return Bundle.main.executablePath
    }
}
