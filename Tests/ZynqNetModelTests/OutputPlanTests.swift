import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// OutputPlan: outputs checked before the work, written all or none, never replacing a file
/// zynqnet did not write.
@Suite struct OutputPlanTests {
    func dir() throws -> String { try makeTemporaryDirectory("io").path }

    func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: PathText.parent(path), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func entries(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    @Test func designFolderIsUpdatedInPlaceAndNothingElseIsTouched() throws {
        let d = try dir() + "/build"
        let plan = OutputPlan(inputs: [])
        let f = try plan.folder(d, option: "-o", mode: .design)
        try f.write("design.json", text: "v1")
        try f.write("rtl/old.v", text: "old")
        try plan.commit()
        #expect(try entries(d) == [".zynqnet-files", "design.json", "rtl"])
        // Vivado's outputs and a note appear; a second codegen drops rtl/old.v, adds rtl/new.v.
        try write(d + "/vivado/zynqnet.bit", "bit")
        try write(d + "/notes.txt", "mine")
        let again = OutputPlan(inputs: [])
        let g = try again.folder(d, option: "-o", mode: .design)
        try g.write("design.json", text: "v2")
        try g.write("rtl/new.v", text: "new")
        try again.commit()
        #expect(read(d + "/design.json") == "v2")
        #expect(read(d + "/rtl/new.v") == "new")
        #expect(read(d + "/rtl/old.v") == nil)
        #expect(read(d + "/vivado/zynqnet.bit") == "bit")
        #expect(read(d + "/notes.txt") == "mine")
        #expect(try OutputPlan.readRecord(dir: d) == ["design.json", "rtl/new.v"])
        #expect(try entries(d) == [".zynqnet-files", "design.json", "notes.txt", "rtl", "vivado"])
    }

    @Test func nonEmptyForeignFolderIsRefusedBeforeAnyWork() throws {
        let d = try dir()
        try write(d + "/model.npz", "the input")
        let plan = OutputPlan(inputs: [])
        #expect(throws: ZynqError(file: d, key: "-o", "is not empty and not a folder zynqnet wrote (no .zynqnet-files); choose a new or empty folder")) {
            _ = try plan.folder(d, option: "-o", mode: .design)
        }
        #expect(try entries(d) == ["model.npz"])
    }

    @Test func aFileZynqnetDidNotWriteIsNeverReplaced() throws {
        let d = try dir()
        let plan = OutputPlan(inputs: [])
        let f = try plan.folder(d, option: "DIR", mode: .add)   // add mode: any folder
        try write(d + "/report.json", "user's")
        #expect(throws: ZynqError.self) { try f.write("report.json", text: "new") }
        #expect(read(d + "/report.json") == "user's")
        // A file that appears between staging and commit is caught before anything is renamed.
        let p2 = OutputPlan(inputs: [])
        let g = try p2.folder(d, option: "DIR", mode: .add)
        try g.write("a.txt", text: "a")
        try g.write("b.txt", text: "b")
        try write(d + "/b.txt", "appeared")
        #expect(throws: ZynqError.self) { try p2.commit() }
        #expect(read(d + "/a.txt") == nil)
        #expect(read(d + "/b.txt") == "appeared")
        #expect(try entries(d) == ["b.txt", "report.json"])
    }

