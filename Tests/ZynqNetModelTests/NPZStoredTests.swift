import Foundation
import Testing
import ZynqNetBase
import ZynqNetModel
import ZynqNetTestSupport

/// The stored (uncompressed) `.npz` the board binary writes: the host's reader gets the arrays
/// back in order, the file carries zynqnet's marker, and bad keys are one error naming them.
@Suite struct NPZStoredTests {
    @Test func roundTripsThroughTheReaderWithTheMarker() throws {
        let dir = try makeTemporaryDirectory("npz-stored").path
        defer { removeTemporaryDirectory(dir) }
        let arrays: [(String, NDArray)] = [
            ("predictions", NDArray(shape: [3], storage: .int64([2, 0, 1]))),
            ("outputs", NDArray(shape: [3, 2], storage: .int64([-5, 7, Int64.max, Int64.min, 0, 1]))),
            ("empty", NDArray(shape: [0], storage: .int64([]))),
        ]
        let path = dir + "/o.npz"
        let bytes = try NPZ.encodeStored(arrays, file: path)
        try FileBytes.write(bytes, to: path)
        let back = try NPZ.readOrdered(path: path)
        #expect(back.map { $0.0 } == ["predictions", "outputs", "empty"])
        #expect(back.map { $0.1 } == arrays.map { $0.1 })
        #expect(NPZ.writtenByZynqnet(path))
        // Stored: method 0, and the first member's data is its .npy, unchanged, after the 30-byte
        // header and the name.
        #expect(bytes[8] == 0 && bytes[9] == 0)
        let npy = NPY.encode(arrays[0].1)
        let start = 30 + "predictions.npy".utf8.count
        #expect(Array(bytes[start..<start + npy.count]) == npy)
    }

    @Test func badKeysAreNamed() {
        let a = NDArray(shape: [1], storage: .int64([1]))
        for (arrays, message) in [([("x", a), ("x", a)], "o.npz: 'x': duplicate npz key"), ([("", a)], "o.npz: '': invalid npz key"),
                                  ([("a\0b", a)], "o.npz: 'a\0b': invalid npz key")] {
            #expect(throws: ZynqError.self) { _ = try NPZ.encodeStored(arrays, file: "o.npz") }
            do {
                _ = try NPZ.encodeStored(arrays, file: "o.npz")
            } catch {
                #expect(error.description == message)
            }
        }
    }
}
