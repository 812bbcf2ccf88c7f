import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

@Suite struct QuantizationTests {
    @Test func multiplierNormalizationIsExactForDyadicReals() throws {
        // m = M / 2^s with M in [2^30, 2^31), worked out by hand.
        let cases: [(Double, UInt32, UInt8)] = [
            (0.5, 1 << 30, 31),
            (1.0, 1 << 30, 30),
            (0.75, 3 << 29, 31),
            (0.1875, 3 << 29, 33),              // 3/16 = 0.75 · 2^-2
            (1.0 / 1024, 1 << 30, 40),
            (2147483647.0, 2147483647, 0),       // 2^31 − 1 = M with s = 0
        ]
        for (m, M, s) in cases {
            let r = try #require(Quantizer.multiplier(m))
            #expect(r.multiplier == M && r.shift == s && r.exact, "m = \(m)")
        }
    }

    @Test func multiplierRoundsToNearestAndRenormalizesACarry() throws {
        // 1/3 = (2/3) · 2^-1: M = round(2^32 / 3) = round(1431655765.33) = 1431655765, s = 32.
        let third = try #require(Quantizer.multiplier(1.0 / 3))
        #expect(third.multiplier == 1431655765 && third.shift == 32)
        // 1 − 2^-40 rounds up to 2^31 at s = 31 and renormalizes to 2^30 at s = 30.
        let carry = try #require(Quantizer.multiplier(1 - 0x1p-40))
        #expect(carry.multiplier == 1 << 30 && carry.shift == 30)
        // Below 2^-33 the shift saturates at 63: 2^-40 = 2^23 / 2^63.
        let tiny = try #require(Quantizer.multiplier(0x1p-40))
        #expect(tiny.multiplier == 1 << 23 && tiny.shift == 63 && !tiny.exact)
        #expect(Quantizer.multiplier(0x1p31) == nil)
        #expect(Quantizer.multiplier(0) == nil)
        #expect(Quantizer.multiplier(-1) == nil)
    }

    @Test func multiplierErrorIsWithinHalfAnUnitOf31Bits() throws {
        var g = Xoshiro256(seed: 5)
        for _ in 0..<2000 {
            let m = Foundation.exp((g.unitDouble() - 0.7) * 30)  // about 8e-10 … 8e3, above 2^-33
            let r = try #require(Quantizer.multiplier(m))
            #expect(r.multiplier >= 1 << 30 && r.multiplier < 1 << 31)
            let back = Double(r.multiplier) * Foundation.pow(2, -Double(r.shift))
            #expect(abs(back - m) <= m * 0x1p-31)
        }
    }

    /// A 2-in, 2-out layer whose scales are powers of two, so every value is exact.
    func smallNet(bias: [Float]) -> FloatMLP {
        // w (out, in) = [[127/64, -1/2], [1/4, 127/256]] stored transposed (in, out).
        let wT: [Float] = [127.0 / 64, 1.0 / 4, -1.0 / 2, 127.0 / 256]
        return FloatMLP(layers: [FloatLayer(inFeatures: 2, outFeatures: 2, weightT: wT, bias: bias)])
    }

    @Test func perChannelExportFoldsBiasesAndMultipliers() throws {
        let input = InputQuantization(type: .uint8, scale: 0.5, zero: 0)
        let out = ActivationQuantization(scale: 0.25, zero: 3, type: .int8, relu: false)
        let (model, warnings) = try Quantizer.export(
            smallNet(bias: [1, 3.0 / 1024]), inputShape: [2], input: input, outputs: [out], perChannel: true)
        #expect(warnings.isEmpty)
        let l = model.layers[0]
        // s_w = (1/64, 1/256): weights 127, −32 and 64, 127.
        #expect(l.weight == [127, -32, 64, 127])
        // bias/(s_in·s_w): 1 / (1/128) = 128; (3/1024) / (1/512) = 1.5 → 2 (half away from zero).
        #expect(l.bias == [128, 2])
        // m = s_in·s_w/s_out: (1/2)(1/64)·4 = 2^-5 → (2^30, 35); (1/2)(1/256)·4 = 2^-7 → (2^30, 37).
        #expect(l.multiplier == [1 << 30, 1 << 30] && l.shift == [35, 37] && !l.perTensorMultiplier)
        #expect(l.rounding == .halfUp && !l.relu && l.outputZero == 3 && l.outputType == .int8)
        #expect(model.input == InputSpec(shape: [2], type: .uint8, zero: 0, scale: 0.5))
    }

