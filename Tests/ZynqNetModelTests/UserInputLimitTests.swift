import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

@Suite("labels, empty image sets and the memory limit")
struct UserInputLimitTests {
    @Test func labelsBeyondTheClassesNameTheFileKeyIndexAndValue() throws {
        let images = NDArray(shape: [3, 2], storage: .uint8([0, 1, 2, 3, 4, 5]))
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.npz").path
        try NPZ.write([("x_test", images), ("y_test", NDArray(shape: [3], storage: .int64([0, 10, 11])))], to: path)
        let set = try ImageSet.load(path: path)
        #expect(set.labelFile == path && set.labelKey == "y_test")
        try set.checkLabels(classes: 12)
        #expect(throws: ZynqError(file: path, key: "y_test", "label 1 is 10, but the model has 10 classes: labels must be 0…9")) {
            try set.checkLabels(classes: 10)
        }
        // Labels from a separate file: the file is named, the key is `labels`.
        let separate = ImageSet(images: images, labels: [1, 2, 3], source: "i.npy", labelFile: "l.npy")
        #expect(throws: ZynqError(file: "l.npy", key: "labels", "label 2 is 3, but the model has 3 classes: labels must be 0…2")) {
            try separate.checkLabels(classes: 3)
        }
    }

    @Test func noImagesIsAnError() throws {
        let set = ImageSet(images: NDArray(shape: [0, 4], storage: .uint8([])), labels: [], source: "e.npz['images']")
        #expect(throws: ZynqError(file: "e.npz['images']", "no images: the file holds 0, and an accuracy of 0 images is not a number")) {
            try set.checkNotEmpty()
        }
    }

    @Test func memoryLimitReadsMemAvailableElseMemTotalAndTheEnvironmentOverrides() {
        let meminfo = "MemTotal:       24683772 kB\nMemFree:        1000 kB\nMemAvailable:   23173116 kB\n"
        #expect(MemoryLimit.parseMeminfo(meminfo) == 23_173_116 * 1024)
        #expect(MemoryLimit.parseMeminfo("MemTotal:  2048 kB\n") == 2048 * 1024)
        #expect(MemoryLimit.parseMeminfo("nothing") == nil)
        #expect(MemoryLimit.available(environment: [:], meminfo: meminfo) == 23_173_116 * 1024)
        #expect(MemoryLimit.available(environment: ["ZYNQNET_MEMORY_LIMIT": "5000"], meminfo: meminfo) == 5000)
    }

    @Test func excessNamesTheOptionAndBothSizes() {
        #expect(MemoryLimit.excess(900, option: "--batch", value: "9", what: "x", limit: 1000) == nil)
        #expect(MemoryLimit.excess(3_000_000_000, option: "--batch", value: "9", what: "training", limit: 1_000_000_000)
                == "--batch 9: training needs about 3.0 GB, more than the 1.0 GB of memory available")
        #expect(MemoryLimit.excess(nil, option: "--layers", value: "1,2", what: "training", limit: 1_000_000_000)
                == "--layers 1,2: training needs more memory than can be counted, more than the 1.0 GB of memory available")
    }
}
