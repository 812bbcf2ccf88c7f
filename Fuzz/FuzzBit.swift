// libFuzzer entry for the .bit parser and the configuration packet walker. Built and run by
// scripts/fuzz-bit.sh, compiled together with the ZynqNetBit sources (ZynqError comes from a
// one-file ZynqNetModel module). A parser may throw but must never trap, hang or touch memory it
// does not own (ASan watches).
//
// Invariants checked on top, for every input that parses:
//   - serialized() gives back exactly the input bytes;
//   - the fpga_manager .bin has the same length and swapping it again gives the payload;
//   - the JTAG payload reversed again gives the payload.
import ZynqNetBase

@_cdecl("LLVMFuzzerTestOneInput")
public func zynqnetBitFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    _ = ConfigPackets.summarize(bytes)
    guard let f = try? BitFile.parse(bytes, file: "fuzz.bit") else { return 0 }
    guard f.serialized() == bytes else { fatalError("serialized() differs from the parsed input") }
    _ = f.design
    _ = f.attributes
    _ = f.syncOffset
    _ = ConfigPackets.summarize(f.payload)
    guard let bin = try? f.fpgaManagerBin(file: "fuzz.bit") else { fatalError("a parsed .bit must convert to .bin") }
    guard bin.count == f.payload.count else { fatalError(".bin length differs") }
    var back = bin
    var i = 0
    while i + 4 <= back.count {
        back.swapAt(i, i + 3)
        back.swapAt(i + 1, i + 2)
        i += 4
    }
    guard back == f.payload else { fatalError(".bin is not the word-swapped payload") }
    guard Bitstream.jtagPayload(f.jtagPayload) == f.payload else { fatalError("bit reversal is not an involution") }
    return 0
}
