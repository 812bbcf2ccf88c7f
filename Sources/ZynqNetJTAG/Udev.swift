import Foundation
#if canImport(CUdev)
import CUdev
#if canImport(Glibc)
import Glibc
#endif

/// USB device enumeration and hot-plug events through libudev (Linux).
public final class Udev {
    private let udev: OpaquePointer

    public init() throws {
        guard let u = udev_new() else { throw USBError.failed("cannot initialise libudev (udev_new failed)") }
        udev = u
    }

    deinit { udev_unref(udev) }

    /// Every USB device (devtype usb_device) with its interface ttys.
    public func usbDevices() throws -> [USBDeviceRecord] {
        guard let e = udev_enumerate_new(udev) else { throw USBError.failed("cannot enumerate udev devices") }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "usb")
        udev_enumerate_add_match_property(e, "DEVTYPE", "usb_device")
        guard udev_enumerate_scan_devices(e) >= 0 else { throw USBError.failed("udev device scan failed") }
        var out: [USBDeviceRecord] = []
        var entry = udev_enumerate_get_list_entry(e)
        while let en = entry {
            if let path = udev_list_entry_get_name(en), let dev = udev_device_new_from_syspath(udev, path) {
                if let r = record(dev) { out.append(r) }
                udev_device_unref(dev)
            }
            entry = udev_list_entry_get_next(en)
        }
        return out
    }

    private func attr(_ dev: OpaquePointer, _ name: String) -> String? {
        guard let p = udev_device_get_sysattr_value(dev, name) else { return nil }
        let s = String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    private func record(_ dev: OpaquePointer) -> USBDeviceRecord? {
        guard let vid = attr(dev, "idVendor").flatMap({ UInt16($0, radix: 16) }),
              let pid = attr(dev, "idProduct").flatMap({ UInt16($0, radix: 16) }),
              let bus = attr(dev, "busnum").flatMap({ UInt8($0) }) else { return nil }
        let sysname = udev_device_get_sysname(dev).map { String(cString: $0) } ?? ""
        let ports = sysname.split(separator: "-", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        return USBDeviceRecord(
            vendorID: vid, productID: pid,
            manufacturer: attr(dev, "manufacturer"), product: attr(dev, "product"), serial: attr(dev, "serial"),
            bus: bus, address: attr(dev, "devnum").flatMap { UInt16($0) }, ports: ports,
            devNode: udev_device_get_devnode(dev).map { String(cString: $0) },
            ttys: ttys(of: dev))
    }

    /// tty nodes below the device, by the number of the USB interface they belong to.
    private func ttys(of dev: OpaquePointer) -> [Int: String] {
        guard let e = udev_enumerate_new(udev) else { return [:] }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "tty")
        udev_enumerate_add_match_parent(e, dev)
        guard udev_enumerate_scan_devices(e) >= 0 else { return [:] }
        var out: [Int: String] = [:]
        var entry = udev_enumerate_get_list_entry(e)
        while let en = entry {
            if let path = udev_list_entry_get_name(en), let tty = udev_device_new_from_syspath(udev, path) {
                if let node = udev_device_get_devnode(tty),
                   let intf = udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_interface"),
                   let num = attr(intf, "bInterfaceNumber").flatMap({ Int($0, radix: 16) }) {
                    out[num] = String(cString: node)
                }
                udev_device_unref(tty)
            }
            entry = udev_list_entry_get_next(en)
        }
        return out
    }

    /// A netlink monitor for USB and tty add/remove events.
    public func monitor() throws -> UdevMonitor {
        guard let m = udev_monitor_new_from_netlink(udev, "udev") else {
            throw USBError.failed("cannot watch for hot-plug: udev monitor unavailable (is systemd-udevd running?)")
        }
        udev_monitor_filter_add_match_subsystem_devtype(m, "usb", "usb_device")
        udev_monitor_filter_add_match_subsystem_devtype(m, "tty", nil)
        guard udev_monitor_enable_receiving(m) >= 0 else {
            udev_monitor_unref(m)
            throw USBError.failed("cannot watch for hot-plug: udev monitor does not receive events")
        }
        return UdevMonitor(monitor: m)
    }
}

public final class UdevMonitor {
    private let monitor: OpaquePointer

    init(monitor: OpaquePointer) { self.monitor = monitor }

    deinit { udev_monitor_unref(monitor) }

    /// Waits up to `timeoutMs` for one event; returns its action ("add", "remove", …) or nil.
    public func next(timeoutMs: Int32) -> String? {
        var p = pollfd(fd: udev_monitor_get_fd(monitor), events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, timeoutMs) > 0, let dev = udev_monitor_receive_device(monitor) else { return nil }
        defer { udev_device_unref(dev) }
        return udev_device_get_action(dev).map { String(cString: $0) } ?? "change"
    }
}
#endif
