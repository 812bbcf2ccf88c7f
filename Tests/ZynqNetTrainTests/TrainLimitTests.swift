import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

@Suite struct TrainLimitTests {
    @Test func estimatedBytesCountsWeightsAndOneBatch() {
        var o = TrainOptions(sizes: [784, 128, 10])
        o.batchSize = 100
        // Parameters 784·128 + 128 + 128·10 + 10 = 101,770 × 32 bytes = 3,256,640;
        // per sample (784 + 128 + 10) × 13 + 4 × 784 = 15,122 bytes × (100 + the evaluation
        // engine's 512) = 9,254,664.
        #expect(o.estimatedBytes == 3_256_640 + 9_254_664)
    }

    @Test func estimatedBytesIsNilOnOverflow() {
        var o = TrainOptions(sizes: [Int.max / 2, 3, 2])
        #expect(o.estimatedBytes == nil)
        o = TrainOptions(sizes: [4, 3])
        o.batchSize = Int.max / 4
        #expect(o.estimatedBytes == nil)
    }

    @Test func threadsAreCappedAtTheCores() {
        #expect(Parallel.capped(threads: 2, cores: 4).threads == 2 && Parallel.capped(threads: 2, cores: 4).note == nil)
        #expect(Parallel.capped(threads: 4, cores: 4).threads == 4 && Parallel.capped(threads: 4, cores: 4).note == nil)
        let c = Parallel.capped(threads: 64, cores: 4)
        #expect(c.threads == 4 && c.note == "--threads 64 capped at this machine's 4 core(s)")
    }

    @Test func unknownDatasetNamesListTheBuiltInOnes() throws {
        #expect(throws: ZynqError(key: "--dataset", "unknown dataset 'mnist': the built-in ones are fashion-mnist; anything else is a file (.npz, .npy, IDX or .csv)")) {
            _ = try Datasets.load(dataset: "mnist")
        }
        // A path that does not exist is still a file error, not a name error.
        #expect(throws: ZynqError.self) { _ = try Datasets.load(dataset: "/nonexistent/x.npz") }
    }
}
