import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetSim

@Suite struct Images {
    func spec(_ type: ActivationType, zero: Int32, scale: Float, _ rounding: InputRounding, shape: [Int] = [4]) -> InputSpec {
        InputSpec(shape: shape, type: type, zero: zero, scale: scale, rounding: rounding)
    }

    /// scale 0.5, zx = 3 (odd, so ties of v stay ties): v = 2x, then format 2's
    /// half_even/half_away R(v) + 3 and trunc(v + 3). Expected by hand.
    @Test func floatImagesWithEveryRounding() throws {
        let xs: [Float] = [1.25, -1.25, -2.25, 0.75, 1000, -1000, 0.2, -0.2]
        //               v:  2.5  -2.5  -4.5   1.5   big   -big   0.4  -0.4
        let array = NDArray(shape: [2, 4], storage: .float32(xs))
        let even = try InputQuantizer(input: spec(.int8, zero: 3, scale: 0.5, .halfEven)).quantize(array)
        #expect(even.count == 2 && even.width == 4)
        // R(v) = 2, −2, −4, 2 (format 1's R(v + 3) gave 6, 0, −2, 4).
        #expect(even.image(0) + even.image(1) == [5, 1, -1, 5, 127, -128, 3, 3])
        let away = try InputQuantizer(input: spec(.int8, zero: 3, scale: 0.5, .halfAway)).quantize(array)
        #expect(away.image(0) + away.image(1) == [6, 0, -2, 5, 127, -128, 3, 3])
        let trunc = try InputQuantizer(input: spec(.int8, zero: 3, scale: 0.5, .trunc)).quantize(array)
        #expect(trunc.image(0) + trunc.image(1) == [5, 0, -1, 4, 127, -128, 3, 2])
        let uint8 = try InputQuantizer(input: spec(.uint8, zero: 3, scale: 0.5, .halfEven)).quantize(array)
        #expect(uint8.type == .uint8)
        #expect(uint8.image(0) + uint8.image(1) == [5, 1, 0, 5, 255, 0, 3, 3])
        let infinities = NDArray(shape: [1, 4], storage: .float32([.infinity, -.infinity, .infinity, -.infinity]))
        for r in InputRounding.allCases {
            #expect(try InputQuantizer(input: spec(.int8, zero: 3, scale: 0.5, r)).quantize(infinities).image(0) == [127, -128, 127, -128])
        }
    }

    /// v + zx is exact (format 2): v = 3 − 2^−22 with zx = 100 is 102.99999976, so trunc
    /// gives 102 (format 1's float32 sum rounded it to 103.0 → 103).
    @Test func theSumIsExact() throws {
        let v: Float = 3 - 0x1p-22
        #expect(v + 100 == 103)
        let q = InputQuantizer(input: spec(.uint8, zero: 100, scale: 1, .trunc, shape: [1]))
        #expect(try q.quantize(NDArray(shape: [1, 1], storage: .float32([v]))).image(0) == [102])
        // The same for a negative zero point: −3 + 2^−22 − 100 → −102.99999976 → −102.
        let n = InputQuantizer(input: spec(.int8, zero: -100, scale: 1, .trunc, shape: [1]))
        #expect(try n.quantize(NDArray(shape: [1, 1], storage: .float32([-v]))).image(0) == [-102])
        // Even where a float64 sum would round: −2^−60 + 100 = 99.999… → 99, 2^−60 − 100 → −99.
        #expect(Double(Float(-0x1p-60)) + 100 == 100)
        #expect(try q.quantize(NDArray(shape: [1, 1], storage: .float32([-0x1p-60]))).image(0) == [99])
        #expect(try n.quantize(NDArray(shape: [1, 1], storage: .float32([0x1p-60]))).image(0) == [-99])
        #expect(try n.quantize(NDArray(shape: [1, 1], storage: .float32([-0x1p-60]))).image(0) == [-100])
        #expect(try q.quantize(NDArray(shape: [1, 1], storage: .float32([0x1p-60]))).image(0) == [100])
    }

    /// The division is in float32 (values from NumPy): float32(0.35)/float32(0.1) = 3.5
    /// exactly (half_even → 4), where a float64 division gives 3.49999995 (→ 3).
    /// float64 pixels are rounded to float32 first.
    @Test func theDivisionIsInFloat32() throws {
        let q = InputQuantizer(input: spec(.int8, zero: 0, scale: 0.1, .halfEven, shape: [3]))
        #expect(try q.quantize(NDArray(shape: [1, 3], storage: .float64([0.35, 0.25, 0.45]))).image(0) == [4, 2, 4])
        #expect(try q.quantize(NDArray(shape: [1, 3], storage: .float32([0.35, 0.25, 0.45]))).image(0) == [4, 2, 4])
    }

