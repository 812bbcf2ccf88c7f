import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

/// The loopback device against the Python reference outputs committed under Tests/Fixtures:
/// every golden corner case and the real models (cases where the spec agrees).
@Suite struct FixtureLoopbackTests {
    static let fixtures = fixturesRoot.path

    struct Case: Sendable, CustomStringConvertible {
        var dir: String
        var model: String
        var images: String
        var imagesKey: String
        var expected: String
        var description: String { model }
    }

    static func cases() -> [Case] {
        var out: [Case] = []
        func load(_ file: String) -> [String: Any]? {
            guard let d = FileManager.default.contents(atPath: file) else { return nil }
            return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
        }
        if let g = load("\(fixtures)/golden/index.json"), let cs = g["cases"] as? [[String: Any]] {
            for c in cs {
                out.append(Case(dir: "\(fixtures)/golden", model: c["model"] as! String, images: c["images"] as! String,
                                imagesKey: c["images_key"] as! String, expected: c["expected"] as! String))
            }
        }
        if let r = load("\(fixtures)/real/index.json"), let cs = r["cases"] as? [[String: Any]] {
            for c in cs where (c["spec_agrees"] as? Bool) == true {
                out.append(Case(dir: "\(fixtures)/real", model: c["format1"] as! String, images: c["images"] as! String,
                                imagesKey: c["images_key"] as! String, expected: c["expected"] as! String))
            }
        }
        return out
    }

    @Test func thereAreFixtures() { #expect(Self.cases().count >= 40) }

    @Test(arguments: cases())
    func loopbackEqualsTheReferenceOutputs(_ c: Case) throws {
        let model = try QuantizedModel.load(path: "\(c.dir)/\(c.model)")
        // Every rounding mode and clamp: the loopback device builds each layer's own mode.
        let images = try #require(try NPZ.read(path: "\(c.dir)/\(c.images)")[c.imagesKey])
        let codes = try InputQuantizer(model: model).quantize(images)
        let expected = try NPZ.read(path: "\(c.dir)/\(c.expected)")
        let outputs = try #require(expected["outputs"]?.integers())
        let predictions = try #require(expected["predictions"]?.integers())
        var g = SplitMix64(seed: UInt64(c.model.utf8.count) &* 31 &+ UInt64(codes.count))
        // A DMA limit small enough that the larger cases split into several transfers.
        let rig = try Rig(model: model, manifest: RuntimeManifest(dmaLengthWidth: 14), images: codes.count, g: &g)
        let r = try rig.run(codes)
        #expect(r.outputs.map(Int64.init) == outputs)
        #expect(r.predictions.map(Int64.init) == predictions)
        #expect(rig.board.accelerator.violations.isEmpty)
    }
}
