import Foundation
import ZynqNetBit
@testable import ZynqNetJTAG
import ZynqNetJTAGSim

/// A board of the built-in catalog.
func board(_ name: String) -> BoardProfile {
    JTAGCatalog.builtIn.board(named: name)!
}

/// A simulated FT2232H on a simulated Zynq chain, wired for `board`.
func simulatedCable(board b: BoardProfile, chain: SimZynqChain.Config = SimZynqChain.Config()) -> SimulatedFT2232H {
    SimulatedFT2232H(chain: SimZynqChain(config: chain), requiredPins: b.pins)
}

/// Opens a session on `sim` (the opener checks the selector the session asks for).
func session(_ sim: SimulatedFT2232H, board b: BoardProfile, hz: UInt32? = nil, faults: DriverFaults = DriverFaults()) throws -> JTAGSession {
    try JTAGSession(board: b, selector: USBDeviceSelector(), frequencyHz: hz, opener: { sel, intf in
        precondition(sel.vendorID == 0x0403 && sel.productID == 0x6010 && intf == .a)
        return sim
    }, faults: faults)
}

/// A .bit for the simulated xc7z020 with `frameWords` frames (the sim's default count).
func syntheticBit(frameWords: UInt32 = 1_010, trailingNoops: Int = 16, idcode: UInt32 = 0x0372_7093,
                  part: String = "7z020clg400", correctCRC: Bool = true) -> BitFile {
    SyntheticBitstream(idcode: idcode, frameWords: frameWords, trailingNoops: trailingNoops, seed: 3, correctCRC: correctCRC)
        .bitFile(part: part)
}
