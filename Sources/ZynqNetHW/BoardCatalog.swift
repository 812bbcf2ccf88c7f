import ZynqNetBase

/// The boards zynqnet knows: one `Board` per fpga/boards/<name>.json, each parsed (JSONText) and
/// checked once. The built-in one (`BoardCatalog.builtIn`, BoardResolve.swift) is made from the
/// copies of the files compiled into zynqnet.
public struct BoardCatalog: Sendable, Equatable {
    /// Every board, by name.
    public let all: [Board]

    /// `files` are (file name for errors, contents); a bad file is one line naming it and the key.
    public init(files: [(file: String, text: String)]) throws(ZynqError) {
        var boards: [Board] = []
        for f in files {
            let b = try Board.parse(Array(f.text.utf8), file: f.file)
            guard !boards.contains(where: { $0.name == b.name }) else { throw ZynqError(file: f.file, key: "name", "duplicate board '\(b.name)'") }
            boards.append(b)
        }
        all = boards.sorted { $0.name < $1.name }
    }

    public var names: [String] { all.map(\.name) }

    /// The board called `name`, in any case (PYNQ-Z2 is pynq-z2); else one line naming `option`
    /// and listing the boards there are.
    public func named(_ name: String, option: String = "--board") throws(ZynqError) -> Board {
        if let b = all.first(where: { $0.name == name.lowercased() }) { return b }
        throw ZynqError(key: option, "unknown board '\(name)' (known: \(names.joined(separator: ", ")))")
    }
}
