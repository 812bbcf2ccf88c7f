import Foundation
import Testing
@testable import ZynqNetModel

@Suite("IDX")
struct IDXTests {
    @Test("reads plain and gzip IDX of every type", arguments: Fixtures.idxNames)
    func fixture(_ name: String) throws {
        let e = try #require(Fixtures.manifest.idx[name])
        let file = try #require(e.file)
        Fixtures.expectMatches(try IDX.read(path: Fixtures.path(file)), e)
        if FileManager.default.fileExists(atPath: Fixtures.path(file + ".gz")) {
            Fixtures.expectMatches(try IDX.read(path: Fixtures.path(file + ".gz")), e)
        }
    }
}
