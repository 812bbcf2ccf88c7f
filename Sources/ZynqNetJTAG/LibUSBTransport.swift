import ZynqNetBase
import ZynqNetBit
/// How to pick one FTDI device: by VID:PID, optionally narrowed by serial number or by USB
/// location (bus number and port path, e.g. bus 1 ports [2, 3] for "1-2.3").
public struct USBDeviceSelector: Sendable, Equatable, CustomStringConvertible {
    public var vendorID: UInt16
    public var productID: UInt16
    public var serial: String?
    public var bus: UInt8?
    public var ports: [UInt8]?

    public init(vendorID: UInt16 = FTDI.vendorID, productID: UInt16 = FTDI.ft2232hProductID,
                serial: String? = nil, bus: UInt8? = nil, ports: [UInt8]? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.bus = bus
        self.ports = ports
    }

    /// Parses a USB location `BUS-PORT[.PORT…]` as udev and sysfs print it ("1-2.3").
    public static func parseLocation(_ s: String) -> (bus: UInt8, ports: [UInt8])? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let bus = UInt8(parts[0]), bus > 0 else { return nil }
        let ports = parts[1].split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard !ports.isEmpty, ports.count <= 7, ports.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return (bus, ports.map { $0! })
    }

    public var description: String {
        var s = "USB " + Hex.lower(vendorID, digits: 4) + ":" + Hex.lower(productID, digits: 4)
        if let serial { s += " serial '\(serial)'" }
        if let bus { s += " at \(bus)-" + (ports ?? []).map(String.init).joined(separator: ".") }
        return s
    }
}


#if canImport(CLibUSB)
import CLibUSB

/// The real transport: libusb on interface A of an FT2232H.
public final class LibUSBTransport: USBTransport {
    private var context: OpaquePointer?
    private var handle: OpaquePointer?
    private let interface: FTDI.Interface
    private var reattachKernelDriver = false
    public let maxPacketSize: Int
    /// `/dev/bus/usb/BBB/DDD` of the opened device.
    public let devicePath: String

    /// Maps a libusb error code to a `USBError` naming what was being done.
    public static func error(_ code: Int32, _ operation: String, device: String) -> USBError {
        let name = String(cString: libusb_error_name(code))
        switch code {
        case LIBUSB_ERROR_ACCESS.rawValue: return .permissionDenied(device: device)
        case LIBUSB_ERROR_NO_DEVICE.rawValue: return .disconnected("\(device) during \(operation)")
        case LIBUSB_ERROR_NOT_FOUND.rawValue: return .noDevice("\(device) (\(operation): \(name))")
        case LIBUSB_ERROR_BUSY.rawValue:
            return .busy("\(device) interface is claimed by another program (Vivado hw_server, openFPGALoader, openocd?) during \(operation)")
        case LIBUSB_ERROR_TIMEOUT.rawValue: return .timeout("\(operation) on \(device)")
        default: return .failed("USB \(operation) failed on \(device): \(name)")
        }
    }

    /// Opens the one device that matches `selector`, detaches `ftdi_sio` from the interface and
    /// claims it.
    public init(selector: USBDeviceSelector, interface: FTDI.Interface = .a) throws {
        self.interface = interface
        var ctx: OpaquePointer?
        let rc = libusb_init(&ctx)
        guard rc == 0 else {
            throw USBError.failed("cannot initialise libusb: \(String(cString: libusb_error_name(rc)))")
        }
        context = ctx
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = libusb_get_device_list(ctx, &list)
        guard n >= 0, let list else {
            libusb_exit(ctx)
            throw USBError.failed("cannot list USB devices: \(String(cString: libusb_error_name(Int32(truncatingIfNeeded: n))))")
        }
        defer { libusb_free_device_list(list, 1) }

        var candidates: [(device: OpaquePointer, path: String)] = []
        for i in 0..<n {
            guard let dev = list[i] else { continue }
            var desc = libusb_device_descriptor()
            guard libusb_get_device_descriptor(dev, &desc) == 0,
                  desc.idVendor == selector.vendorID, desc.idProduct == selector.productID else { continue }
            let bus = libusb_get_bus_number(dev)
            if let wanted = selector.bus, wanted != bus { continue }
            if let wantedPorts = selector.ports {
                var ports = [UInt8](repeating: 0, count: 8)
                let count = libusb_get_port_numbers(dev, &ports, Int32(ports.count))
                guard count > 0, Array(ports[0..<Int(count)]) == wantedPorts else { continue }
            }
            let path = "/dev/bus/usb/" + pad3(bus) + "/" + pad3(libusb_get_device_address(dev))
            candidates.append((dev, path))
        }

        var opened: [(handle: OpaquePointer, device: OpaquePointer, path: String)] = []
        var firstError: USBError?
        for c in candidates {
            var h: OpaquePointer?
            let rc = libusb_open(c.device, &h)
            guard rc == 0, let h else {
                if firstError == nil { firstError = LibUSBTransport.error(rc, "open", device: c.path) }
                continue
            }
            if let serial = selector.serial {
                var desc = libusb_device_descriptor()
                _ = libusb_get_device_descriptor(c.device, &desc)
                var buf = [UInt8](repeating: 0, count: 256)
                let len = desc.iSerialNumber == 0 ? -1 : libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, &buf, Int32(buf.count))
                let s = len > 0 ? String(decoding: buf[0..<Int(len)], as: UTF8.self) : ""
                if s != serial {
                    libusb_close(h)
                    continue
                }
            }
            opened.append((h, c.device, c.path))
        }
        guard let chosen = opened.first else {
            libusb_exit(ctx)
            context = nil
            // A permission problem on a matching device is the real reason nothing opened.
            if let firstError { throw firstError }
            throw USBError.noDevice("\(selector) found")
        }
        guard opened.count == 1 else {
            for o in opened { libusb_close(o.handle) }
            libusb_exit(ctx)
            context = nil
            throw USBError.ambiguous("\(opened.count) devices match \(selector) (\(opened.map(\.path).joined(separator: ", "))); choose one with --serial or --usb BUS-PORT (see `zynqnet boards`)")
        }
        handle = chosen.handle
        devicePath = chosen.path
        let mps = libusb_get_max_packet_size(chosen.device, interface.inEndpoint)
        maxPacketSize = mps > 0 ? Int(mps) : 512

