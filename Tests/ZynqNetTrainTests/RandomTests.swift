import Testing
@testable import ZynqNetTrain

@Suite struct RandomTests {
    @Test func splitMix64MatchesReferenceValues() {
        // Reference outputs of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        var g = SplitMix64(seed: 1234567)
        #expect(g.next() == 6457827717110365317)
        #expect(g.next() == 3203168211198807973)
    }
}