    @Test func outputEqualToAnInputIsRefusedWhateverTheSpelling() throws {
        let d = try dir()
        try write(d + "/m.npz", "model")
        try FileManager.default.createSymbolicLink(atPath: d + "/link.npz", withDestinationPath: d + "/m.npz")
        for out in [d + "/m.npz", d + "/./m.npz", d + "//m.npz", d + "/link.npz"] {
            let plan = OutputPlan(inputs: [d + "/m.npz"])
            #expect(throws: ZynqError(file: out, key: "--output", "is also an input (\(d)/m.npz); choose another output")) {
                try plan.file(out, option: "--output", existing: .ownedIf { _ in true })
            }
        }
        let plan = OutputPlan(inputs: [])
        try plan.file(d + "/a.npz", option: "-o")
        #expect(throws: ZynqError(file: d + "/./a.npz", key: "--save-test-set", "is also the output of -o")) {
            try plan.file(d + "/./a.npz", option: "--save-test-set")
        }
        #expect(read(d + "/m.npz") == "model")
    }

    @Test func missingFolderAndDirectoryOutputsAreRefusedUpFront() throws {
        let d = try dir()
        let plan = OutputPlan(inputs: [])
        #expect(throws: ZynqError(file: d + "/missing/x.npz", key: "--save-test-set", "no such directory: \(d)/missing")) {
            try plan.file(d + "/missing/x.npz", option: "--save-test-set")
        }
        try FileManager.default.createDirectory(atPath: d + "/sub.npz", withIntermediateDirectories: false)
        #expect(throws: ZynqError(file: d + "/sub.npz", key: "-o", "is a directory, not a file")) {
            try plan.file(d + "/sub.npz", option: "-o")
        }
        try write(d + "/file", "x")
        #expect(throws: ZynqError(file: d + "/file/x.npz", key: "-o", "\(d)/file is not a directory")) {
            try plan.file(d + "/file/x.npz", option: "-o")
        }
    }

    @Test func allOrNothingAndDiscardRemovesOnlyItsTemporaries() throws {
        let d = try dir()
        try write(d + "/keep.txt", "k")
        let plan = OutputPlan(inputs: [])
        try plan.file(d + "/a.bin", option: "-o")
        try plan.file(d + "/b.bin", option: "--other")
        try plan.write(d + "/a.bin", bytes: [1, 2, 3])
        struct Boom: Error {}
        #expect(throws: ZynqError.self) { try plan.write(d + "/b.bin") { _ in throw Boom() } }
        plan.discard()
        #expect(try entries(d) == ["keep.txt"])
        // Committed: both appear at once.
        let ok = OutputPlan(inputs: [])
        try ok.file(d + "/a.bin", option: "-o")
        try ok.file(d + "/b.bin", option: "--other")
        try ok.write(d + "/a.bin", bytes: [1])
        try ok.write(d + "/b.bin", bytes: [2])
        #expect(try entries(d) .filter { !$0.hasPrefix(".") } == ["keep.txt"])
        try ok.commit()
        #expect(try entries(d) == ["a.bin", "b.bin", "keep.txt"])
    }

    @Test func npzMarkerTellsZynqnetsFilesApart() throws {
        let d = try dir()
        let a = NDArray(shape: [2], storage: .int64([7, -1]))
        try NPZ.write([("x", a)], to: d + "/ours.npz")
        #expect(NPZ.writtenByZynqnet(d + "/ours.npz"))
        #expect(try NPZ.read(path: d + "/ours.npz")["x"] == a)
        try FileManager.default.copyItem(atPath: Fixtures.path("npz/deflated.npz"), toPath: d + "/numpy.npz")
        #expect(!NPZ.writtenByZynqnet(d + "/numpy.npz"))
        #expect(!NPZ.writtenByZynqnet(d + "/none.npz"))
        let plan = OutputPlan(inputs: [])
        try plan.file(d + "/ours.npz", option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet))
        #expect(throws: ZynqError(file: d + "/numpy.npz", key: "--output", "exists and was not written by zynqnet; remove it or choose another name")) {
            try plan.file(d + "/numpy.npz", option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet))
        }
    }

    @Test func fileProblemsAreShortReasons() throws {
        #expect(FileProblem.reason(errno: EACCES) == "permission denied")
        #expect(FileProblem.reason(errno: ENOENT) == "no such file or directory")
        #expect(FileProblem.reason(CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: "/tmp/.x.tmp-1"])) == "permission denied")
        #expect(FileProblem.reason(CocoaError(.fileNoSuchFile)) == "no such file or directory")
        let wrapped = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(FileProblem.reason(wrapped) == "no space left on the device")
        // A real Foundation failure: one line naming the path the user typed, not the temp path.
        let d = try dir()
        let e = FileProblem.error(CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: d + "/.tmp-xyz"]), path: "out/x.npz", key: "-o")
        #expect(e.description == "out/x.npz: '-o': no such file or directory")
    }
}