        if libusb_kernel_driver_active(chosen.handle, interface.number) == 1 {
            let rc = libusb_detach_kernel_driver(chosen.handle, interface.number)
            guard rc == 0 else {
                let e = LibUSBTransport.error(rc, "detaching the ftdi_sio kernel driver", device: chosen.path)
                libusb_close(chosen.handle)
                libusb_exit(ctx)
                handle = nil
                context = nil
                throw e
            }
            reattachKernelDriver = true
        }
        let claim = libusb_claim_interface(chosen.handle, interface.number)
        guard claim == 0 else {
            let e = LibUSBTransport.error(claim, "claiming interface \(interface.number == 0 ? "A" : "B")", device: chosen.path)
            if reattachKernelDriver { _ = libusb_attach_kernel_driver(chosen.handle, interface.number) }
            libusb_close(chosen.handle)
            libusb_exit(ctx)
            handle = nil
            context = nil
            throw e
        }
    }

    deinit { close() }

    public func controlOut(request: UInt8, value: UInt16, index: UInt16, timeoutMs: UInt32) throws {
        guard let handle else { throw USBError.failed("USB device is closed") }
        let rc = libusb_control_transfer(handle, 0x40, request, value, index, nil, 0, timeoutMs)
        guard rc >= 0 else {
            throw LibUSBTransport.error(rc, "control request 0x" + String(request, radix: 16), device: devicePath)
        }
    }

    public func bulkWrite(endpoint: UInt8, data: [UInt8], timeoutMs: UInt32) throws -> Int {
        guard let handle else { throw USBError.failed("USB device is closed") }
        var done = 0
        var buf = data
        while done < buf.count {
            var transferred: Int32 = 0
            let chunk = Int32(min(buf.count - done, 1 << 20))
            let rc = buf.withUnsafeMutableBufferPointer { p in
                libusb_bulk_transfer(handle, endpoint, p.baseAddress! + done, chunk, &transferred, timeoutMs)
            }
            done += Int(transferred)
            if rc != 0 { throw LibUSBTransport.error(rc, "bulk write (\(done) of \(buf.count) bytes sent)", device: devicePath) }
            if transferred == 0 { throw USBError.timeout("bulk write made no progress on \(devicePath)") }
        }
        return done
    }

    public func bulkRead(endpoint: UInt8, max: Int, timeoutMs: UInt32) throws -> [UInt8] {
        guard let handle else { throw USBError.failed("USB device is closed") }
        guard max > 0 else { return [] }
        var buf = [UInt8](repeating: 0, count: max)
        var transferred: Int32 = 0
        let rc = buf.withUnsafeMutableBufferPointer { p in
            libusb_bulk_transfer(handle, endpoint, p.baseAddress!, Int32(clamping: max), &transferred, timeoutMs)
        }
        if rc != 0 && rc != LIBUSB_ERROR_TIMEOUT.rawValue {
            throw LibUSBTransport.error(rc, "bulk read", device: devicePath)
        }
        buf.removeLast(max - Int(transferred))
        return buf
    }

    public func close() {
        if let handle {
            _ = libusb_release_interface(handle, interface.number)
            if reattachKernelDriver { _ = libusb_attach_kernel_driver(handle, interface.number) }
            libusb_close(handle)
            self.handle = nil
        }
        if let context {
            libusb_exit(context)
            self.context = nil
        }
    }
}

private func pad3(_ v: UInt8) -> String {
    let s = String(v)
    return String(repeating: "0", count: 3 - s.count) + s
}
#endif