    @Test func nanNamesTheImage() throws {
        let q = InputQuantizer(input: spec(.int8, zero: 0, scale: 1, .halfEven, shape: [2]))
        let array = NDArray(shape: [3, 2], storage: .float32([0, 1, 2, 3, 4, .nan]))
        #expect(throws: ZynqError(key: "x_test", "image 2 element 1 is NaN")) { try q.quantize(array, key: "x_test") }
    }

    @Test func uint8Images() throws {
        let pixels: [UInt8] = [0, 127, 128, 255]
        let array = NDArray(shape: [1, 2, 2], storage: .uint8(pixels))
        let asUint8 = try InputQuantizer(input: spec(.uint8, zero: 9, scale: 1, .halfEven, shape: [2, 2])).quantize(array)
        #expect(asUint8.image(0) == [0, 127, 128, 255])
        let asInt8 = try InputQuantizer(input: spec(.int8, zero: 9, scale: 1, .halfEven, shape: [2, 2])).quantize(array)
        #expect(asInt8.image(0) == [-128, -1, 0, 127])
    }

    @Test func shapes() throws {
        let q = InputQuantizer(input: spec(.uint8, zero: 0, scale: 1, .halfEven, shape: [2, 3]))
        // One image of exactly input.shape; a batch with any trailing shape of 6 elements.
        #expect(try q.quantize(NDArray(shape: [2, 3], storage: .uint8([1, 2, 3, 4, 5, 6]))).count == 1)
        #expect(try q.quantize(NDArray(shape: [2, 6], storage: .uint8(Array(repeating: 1, count: 12)))).count == 2)
        #expect(try q.quantize(NDArray(shape: [0, 6], storage: .uint8([]))).count == 0)
        #expect(throws: ZynqError(key: "images", "images of shape [5] have 5 elements, but the model's input.shape [2, 3] has 6")) {
            try q.quantize(NDArray(shape: [2, 5], storage: .uint8(Array(repeating: 1, count: 10))))
        }
        // A shape whose trailing product overflows Int is a mismatch, not a trap.
        #expect(throws: ZynqError(key: "images", "images of shape [1099511627776, 1099511627776] have too many elements, but the model's input.shape [2, 3] has 6")) {
            try q.quantize(NDArray(shape: [0, 1 << 40, 1 << 40], storage: .uint8([])))
        }
        #expect(throws: ZynqError(key: "images", "dtype must be uint8, float32 or float64, got int16")) {
            try q.quantize(NDArray(shape: [1, 6], storage: .int16(Array(repeating: 1, count: 6))))
        }
    }

    @Test func simulatorRunsImages() throws {
        // Identity layer, uint8 in and out: a uint8 image comes out as it went in.
        let model = oneLayer(weights: [1, 0, 0, 1], inF: 2, m: [1], s: [0], outType: .uint8, inType: .uint8)
        let result = try Simulator(model: model).run(images: NDArray(shape: [2, 2], storage: .uint8([3, 250, 9, 8])))
        #expect(result.outputs == [3, 250, 9, 8])
        #expect(result.predictions == [1, 0])
        #expect(throws: ZynqError.self) { try Simulator(model: model).run(try InputCodes(int8: [1, 2], width: 2)) }
    }
}

@Suite struct InputRangeWarningTests {
    static func quantizer(scale: Float) -> InputQuantizer {
        InputQuantizer(input: InputSpec(shape: [2], type: .uint8, zero: 0, scale: scale))
    }

    @Test func uint8ImagesWarnUnlessTheScaleIsOneOver255() {
        let u8 = NDArray(shape: [2, 2], storage: .uint8([3, 9, 250, 7]))
        #expect(Self.quantizer(scale: 1.0 / 255).rangeWarning(u8) == nil)
        #expect(Self.quantizer(scale: 0.5).rangeWarning(u8)
                == "uint8 images (3…250) are fed as input codes unchanged, which assumes input.scale = 1/255, but the model's input.scale is 0.5: give float images in the model's units")
    }

    @Test func floatImagesFarAboveOneWarnForAOneOver255Model() {
        let pixels = NDArray(shape: [2, 2], storage: .float64([0, 17, 255, 2.5]))
        let unit = NDArray(shape: [2, 2], storage: .float32([0, 0.5, 1, 1.9]))
        #expect(Self.quantizer(scale: 1.0 / 255).rangeWarning(pixels)
                == "float images range 0…255, but the model's input.scale is 1/255 (it expects 0…1): divide them by 255, or give the uint8 pixels")
        #expect(Self.quantizer(scale: 1.0 / 255).rangeWarning(unit) == nil)
        #expect(Self.quantizer(scale: 0.5).rangeWarning(pixels) == nil)
    }
}
