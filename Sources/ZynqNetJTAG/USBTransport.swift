/// The USB operations the FTDI layer needs, so the same driver runs on a real cable
/// (`LibUSBTransport`, libusb) and on the simulated FT2232H of the tests
/// (`ZynqNetJTAGSim.SimulatedFT2232H`), in the spirit of swift-nio's EmbeddedChannel.
public protocol USBTransport: AnyObject {
    /// wMaxPacketSize of the bulk IN endpoint: 512 on a high-speed FT2232H, 64 at full speed.
    /// Every packet of a bulk IN transfer starts with 2 modem-status bytes.
    var maxPacketSize: Int { get }
    /// A vendor OUT control request without data (bmRequestType 0x40).
    func controlOut(request: UInt8, value: UInt16, index: UInt16, timeoutMs: UInt32) throws
    /// Writes `data` to a bulk OUT endpoint; returns the bytes accepted.
    func bulkWrite(endpoint: UInt8, data: [UInt8], timeoutMs: UInt32) throws -> Int
    /// One bulk IN transfer of at most `max` bytes (status bytes included); may return fewer,
    /// or nothing when the timeout expires.
    func bulkRead(endpoint: UInt8, max: Int, timeoutMs: UInt32) throws -> [UInt8]
    /// Releases the interface; the transport is unusable afterwards.
    func close()
}

/// USB failures with the message a user can act on.
public enum USBError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No device matched; `what` says what was looked for.
    case noDevice(String)
    /// Several devices matched and none was chosen.
    case ambiguous(String)
    /// The device node could not be opened for lack of permission.
    case permissionDenied(device: String)
    /// Another driver or program holds the interface.
    case busy(String)
    /// The device went away (unplugged, reset).
    case disconnected(String)
    case timeout(String)
    /// Any other libusb or protocol failure.
    case failed(String)

    public static let udevHint = "install the JTAG udev rule: sudo cp udev/60-zynqnet-jtag.rules /etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm trigger, add yourself to plugdev (sudo usermod -aG plugdev $USER, then log in again) and replug the cable (udev/README.md)"

    public var description: String {
        switch self {
        case .noDevice(let what): return "no such device: \(what); is the board powered and its PROG/UART USB port connected?"
        case .ambiguous(let what): return what
        case .permissionDenied(let device): return "permission denied opening \(device): \(USBError.udevHint)"
        case .busy(let what): return "device busy: \(what)"
        case .disconnected(let what): return "device disconnected: \(what)"
        case .timeout(let what): return "USB timeout: \(what)"
        case .failed(let what): return what
        }
    }
}

/// FTDI vendor requests and constants (libftdi `ftdi.h`, shared/docs/zynq-facts.md §4.6).
public enum FTDI {
    public static let vendorID: UInt16 = 0x0403
    public static let ft2232hProductID: UInt16 = 0x6010

    public static let requestReset: UInt8 = 0x00
    public static let requestSetLatencyTimer: UInt8 = 0x09
    public static let requestSetBitmode: UInt8 = 0x0B

    public static let resetSIO: UInt16 = 0
    public static let purgeRX: UInt16 = 1
    public static let purgeTX: UInt16 = 2

    public static let bitmodeReset: UInt8 = 0x00
    public static let bitmodeMPSSE: UInt8 = 0x02

    /// Interface A: USB interface 0, wIndex 1, bulk OUT 0x02, bulk IN 0x81.
    public struct Interface: Sendable, Equatable {
        public var number: Int32
        public var index: UInt16
        public var outEndpoint: UInt8
        public var inEndpoint: UInt8
        public static let a = Interface(number: 0, index: 1, outEndpoint: 0x02, inEndpoint: 0x81)
        public static let b = Interface(number: 1, index: 2, outEndpoint: 0x04, inEndpoint: 0x83)
    }
}
