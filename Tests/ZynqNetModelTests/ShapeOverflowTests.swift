import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// Shapes whose element count does not fit an Int are refused with one line, never trapped on.
@Suite struct ShapeOverflowTests {
    /// `cnnArrays()`'s conv with padding 2^31 on every side: Ho = floor((5 + 2^32 − 3) / 2) + 1 =
    /// 2^31 + 2, Wo = 4 + 2^32 − 2 + 1 = 2^32 + 3, and Ho·Wo·3 overflowed an Int in validate()
    /// (the next layer's `shape.reduce(1, *)`: an arithmetic-overflow trap).
    @Test func convOutputTooLargeForAnInt() {
        let padding = NDArray(shape: [4], storage: .int64([1 << 31, 1 << 31, 1 << 31, 1 << 31]))
        do throws(ZynqError) {
            _ = try QuantizedModel(arrays: cnn(["layer0.padding": padding]), file: "m.npz")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "m.npz: 'layer0.padding': the output [Ho, Wo, out] = [2147483650, 4294967299, 3] "
                + "has more elements than an Int holds")
        }
    }

    /// The same as the last layer (no layer after it computed the product, but outputCount does).
    @Test func lastConvOutputTooLargeForAnInt() {
        var a = cnn(["layer0.padding": NDArray(shape: [4], storage: .int64([1 << 31, 1 << 31, 1 << 31, 1 << 31]))])
        for k in a.keys where k.hasPrefix("layer1.") || k.hasPrefix("layer2.") { a[k] = nil }
        do throws(ZynqError) {
            let m = try QuantizedModel(arrays: a, file: "m.npz")
            Issue.record("accepted, outputCount \(m.outputCount)")
        } catch {
            #expect(error.description == "m.npz: 'layer0.padding': the output [Ho, Wo, out] = [2147483650, 4294967299, 3] "
                + "has more elements than an Int holds")
        }
    }
}
