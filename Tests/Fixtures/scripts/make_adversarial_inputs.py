#!/usr/bin/env python3
"""Hand-made hostile inputs for the parsers, kept with the fuzzer's crash inputs in
Tests/Fixtures/fuzz/model/ (the FuzzRegressions test replays every file there).
Each targets a trap or hang that a naive reader would hit. Deterministic; needs only the stdlib.
"""
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "model")


def npy(header, data=b"", major=1):
    h = header.encode()
    if major == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data
    return b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<I", len(h)) + h + data


def zip_one(name, payload, method, csize=None, usize=None, crc=None, offset=0, cd_entries=None, cd_offset=None):
    name = name.encode()
    comp = payload
    if method == 8:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        comp = c.compress(payload) + c.flush()
    csize = len(comp) if csize is None else csize
    usize = len(payload) if usize is None else usize
    crc = zlib.crc32(payload) if crc is None else crc
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, usize, len(name), 0) + name
    data = comp[:csize]
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, csize, usize,
                          len(name), 0, 0, 0, 0, 0, offset) + name
    cd_off = len(local) + len(data) if cd_offset is None else cd_offset
    n = 1 if cd_entries is None else cd_entries
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), cd_off, 0)
    return local + data + central + eocd


def gz(payload, isize=None, crc=None):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = c.compress(payload) + c.flush()
    isize = len(payload) if isize is None else isize
    crc = zlib.crc32(payload) if crc is None else crc
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + body + struct.pack("<II", crc, isize & 0xFFFFFFFF)


def main():
    os.makedirs(OUT, exist_ok=True)
    arr = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", struct.pack("<4i", 1, 2, 3, 4))
    files = {}
    # Deflate stream cut short, sizes consistent with the cut: must not loop forever.
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    full = c.compress(arr * 50) + c.flush()
    files["hand-npz-truncated-deflate"] = zip_one("a.npy", arr * 50, 8, csize=len(full) // 2)
    # Declared uncompressed size far beyond what the data can inflate to.
    files["hand-npz-declared-4g"] = zip_one("a.npy", arr, 8, usize=0xFFFFFFF0)
    # Central directory claims 65535 members.
    files["hand-npz-many-entries"] = zip_one("a.npy", arr, 0, cd_entries=0xFFFE)
    # Local header offset beyond the file; central directory offset beyond the file.
    files["hand-npz-bad-local-offset"] = zip_one("a.npy", arr, 0, offset=0x7FFFFFF0)
    files["hand-npz-bad-cd-offset"] = zip_one("a.npy", arr, 0, cd_offset=0xFFFFFFF0)
    # ZIP64: locator pointing at a record with an offset beyond Int64.max.
    z = zip_one("a.npy", arr, 0)
    eocd_at = len(z) - 22
    rec = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, 0xFFFFFFFFFFFFFFF0, 0x8000000000000005)
    loc = struct.pack("<IIQI", 0x07064B50, 0, eocd_at, 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    files["hand-npz-zip64-huge"] = z[:eocd_at] + rec + loc + eocd
    # A valid zip holding a broken .npy.
    files["hand-npz-bad-member"] = zip_one("w.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3L,), }", b"\0" * 11), 8)
    # gzip with an ISIZE of 4 GiB - 1 and a tiny body; a gzip that never ends.
    idx = bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])
    files["hand-gz-huge-isize"] = gz(idx, isize=0xFFFFFFFF)
    files["hand-gz-no-end"] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00\x05\x00\xfa\xff" + idx[:5]
    # IDX dimensions whose product overflows.
    files["hand-idx-overflow"] = bytes([0, 0, 0x0E, 4]) + b"\xff\xff\xff\xff" * 4
    # .npy: huge unicode width, huge version-2 header length, shape that overflows only with the item size.
    files["hand-npy-huge-unicode"] = npy("{'descr': '<U999999999', 'fortran_order': False, 'shape': (5,), }")
    files["hand-npy-v2-huge-header"] = b"\x93NUMPY\x02\x00\xff\xff\xff\xff{"
    files["hand-npy-bytes-overflow"] = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2305843009213693952,), }", b"\0" * 8)
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d inputs to %s" % (len(files), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
