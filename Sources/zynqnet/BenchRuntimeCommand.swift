import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime

/// Hidden: host-side cost of the runtime per image on the loopback device.
struct BenchRuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-runtime",
        abstract: "Measure the runtime's host-side cost per image on the loopback device.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Images per batch.")
    var batch = 256

    @Option(name: .long, help: "Batches to time (after one warm-up batch).")
    var batches = 200

    @Option(name: .long, help: "dma_length_width of the simulated AXI DMA.")
    var dmaLengthWidth = 23

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (1...65536).contains(batch) else { throw ValidationError("--batch must be 1...65536") }
        guard (1...100_000).contains(batches) else { throw ValidationError("--batches must be 1...100000") }
        guard (8...26).contains(dmaLengthWidth) else { throw ValidationError("--dma-length-width must be 8...26") }
    }

    func run() throws {
        let r = try RuntimeBenchmark.run(model: RuntimeBenchmark.mnistLikeModel(), batchSize: batch, batches: batches,
                                         manifest: RuntimeManifest(dmaLengthWidth: dmaLengthWidth))
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        print("model \(r.model), batch \(r.batch_size), \(r.batches) batches, \(r.transfers_per_batch) transfer(s) per batch")
        print(String(format: "host-side cost: %.1f ns/image (pack %.1f, unpack+check %.1f, sync %.1f, driver %.1f)",
                     r.host_ns_per_image, r.pack_ns_per_image, r.unpack_ns_per_image, r.sync_ns_per_image, r.driver_ns_per_image))
        print(String(format: "simulated device: %.1f ns/image (not host cost); %.0f register accesses per batch",
                     r.device_ns_per_image, r.register_accesses_per_batch))
    }
}