    @Test func perTensorExportUsesOneScaleAndClampsHugeBiases() throws {
        let input = InputQuantization(type: .int8, scale: 0.5, zero: -128)
        let out = ActivationQuantization(scale: 0.25, zero: -128, type: .int8, relu: true)
        let (model, warnings) = try Quantizer.export(
            smallNet(bias: [-3.0 / 1024, 1e12]), inputShape: [2], input: input, outputs: [out], perChannel: false)
        let l = model.layers[0]
        // s_w = 1/64 for both rows: 1/4 → 16, 127/256 → 31.75 → 32.
        #expect(l.weight == [127, -32, 16, 32])
        // (−3/1024) / (1/128) = −0.375 → 0; 1e12 · 128 overflows int32 and clamps.
        #expect(l.bias == [0, Int32.max])
        #expect(warnings.count == 1 && warnings[0].contains("clamped"))
        #expect(l.perTensorMultiplier && l.multiplier == [1 << 30, 1 << 30] && l.shift == [35, 35])
        #expect(l.relu && l.outputLow == -128)
    }

    @Test func activationGridsCoverTheirRanges() {
        let h = Quantizer.hiddenOutput(maxValue: 5.1, type: .uint8)
        #expect(h.scale == Float(5.1) / 255 && h.zero == 0 && h.lo == 0 && h.hi == 255)
        let h8 = Quantizer.hiddenOutput(maxValue: 5.1, type: .int8)
        #expect(h8.zero == -128 && h8.lo == -128 && h8.hi == 127)
        // Logits in [−3, 5.5]: scale 8.5/255 = 1/30, zero round(3 · 30) = 90 (uint8) or −38 (int8).
        let z = Quantizer.logitsOutput(lo: -3, hi: 5.5, type: .uint8)
        #expect(z.zero == 90 && !z.relu)
        #expect(Quantizer.logitsOutput(lo: -3, hi: 5.5, type: .int8).zero == -38)
        // An all-positive range still contains 0.
        #expect(InputQuantization.covering(lo: 0.1, hi: 7.9, type: .uint8).zero == 0)
        #expect(InputQuantization.covering(lo: 0.1, hi: 7.9, type: .int8).zero == -128)
    }

    @Test func floatInputsFollowTheSpecsHalfEvenPath() {
        let q = InputQuantization(type: .uint8, scale: 0.5, zero: 1)
        // v = x / 0.5; format 2: R(v) half to even, + 1; clamp to [0, 255].
        #expect(q.quantize(0.75) == 3)   // R(1.5) = 2, + 1 (format 1's R(2.5) gave 2)
        #expect(q.quantize(1.25) == 3)   // R(2.5) = 2, + 1 (format 1's R(3.5) gave 4)
        #expect(q.quantize(-5) == 0)
        #expect(q.quantize(1000) == 255)
        #expect(q.dequantize(4) == 1.5)
    }
}

import Foundation

@Suite struct DegenerateRangeTests {
    @Test func aLayerThatNeverFiresStillExports() throws {
        // Layer 0's weights are all negative and its inputs non-negative: it never fires.
        let l0 = FloatLayer(inFeatures: 2, outFeatures: 2, weightT: [-1, -2, -3, -4], bias: [-1, -1])
        let l1 = FloatLayer(inFeatures: 2, outFeatures: 2, weightT: [1, 0, 0, 1], bias: [0.5, -0.5])
        let net = FloatMLP(layers: [l0, l1])
        let data = try LabeledData(features: .bytes([0, 255, 10, 20]), shape: [2], labels: [0, 1], source: "t")
        let outs = Calibration.outputs(of: net, data: data, input: .images(.uint8), type: .uint8,
                                       perChannel: false, sequential: true, threads: 1)
        #expect(outs[0].scale == Float(1) / 255)
        let (model, _) = try Quantizer.export(net, inputShape: [2], input: .images(.uint8), outputs: outs, perChannel: false)
        try model.validate()
        // Logits are then just the biases: 0.5 and −0.5 on the grid of [−0.5, 0.5].
        let sim = try QuantizedEvaluation.run(model, on: data)
        #expect(sim.predictions == [0, 0])
    }
}
