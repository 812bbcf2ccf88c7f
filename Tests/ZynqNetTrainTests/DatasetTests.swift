import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

@Suite struct DatasetTests {
    /// Expected values read from the gzip IDX files with Python/NumPy.
    @Test func fashionMNISTLoadsFromTheDebianPackage() throws {
        let (train, test) = try Datasets.fashionMNIST()
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.shape == [28, 28] && train.classCount == 10 && train.isBytes)
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        for c in 0..<10 { #expect(test.labels.filter { $0 == c }.count == 1000) }
        guard case .bytes(let px) = test.features else { Issue.record("not bytes"); return }
        #expect(px[0..<784].reduce(0) { $0 + Int($1) } == 33456)
        #expect(Array(px[14 * 28 + 10..<14 * 28 + 16]) == [0, 0, 98, 136, 110, 109])
        #expect(px[0..<(200 * 784)].reduce(0) { $0 + Int($1) } == 11795585)
    }

    @Test func kerasStyleAndImagesLabelsNpz() throws {
        let dir = try makeTemporaryDirectory("train")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keras = dir.appendingPathComponent("k.npz").path
        try NPZ.write([
            ("x_train", NDArray(shape: [3, 2], storage: .uint8([1, 2, 3, 4, 5, 6]))),
            ("y_train", NDArray(shape: [3], storage: .int64([0, 1, 1]))),
            ("x_test", NDArray(shape: [1, 2], storage: .uint8([7, 8]))),
            ("y_test", NDArray(shape: [1], storage: .int64([1]))),
        ], to: keras)
        let a = try Datasets.load(dataset: keras)
        #expect(a.train.count == 3 && a.test?.count == 1 && a.train.features == .bytes([1, 2, 3, 4, 5, 6]))
        #expect(a.test?.features == .bytes([7, 8]) && a.testSource.contains("x_test"))

        let plain = dir.appendingPathComponent("p.npz").path
        try NPZ.write([
            ("images", NDArray(shape: [5, 1], storage: .float32([0, 0.25, 0.5, 0.75, 1]))),
            ("labels", NDArray(shape: [5], storage: .int32([0, 0, 1, 1, 1]))),
        ], to: plain)
        let b = try Datasets.load(dataset: plain, testSplit: 0.2, seed: 3)
        #expect(b.train.count == 4 && b.test?.count == 1 && !b.train.standardize)
        #expect(b.testSource.contains("held-out 20 %"))

        let noLabels = dir.appendingPathComponent("n.npz").path
        try NPZ.write([("images", NDArray(shape: [2, 1], storage: .uint8([1, 2])))], to: noLabels)
        #expect(throws: ZynqError.self) { try Datasets.load(dataset: noLabels) }
        let badY = dir.appendingPathComponent("y.npz").path
        try NPZ.write([
            ("x_train", NDArray(shape: [2, 1], storage: .uint8([1, 2]))),
            ("y_train", NDArray(shape: [2], storage: .int64([0, -1]))),
        ], to: badY)
        do {
            _ = try Datasets.load(dataset: badY)
            Issue.record("no error")
        } catch let e as ZynqError {
            #expect(e.file == badY && e.key == "y_train")
        }
    }

    @Test func csvTestSetIsNumberedLikeTheTrainingSet() throws {
        let dir = try makeTemporaryDirectory("train")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainPath = dir.appendingPathComponent("train.csv").path
        let testPath = dir.appendingPathComponent("test.csv").path
        try "a,label\n1,cat\n2,dog\n3,emu\n".write(toFile: trainPath, atomically: true, encoding: .utf8)
        try "a,label\n5,emu\n6,cat\n".write(toFile: testPath, atomically: true, encoding: .utf8)
        let p = try Datasets.load(dataset: trainPath, testDataset: testPath)
        #expect(p.test?.labels == [2, 0] && p.test?.classCount == 3)
        try "a,label\n5,yak\n".write(toFile: testPath, atomically: true, encoding: .utf8)
        #expect(throws: ZynqError.self) { try Datasets.load(dataset: trainPath, testDataset: testPath) }
    }

    @Test func splitIsSeedFixedAndDisjoint() throws {
        let d = try LabeledData.fromCSV(path: irisPath)
        let (k1, h1) = d.split(heldOutFraction: 0.2, seed: 1)
        let (_, h1again) = d.split(heldOutFraction: 0.2, seed: 1)
        let (_, h2) = d.split(heldOutFraction: 0.2, seed: 2)
        #expect(k1.count == 120 && h1?.count == 30)
        #expect(h1?.features == h1again?.features && h1?.features != h2?.features)
    }
}
