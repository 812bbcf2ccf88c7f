import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

@Suite("ImageSet")
struct ImageSetTests {
    static let images = NDArray(shape: [3, 2, 2], storage: .uint8([0, 1, 2, 3, 10, 11, 12, 13, 253, 254, 255, 0]))
    static let labels = NDArray(shape: [3], storage: .int64([7, 0, 9]))

    func withDir<R>(_ body: (URL) throws -> R) throws -> R {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    static let keyPairs: [(String, String)] = [
        ("images", "labels"), ("x_test", "y_test"), ("test_images", "test_labels"), ("x", "y"), ("images", "y"), ("x", "labels"),
    ]

    @Test("every image and label key", arguments: 0 ..< keyPairs.count)
    func keyVariants(_ i: Int) throws {
        let (ik, lk) = Self.keyPairs[i]
        try withDir { dir in
            let path = dir.appendingPathComponent("s.npz").path
            try NPZ.write([(ik, Self.images), (lk, Self.labels)], to: path)
            let set = try ImageSet.load(path: path)
            #expect(set.images == Self.images)
            #expect(set.labels == [7, 0, 9])
            #expect(set.count == 3)
            #expect(set.source == "\(path)['\(ik)']")
        }
    }

    @Test func keyPrecedenceAndNoLabels() throws {
        try withDir { dir in
            let path = dir.appendingPathComponent("p.npz").path
            let other = NDArray(shape: [1, 1], storage: .float32([0.5]))
            // 'images' beats 'x'; 'labels' beats 'y' - whatever the member order.
            try NPZ.write([("x", other), ("y", NDArray(shape: [1], storage: .uint8([1]))), ("images", Self.images), ("labels", Self.labels)], to: path)
            let set = try ImageSet.load(path: path)
            #expect(set.images == Self.images)
            #expect(set.labels == [7, 0, 9])
            try NPZ.write([("x", other)], to: path)
            let unlabeled = try ImageSet.load(path: path)
            #expect(unlabeled.images == other)
            #expect(unlabeled.labels == nil)
        }
    }

    @Test func floatImagesAndEveryIntegerLabelType() throws {
        try withDir { dir in
            let path = dir.appendingPathComponent("f.npz").path
            let f64 = NDArray(shape: [2, 3], storage: .float64([0, 0.25, 1, -1, 2, 3]))
            let labelArrays: [NDArray] = [
                NDArray(shape: [2], storage: .int8([1, 2])), NDArray(shape: [2], storage: .int16([1, 2])),
                NDArray(shape: [2], storage: .int32([1, 2])), NDArray(shape: [2, 1], storage: .int64([1, 2])),
                NDArray(shape: [2], storage: .uint8([1, 2])), NDArray(shape: [2], storage: .uint16([1, 2])),
                NDArray(shape: [2], storage: .uint32([1, 2])), NDArray(shape: [2], storage: .uint64([1, 2])),
            ]
            for l in labelArrays {
                try NPZ.write([("x_test", f64), ("y_test", l)], to: path)
                let set = try ImageSet.load(path: path)
                #expect(set.images == f64)
                #expect(set.labels == [1, 2], "\(l.dtype)")
            }
            try NPZ.write([("x_test", NDArray(shape: [1], storage: .float32([1.5])))], to: path)
            #expect(try ImageSet.load(path: path).images.dtype == .float32)
        }
    }

    @Test func npzErrorsNameFileAndKey() throws {
        try withDir { dir in
            let path = dir.appendingPathComponent("e.npz").path
            func load() -> ZynqError? { Fixtures.expectZynqError(path) { _ = try ImageSet.load(path: path) } }

            try NPZ.write([("w1", Self.images), ("labels", Self.labels)], to: path)
            #expect(load()?.description == "\(path): no images: expected one of 'images', 'x_test', 'test_images', 'x' (found 'w1', 'labels')")
            try NPZ.write([], to: path)
            #expect(load()?.description == "\(path): no images: expected one of 'images', 'x_test', 'test_images', 'x' (found no arrays)")

            try NPZ.write([("images", NDArray(shape: [2], storage: .int16([1, 2])))], to: path)
            #expect(load()?.description == "\(path): 'images': images must be uint8, float32 or float64, not int16")
            try NPZ.write([("x", NDArray(shape: [2], storage: .int8([1, 2])))], to: path)
            #expect(load()?.description == "\(path): 'x': images must be uint8, float32 or float64, not int8")
            try NPZ.write([("x", NDArray(shape: [], storage: .uint8([1])))], to: path)
            #expect(load()?.description == "\(path): 'x': images must have a first (image index) dimension; this is a scalar")

            try NPZ.write([("images", Self.images), ("labels", NDArray(shape: [3], storage: .float32([1, 2, 3])))], to: path)
            #expect(load()?.description == "\(path): 'labels': labels must be integers, not float32")
            try NPZ.write([("images", Self.images), ("y", NDArray(shape: [3], storage: .bool([true, false, true])))], to: path)
            #expect(load()?.description == "\(path): 'y': labels must be integers, not bool")
            try NPZ.write([("images", Self.images), ("y_test", NDArray(shape: [3], storage: .int32([1, -2, 3])))], to: path)
            #expect(load()?.description == "\(path): 'y_test': label 1 is -2; labels must be non-negative class indices")
            try NPZ.write([("images", Self.images), ("y_test", NDArray(shape: [3], storage: .uint64([1, .max, 3])))], to: path)
            #expect(load()?.description == "\(path): 'y_test': label 1 is 18446744073709551615; labels must be non-negative class indices")
            try NPZ.write([("images", Self.images), ("test_labels", NDArray(shape: [4], storage: .uint8([1, 2, 3, 4])))], to: path)
            #expect(load()?.description == "\(path): 'test_labels': 4 labels for 3 images")
            try NPZ.write([("images", Self.images), ("labels", NDArray(shape: [1, 3], storage: .uint8([1, 2, 3])))], to: path)
            #expect(load()?.description == "\(path): 'labels': labels must have shape (N,), not (1, 3)")
        }
    }

    @Test func idxAndNpyWithLabelsFile() throws {
        try withDir { dir in
            // IDX images (uint8) with an IDX labels file, both written by hand (big-endian dims).
            let img: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + [0, 1, 2, 3, 10, 11, 12, 13, 253, 254, 255, 0]
            let lab: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]
            let ip = dir.appendingPathComponent("img.idx").path
            let lp = dir.appendingPathComponent("lab.idx").path
            try Data(img).write(to: URL(fileURLWithPath: ip))
            try Data(lab).write(to: URL(fileURLWithPath: lp))
            let set = try ImageSet.load(path: ip, labels: lp)
            #expect(set.images == Self.images)
            #expect(set.labels == [7, 0, 9])
            #expect(set.source == ip)
            #expect(try ImageSet.load(path: ip).labels == nil)

            // A labels file overrides labels inside the npz.
            let np = dir.appendingPathComponent("s.npz").path
            try NPZ.write([("x", Self.images), ("y", NDArray(shape: [3], storage: .uint8([1, 1, 1])))], to: np)
            #expect(try ImageSet.load(path: np, labels: lp).labels == [7, 0, 9])

            // .npy images and .npy labels.
            let npyImages = dir.appendingPathComponent("i.npy").path
            let npyLabels = dir.appendingPathComponent("l.npy").path
            try Data(NPY.encode(Self.images)).write(to: URL(fileURLWithPath: npyImages))
            try Data(NPY.encode(Self.labels)).write(to: URL(fileURLWithPath: npyLabels))
            #expect(try ImageSet.load(path: npyImages, labels: npyLabels).labels == [7, 0, 9])

            // Errors name the labels file.
            let bad: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 7, 0]
            try Data(bad).write(to: URL(fileURLWithPath: lp))
            #expect(Fixtures.expectZynqError("count") { _ = try ImageSet.load(path: ip, labels: lp) }?.description == "\(lp): 2 labels for 3 images")
            let flt: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 3] + [UInt8](repeating: 0, count: 12)
            try Data(flt).write(to: URL(fileURLWithPath: lp))
            #expect(Fixtures.expectZynqError("float") { _ = try ImageSet.load(path: ip, labels: lp) }?.description == "\(lp): labels must be integers, not float32")
            #expect(Fixtures.expectZynqError("missing") { _ = try ImageSet.load(path: ip, labels: lp + ".none") }?.description == "\(lp).none: cannot open: no such file or directory")

            // IDX images of a type that is not uint8/float.
            let i16: [UInt8] = [0, 0, 0x0B, 1, 0, 0, 0, 1, 0, 5]
            try Data(i16).write(to: URL(fileURLWithPath: ip))
            #expect(Fixtures.expectZynqError("int16") { _ = try ImageSet.load(path: ip) }?.description == "\(ip): images must be uint8, float32 or float64, not int16")

            // Not an image file at all.
            try Data("hello".utf8).write(to: URL(fileURLWithPath: ip))
            #expect(Fixtures.expectZynqError("text") { _ = try ImageSet.load(path: ip) }?.description == "\(ip): not an image file: expected .npz, .npy or IDX (plain or gzip)")
            #expect(Fixtures.expectZynqError("dir") { _ = try ImageSet.load(path: dir.path) }?.description == "\(dir.path): not a regular file")
        }
    }
}
