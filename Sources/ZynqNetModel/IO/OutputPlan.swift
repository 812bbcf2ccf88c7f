import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ZynqNetBase

/// Every file and folder a command writes, declared and checked before the work starts,
/// written all or nothing, never touching a file zynqnet did not write.
///
///     let plan = OutputPlan(inputs: [model, images])
///     try plan.file(output, option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet))
///     let dir = try plan.folder(out, option: "-o", mode: .design)   // before the work
///     …                                                               // the work
///     try plan.write(output) { temp in … }                            // staged as temp files
///     try dir.write("rtl/top.v", text)
///     try plan.commit()                                               // renamed into place
///
/// Declaring refuses: an output that is an input (same file by device and inode, whatever the
/// spelling or symlink) or another output; a missing or unwritable folder to write in; a
/// directory where a file goes; an existing file zynqnet cannot tell it wrote. Staged data goes
/// to temporary files beside their destinations (registered with `Termination`); `commit`
/// renames them all, `discard` (also on deinit) removes only them and the folders the plan made.
///
/// Folders: a folder's files written by zynqnet are listed in its `.zynqnet-files`. A
/// `.design` folder (codegen) must be new, empty or already such a folder; committing replaces
/// the listed files with the new set (listed files no longer written are removed; nothing else
/// is touched: Vivado outputs, notes). An `.add` folder (report's report.json) may hold anything;
/// a file is only replaced if the list names it.
public final class OutputPlan: @unchecked Sendable {
    /// What may already exist where an output file goes.
    public enum Existing: Sendable {
        /// Nothing: an existing file is refused.
        case refuse
        /// A file this test says zynqnet wrote (e.g. `NPZ.writtenByZynqnet`).
        case ownedIf(@Sendable (String) -> Bool)
    }

    public enum FolderMode: Sendable {
        /// The folder holds a design: new, empty or written by zynqnet; its listed files are replaced as a set.
        case design
        /// Files are added to any folder; only files its list names are replaced.
        case add
    }

    /// The name of the list of files zynqnet wrote in a folder.
    public static let recordName = ".zynqnet-files"

    private struct Staged { var temp: String; var final: String; var display: String }

    private let inputs: [String]
    private var outputs: [(path: String, option: String)] = []
    private var staged: [Staged] = []
    private var createdDirs: [String] = []
    private var folders: [Folder] = []
    private var finished = false

    /// `inputs`: every file or folder the command reads (nil entries are skipped).
    public init(inputs: [String?]) {
        self.inputs = inputs.compactMap { $0 }
    }

    deinit { if !finished { discard() } }

    // MARK: - declaring

    /// Declares an output file and checks it now.
    public func file(_ path: String, option: String, existing: Existing = .refuse) throws {
        try checkNew(path, option: option)
        var st = stat()
        if lstat(path, &st) == 0 || stat(path, &st) == 0 {
            var target = stat()
            if stat(path, &target) == 0 {
                guard (target.st_mode & S_IFMT) == S_IFREG else {
                    throw ZynqError(file: path, key: option, (target.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not a file" : "is not a regular file")
                }
            }
            let owned: Bool
            switch existing {
            case .refuse: owned = false
            case .ownedIf(let test): owned = test(path)
            }
            guard owned else {
                throw ZynqError(file: path, key: option, "exists and was not written by zynqnet; remove it or choose another name")
            }
        }
        try checkParent(of: path, option: option)
        outputs.append((path, option))
    }

    /// Declares an output folder and checks it now; write its files through the returned `Folder`.
    public func folder(_ path: String, option: String, mode: FolderMode) throws -> Folder {
        try checkNew(path, option: option)
        var st = stat()
        var record: [String]? = nil
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ZynqError(file: path, key: option, "exists and is not a directory") }
            record = try OutputPlan.readRecord(dir: path)
            if mode == .design && record == nil {
                let entries = try FileProblem.attributing(to: path, key: option) { try FileManager.default.contentsOfDirectory(atPath: path) }
                guard entries.isEmpty else {
                    throw ZynqError(file: path, key: option,
                                    "is not empty and not a folder zynqnet wrote (no \(OutputPlan.recordName)); choose a new or empty folder")
                }
            }
            if let e = OutputPlan.unwritable(path) { throw ZynqError(file: path, key: option, FileProblem.reason(errno: e)) }
        } else {
            try checkParent(of: path, option: option)
        }
        outputs.append((path, option))
        let f = Folder(plan: self, path: path, option: option, mode: mode, old: record)
        folders.append(f)
        return f
    }

