// The board build's `Glibc` (Embedded Swift ships none): re-exports the glibc headers of
// arm-linux-gnueabihf and adds, under the usual names, what Swift cannot import from them,
// so that `import Glibc` code compiles unchanged for the board.
@_exported import CBoardGlibc

public var errno: Int32 {
    get { zn_board_errno() }
    set { zn_board_set_errno(newValue) }
}

public func open(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 {
    zn_board_open(path, flags, 0)
}

public func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 {
    zn_board_open(path, flags, mode)
}

public func ioctl(_ fd: Int32, _ request: UInt, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    zn_board_ioctl(fd, request, arg)
}

public var MAP_FAILED: UnsafeMutableRawPointer? { zn_board_map_failed() }
public var S_IFMT: mode_t { zn_board_s_ifmt() }
public var S_IFREG: mode_t { zn_board_s_ifreg() }
public var S_IFDIR: mode_t { zn_board_s_ifdir() }
public var S_IFCHR: mode_t { zn_board_s_ifchr() }
public var S_IFLNK: mode_t { zn_board_s_iflnk() }
