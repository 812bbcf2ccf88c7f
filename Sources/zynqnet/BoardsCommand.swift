import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetJTAG

struct BoardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boards",
        abstract: "List the boards attached over USB (FTDI FT2232H JTAG/UART cables, through libudev).",
        discussion: """
        Shows each FT2232H (0403:6010) with its manufacturer, product and serial strings, USB \
        location (bus-ports, usable as --usb), the UART tty and the board it was recognised as \
        (fpga/boards/jtag.json). With no board attached the list is empty and the exit code 0. \
        --watch keeps running and prints boards as they are plugged in and out.
        """
    )

    @Flag(name: .long, help: "Print JSON (an array; with --watch one event object per line).")
    var json = false

    @Flag(name: .long, help: "Follow hot-plug events until interrupted.")
    var watch = false

    @Option(name: .long, help: "With --watch: stop after this many seconds.")
    var watchSeconds: Double?

    func validate() throws {
        if let s = watchSeconds {
            guard watch else { throw ValidationError("--watch-seconds needs --watch") }
            guard s > 0, s.isFinite else { throw ValidationError("--watch-seconds must be positive, not \(s)") }
        }
    }

    func run() throws {
        #if canImport(CUdev)
        let udev = try Udev()
        var current = BoardDiscovery.boards(in: try udev.usbDevices(), catalog: .builtIn)
        if json {
            if watch {
                for b in current { print(JSONText.object([("event", .string("present")), ("board", BoardDiscovery.json(b))]).render()) }
            } else {
                print(JSONText.array(current.map(BoardDiscovery.json)).render(pretty: true))
            }
        } else if current.isEmpty {
            print("no boards found (no FTDI FT2232H 0403:6010 on USB)")
        } else {
            for b in current { print(BoardDiscovery.line(b)) }
        }
        fflush(nil)
        guard watch else { return }
        let monitor = try udev.monitor()
        let end = watchSeconds.map { Date().addingTimeInterval($0) }
        while end.map({ Date() < $0 }) ?? true {
            let left = end.map { max(0, $0.timeIntervalSinceNow) } ?? 1
            guard monitor.next(timeoutMs: Int32(min(left, 1) * 1000)) != nil else { continue }
            // ttys appear a moment after their USB device: let udev settle, then rescan.
            usleep(300_000)
            let now = BoardDiscovery.boards(in: try udev.usbDevices(), catalog: .builtIn)
            for b in current where !now.contains(where: { $0.device.location == b.device.location && $0.device.serial == b.device.serial }) {
                emit("remove", b)
            }
            for b in now where !current.contains(where: { $0 == b }) {
                emit(current.contains(where: { $0.device.location == b.device.location && $0.device.serial == b.device.serial }) ? "change" : "add", b)
            }
            current = now
        }
        #else
        throw ValidationError("board discovery needs libudev, which this build of zynqnet (not Linux) does not include")
        #endif
    }

    private func emit(_ event: String, _ b: FoundBoard) {
        if json {
            print(JSONText.object([("event", .string(event)), ("board", BoardDiscovery.json(b))]).render())
        } else {
            print(["add": "+ ", "remove": "- ", "change": "~ "][event, default: "  "] + BoardDiscovery.line(b))
        }
        fflush(nil)
    }
}