    /// Declares a cache folder (a build cache zynqnet manages by itself): new, empty, or
    /// holding only entries `isEntry` accepts (else it is not zynqnet's and is refused).
    public func cache(_ path: String, option: String, isEntry: (String) -> Bool) throws {
        try checkNew(path, option: option)
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ZynqError(file: path, key: option, "exists and is not a directory") }
            let entries = try FileProblem.attributing(to: path, key: option) { try FileManager.default.contentsOfDirectory(atPath: path) }
            if let other = entries.sorted().first(where: { !isEntry($0) }) {
                throw ZynqError(file: path, key: option, "holds '\(other)': not a zynqnet build cache; choose a new or empty folder")
            }
            if let e = OutputPlan.unwritable(path) { throw ZynqError(file: path, key: option, FileProblem.reason(errno: e)) }
        } else {
            var dir = PathText.parent(path)
            while stat(dir, &st) != 0 && dir != "/" && dir != "." { dir = PathText.parent(dir) }   // created with its parents
            if let e = OutputPlan.unwritable(dir) {
                throw ZynqError(file: path, key: option, "cannot write in \(dir): \(FileProblem.reason(errno: e))")
            }
        }
        outputs.append((path, option))
    }

    private func checkNew(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ZynqError(key: option, "must name a file or folder, not an empty string") }
        for input in inputs where OutputPlan.sameFile(input, path) {
            throw ZynqError(file: path, key: option, "is also an input (\(input)); choose another output")
        }
        for o in outputs where o.path == path || OutputPlan.sameFile(o.path, path) || OutputPlan.normalized(o.path) == OutputPlan.normalized(path) {
            throw ZynqError(file: path, key: option, "is also the output of \(o.option)")
        }
    }

    private func checkParent(of path: String, option: String) throws {
        let parent = OutputPlan.parent(path)
        var st = stat()
        guard stat(parent, &st) == 0 else {
            throw ZynqError(file: path, key: option, "no such directory: \(parent)")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ZynqError(file: path, key: option, "\(parent) is not a directory") }
        if let e = OutputPlan.unwritable(parent) {
            throw ZynqError(file: path, key: option, "cannot write in \(parent): \(FileProblem.reason(errno: e))")
        }
    }

    /// The errno of creating a file in `dir`, nil if it can be written: a real probe (access()
    /// says yes to root even on sysfs or a read-only mount); the probe file is removed.
    static func unwritable(_ dir: String) -> Int32? {
        let probe = PathText.join(dir, ".zynqnet-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return errno }
        close(fd)
        unlink(probe)
        return nil
    }

    // MARK: - staging

    /// Stages the declared file `path`: `produce` writes the data to the temporary path it gets.
    public func write(_ path: String, produce: (_ tempPath: String) throws -> Void) throws {
        guard let o = outputs.first(where: { $0.path == path }) else {
            throw ZynqError(file: path, "internal error: output not declared")
        }
        try stage(final: path, display: path, key: o.option, produce: produce)
    }

    /// Stages the declared file `path` with `bytes`.
    public func write(_ path: String, bytes: [UInt8]) throws {
        try write(path) { temp in try OutputPlan.writeBytes(bytes, to: temp) }
    }

    fileprivate func stage(final: String, display: String, key: String, produce: (String) throws -> Void) throws {
        precondition(!finished, "OutputPlan used after commit or discard")
        try makeDirectories(OutputPlan.parent(final), display: display, key: key)
        let temp = PathText.join(OutputPlan.parent(final), "." + PathText.name(final) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        Termination.removeOnExit(temp)
        staged.append(Staged(temp: temp, final: final, display: display))
        do {
            try produce(temp)
        } catch let e as ZynqError where e.file == temp {
            throw ZynqError(file: display, key: key, e.message)   // the path the user typed
        } catch {
            throw FileProblem.error(error, path: display, key: key)
        }
    }

    /// Creates `dir` and missing parents (inside a declared folder), remembering them.
    private func makeDirectories(_ dir: String, display: String, key: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 { return }
        try makeDirectories(OutputPlan.parent(dir), display: display, key: key)
        guard mkdir(dir, 0o755) == 0 || errno == EEXIST else {
            throw ZynqError(file: display, key: key, "cannot create \(dir): \(FileProblem.reason(errno: errno))")
        }
        createdDirs.append(dir)
        Termination.removeOnExit(dir)
    }

    // MARK: - ending

    /// Renames every staged file into place and updates the folders' lists. A file that
    /// would replace one zynqnet did not write is refused before anything is renamed.
    public func commit() throws {
        precondition(!finished, "OutputPlan committed twice")
        do {
            for f in folders { try f.checkBeforeCommit() }
            for s in staged {
                guard rename(s.temp, s.final) == 0 else {
                    throw ZynqError(file: s.display, "cannot write: \(FileProblem.reason(errno: errno))")
                }
                Termination.forget(s.temp)
            }
            for f in folders { try f.finishCommit() }
        } catch {
            discard()
            throw error
        }
        for d in createdDirs { Termination.forget(d) }
        finished = true
    }

    /// Removes the staged temporary files and the (then empty) folders the plan created.
    public func discard() {
        for s in staged {
            unlink(s.temp)
            Termination.forget(s.temp)
        }
        staged.removeAll()
        for d in createdDirs.reversed() {
            rmdir(d)
            Termination.forget(d)
        }
        createdDirs.removeAll()
        finished = true
    }

    // MARK: - a folder

    public final class Folder: @unchecked Sendable {
        unowned let plan: OutputPlan
        public let path: String
        let option: String
        let mode: FolderMode
        let old: [String]?
        private var written: [String] = []
        private var ownedExisting: Set<String> = []

        fileprivate init(plan: OutputPlan, path: String, option: String, mode: FolderMode, old: [String]?) {
            self.plan = plan
            self.path = path
            self.option = option
            self.mode = mode
            self.old = old
        }

        /// Stages `relative` (e.g. "rtl/top.v") with `bytes`.
        public func write(_ relative: String, bytes: [UInt8], owned: Bool = false) throws {
            try write(relative, owned: owned) { temp in try OutputPlan.writeBytes(bytes, to: temp) }
        }

        /// Stages `relative` with UTF-8 `text`.
        public func write(_ relative: String, text: String) throws {
            try write(relative, bytes: Array(text.utf8))
        }

        /// Stages `relative`: `produce` writes the data to the temporary path it gets. `owned`:
        /// the caller knows an existing file there is zynqnet's (it parsed it as its own).
        public func write(_ relative: String, owned: Bool = false, produce: (String) throws -> Void) throws {
            let parts = relative.split(separator: "/")
            guard !relative.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains("."),
                  relative != OutputPlan.recordName else {
                throw ZynqError(file: path, key: relative, "internal error: not a relative path inside the folder")
            }
            guard !written.contains(relative) else { throw ZynqError(file: path, key: relative, "internal error: written twice") }
            if owned { ownedExisting.insert(relative) }
            try checkReplaceable(relative)
            written.append(relative)
            try plan.stage(final: PathText.join(path, relative), display: PathText.join(path, relative), key: option, produce: produce)
        }

        /// Stages every regular file under `scratch` (a private folder the files were generated
        /// in) at the same relative path; returns those paths.
        @discardableResult
        public func writeTree(from scratch: String) throws -> [String] {
            guard let e = FileManager.default.enumerator(atPath: scratch) else {
                throw ZynqError(file: scratch, "cannot be read")
            }
            var files: [String] = []
            while let rel = e.nextObject() as? String {
                var st = stat()
                if lstat(PathText.join(scratch, rel), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { files.append(rel) }
            }
            for rel in files.sorted() {
                let bytes = try FileBytes.read(path: PathText.join(scratch, rel))
                try write(rel, bytes: bytes)
            }
            return files.sorted()
        }

        /// A file may be replaced only if it is in the folder's list.
        private func checkReplaceable(_ relative: String) throws {
            let full = PathText.join(path, relative)
            var st = stat()
            guard lstat(full, &st) == 0 else { return }
            guard (st.st_mode & S_IFMT) == S_IFREG, old?.contains(relative) == true || ownedExisting.contains(relative) else {
                throw ZynqError(file: full, key: option,
                                "exists and was not written by zynqnet (not in \(OutputPlan.recordName)); move it away first")
            }
        }

        fileprivate func checkBeforeCommit() throws {
            for r in written { try checkReplaceable(r) }
        }

        fileprivate func finishCommit() throws {
            var list = written
            switch mode {
            case .design:
                for r in old ?? [] where !written.contains(r) {
                    unlink(PathText.join(path, r))   // a file zynqnet wrote that this design no longer has
                }
            case .add:
                list = (old ?? []) + written.filter { !(old ?? []).contains($0) }
            }
            let text = "# files written by zynqnet in this folder (replaced by it, never anything else)\n"
                + list.sorted().joined(separator: "\n") + "\n"
            let recordPath = PathText.join(path, OutputPlan.recordName)
            let temp = recordPath + ".tmp-\(getpid())"
            do {
                try OutputPlan.writeBytes(Array(text.utf8), to: temp)
                guard rename(temp, recordPath) == 0 else { throw ZynqError(file: recordPath, "cannot write: \(FileProblem.reason(errno: errno))") }
            } catch {
                unlink(temp)
                throw error
            }
        }
    }

    /// The list of files zynqnet wrote in `dir`, nil without one.
    public static func readRecord(dir: String) throws -> [String]? {
        let path = PathText.join(dir, recordName)
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let bytes = try FileBytes.read(path: path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ZynqError(file: path, "is not UTF-8 text") }
        var out: [String] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: "/")
            guard !line.hasPrefix("/"), !parts.contains(".."), line != Substring(recordName) else {
                throw ZynqError(file: path, key: String(line), "not a file inside the folder")
            }
            out.append(String(line))
        }
        return out
    }

    // MARK: - helpers

    /// Same file or folder (device and inode, following symlinks).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// A path without "./" parts and doubled or trailing slashes (for two outputs not yet on disk).
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    static func parent(_ path: String) -> String { PathText.parent(path) }

    /// Writes `bytes` to a new file `path` (not atomically: `path` is a temporary name).
    public static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ZynqError(file: path, "cannot create: \(FileProblem.reason(errno: errno))") }
        defer { close(fd) }
        try FileBytes.writeAll(bytes, fd: fd, name: path)
        _ = fsync(fd)
    }
}

/// A private temporary folder (removed afterwards, and by `Termination` on SIGINT/SIGTERM).
public enum ScratchFolder {
    public static func with<T>(prefix: String, _ body: (String) throws -> T) throws -> T {
        var template = Array(PathText.join(NSTemporaryDirectory(), prefix + "-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ZynqError(file: NSTemporaryDirectory(), "cannot create a temporary folder: \(FileProblem.reason(errno: errno))")
        }
        let dir = String(cString: made)
        Termination.removeOnExit(dir)
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            Termination.forget(dir)
        }
        return try body(dir)
    }
}
