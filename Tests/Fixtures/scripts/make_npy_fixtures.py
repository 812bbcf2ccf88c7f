#!/usr/bin/env python3
"""Writes the small reader fixtures of Tests/Fixtures/io/ with NumPy, and their expected values.

Run from anywhere:  python3 Tests/Fixtures/scripts/make_npy_fixtures.py
Needs numpy. The output is deterministic; the files are committed so the Swift tests need no
Python. manifest.json lists, for each fixture, the array NumPy holds (dtype, shape, values in
C order) as NumPy itself reports it, so the Swift readers are checked against NumPy, not against
themselves. Values are strings: integers in decimal, bools "0"/"1", floats as the hex of their
IEEE bit pattern (exact, NaN payloads and -0.0 included), unicode as the string.
"""
import gzip
import io
import json
import os
import struct
import sys
import zipfile
import zlib

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "io")
NPY_DIR = os.path.join(HERE, "npy")
NPZ_DIR = os.path.join(HERE, "npz")
IDX_DIR = os.path.join(HERE, "idx")

# Our dtype names (NDArray.DType.description) for NumPy kinds.
OUR_NAME = {
    "b1": "bool", "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
    "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
    "f4": "float32", "f8": "float64",
}


def our_dtype(dt):
    if dt.kind == "U":
        return "<U%d" % (dt.itemsize // 4)
    return OUR_NAME[dt.kind + str(dt.itemsize)]


def value_strings(a):
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype.kind == "f":
        bits = flat.astype(a.dtype.newbyteorder("=")).view("u%d" % a.dtype.itemsize)
        width = a.dtype.itemsize * 2
        return ["0x%0*x" % (width, int(b)) for b in bits]
    if a.dtype.kind == "b":
        return ["1" if bool(v) else "0" for v in flat]
    if a.dtype.kind == "U":
        return [str(v) for v in flat]
    return [str(int(v)) for v in flat]


def describe(a):
    return {"dtype": our_dtype(a.dtype), "shape": list(a.shape), "values": value_strings(a)}


def fixed_info(name):
    """A zip member with a fixed timestamp, so the fixtures are reproducible."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def base_values(kind, size, n):
    """n deterministic values of a dtype, extremes first."""
    if kind == "b":
        return np.array([(i * 7 + 3) % 3 == 0 for i in range(n)], dtype=bool)
    if kind in "iu":
        info = np.iinfo("%s%d" % (kind, size))
        special = [info.min, info.max, 0, 1, info.max - 1, info.min + 1 if kind == "i" else 2]
        vals = special + [((i * 2654435761) % (int(info.max) - int(info.min) + 1)) + int(info.min) for i in range(n)]
        return np.array(vals[:n], dtype="%s%d" % (kind, size))
    if kind == "f":
        dt = np.dtype("f%d" % size)
        fi = np.finfo(dt)
        special = [0.0, -0.0, np.inf, -np.inf, np.nan, fi.max, fi.tiny, fi.tiny / 4, -1.5, 1 / 3]
        vals = special + [(i - n / 2) * 0.7 for i in range(n)]
        return np.array(vals[:n], dtype=dt)
    raise ValueError(kind)


def unicode_values(n):
    words = ["", "a", "zynq", "héllo", "𝔘ni", "日本", "x\x00y", "tab\t", "end  "]
    return np.array([words[i % len(words)] for i in range(n)], dtype="<U5")


def main():
    for d in (NPY_DIR, NPZ_DIR, IDX_DIR):
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
    manifest = {"npy": {}, "npz": {}, "idx": {}}

    def save_npy(name, a, version=None):
        path = os.path.join(NPY_DIR, name + ".npy")
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=version, allow_pickle=False)
        back = np.load(path)  # what NumPy reads back is the expectation
        entry = describe(back)
        entry["file"] = "npy/" + name + ".npy"
        manifest["npy"][name] = entry

    kinds = [("b", 1), ("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2), ("u", 4), ("u", 8),
             ("f", 4), ("f", 8)]
    shape = (2, 3, 4)
    n = 24
    for kind, size in kinds:
        vals = base_values(kind, size, n)
        orders = ["|"] if size == 1 else ["<", ">"]
        for bo in orders:
            dt = np.dtype(vals.dtype.str[1:] if size == 1 else bo + vals.dtype.str[1:])
            a = vals.astype(dt).reshape(shape)
            tag = {"<": "le", ">": "be", "|": "na"}[bo]
            save_npy("%s%d_%s_c" % (kind, size, tag), np.ascontiguousarray(a))
            save_npy("%s%d_%s_f" % (kind, size, tag), np.asfortranarray(a))
        # 0-d scalar, 1-d and empty
        dt = np.dtype(vals.dtype.str if size == 1 else ">" + vals.dtype.str[1:])
        save_npy("%s%d_scalar" % (kind, size), np.array(vals[3], dtype=vals.dtype))
        save_npy("%s%d_scalar_be" % (kind, size), np.array(vals[1], dtype=dt))
        save_npy("%s%d_1d" % (kind, size), vals[:5].copy())
        save_npy("%s%d_empty" % (kind, size), np.zeros((0, 3), dtype=vals.dtype))

    u = unicode_values(6).reshape(2, 3)
    save_npy("U5_le_c", u)
    save_npy("U5_le_f", np.asfortranarray(u))
    save_npy("U5_be_c", u.astype(">U5"))
    save_npy("U5_be_f", np.asfortranarray(u.astype(">U5")))
    save_npy("U8_scalar", np.array("model", dtype="<U8"))
    # Header versions 2.0 and 3.0 (3.0 is written for utf-8 headers; the layout is the same).
    a = np.arange(12, dtype="<i4").reshape(3, 4)
    save_npy("v2_i4", a, version=(2, 0))
    save_npy("v3_f8", np.linspace(-1, 1, 5), version=(3, 0))
    # A 4-d Fortran array, to exercise the index permutation.
    save_npy("i2_4d_f", np.asfortranarray(np.arange(2 * 3 * 2 * 5, dtype="<i2").reshape(2, 3, 2, 5) - 30))

    # npz: stored (savez) and deflated (savez_compressed), several dtypes and a scalar.
    arrays = {
        "w1": (np.arange(-6, 6, dtype=np.int8)).reshape(3, 4),
        "shift": np.array(7, dtype=np.int32),
        "input.scale": np.array(0.0078125, dtype=np.float32),
        "big": (np.arange(300, dtype=">i8") * 1000003 - 7).reshape(30, 10),
        "names": np.array(["cat", "dog"]),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) / 4),
        "flags": np.array([True, False, True]),
    }
    for name, fn in (("stored", np.savez), ("deflated", np.savez_compressed)):
        path = os.path.join(NPZ_DIR, name + ".npz")
        fn(path, **arrays)
        with np.load(path) as z:
            manifest["npz"][name] = {"file": "npz/%s.npz" % name,
                                     "arrays": {k: describe(z[k]) for k in z.files}}
    # An npz member not ending in .npy (NumPy keys it by its full name) and a zip with a comment.
    path = os.path.join(NPZ_DIR, "odd_names.npz")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.arange(4, dtype=np.uint16))
        zf.writestr(fixed_info("plain"), buf.getvalue())
        zf.writestr(fixed_info("readme.txt"), b"not an array")
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.array([1.5], dtype=np.float32))
        zf.writestr(fixed_info("dir/x.npy"), buf.getvalue())
        zf.comment = b"zip comment"
    with np.load(path) as z:
        manifest["npz"]["odd_names"] = {"file": "npz/odd_names.npz",
                                        "arrays": {k: describe(z[k]) for k in z.files if k != "readme.txt"}}
    # A zip written to an unseekable stream: data descriptors (flag bit 3), zero sizes in local headers.
    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buf = bytearray()
        def writable(self):
            return True
        def write(self, b):
            self.buf += b
            return len(b)
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for k in ("w1", "big"):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arrays[k])
            with zf.open(fixed_info(k + ".npy"), "w") as f:
                f.write(buf.getvalue())
    path = os.path.join(NPZ_DIR, "descriptors.npz")
    with open(path, "wb") as f:
        f.write(bytes(sink.buf))
    with np.load(path) as z:
        manifest["npz"]["descriptors"] = {"file": "npz/descriptors.npz",
                                          "arrays": {k: describe(z[k]) for k in z.files}}
    # ZIP64 by hand: sizes and offsets as 0xFFFFFFFF with the real values in zip64 extra fields,
    # and a zip64 end of central directory record + locator. Python's zipfile and NumPy check it.
    path = os.path.join(NPZ_DIR, "zip64.npz")
    out = bytearray()
    central = bytearray()
    for k, method in (("w1", 0), ("big", 8), ("flags", 8)):
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arrays[k])
        raw = buf.getvalue()
        if method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = c.compress(raw) + c.flush()
        else:
            data = raw
        name = (k + ".npy").encode()
        crc = zlib.crc32(raw)
        offset = len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(raw), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name), len(local_extra)) + name + local_extra + data
        cd_extra = struct.pack("<HHQQQ", 1, 24, len(raw), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0x21, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(name), len(cd_extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + cd_extra
    cd_offset = len(out)
    out += central
    rec_offset = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 3, 3, len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, rec_offset, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path, "wb") as f:
        f.write(bytes(out))
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    with np.load(path) as z:
        manifest["npz"]["zip64"] = {"file": "npz/zip64.npz", "arrays": {k: describe(z[k]) for k in z.files}}

    # An empty npz.
    path = os.path.join(NPZ_DIR, "empty.npz")
    np.savez(path)
    manifest["npz"]["empty"] = {"file": "npz/empty.npz", "arrays": {}}

    # IDX, big-endian, every element type, plain and gzip.
    idx_types = [(0x08, ">u1"), (0x09, ">i1"), (0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")]
    for code, dt in idx_types:
        kind, size = dt[1], int(dt[2])
        vals = base_values(kind, size, 2 * 3 * 4).astype(dt).reshape(2, 3, 4)
        raw = bytes([0, 0, code, vals.ndim]) + b"".join(struct.pack(">I", d) for d in vals.shape) + vals.tobytes()
        name = "t%02x" % code
        with open(os.path.join(IDX_DIR, name + ".idx"), "wb") as f:
            f.write(raw)
        # mtime=0 keeps the gzip bytes reproducible
        with open(os.path.join(IDX_DIR, name + ".idx.gz"), "wb") as f:
            f.write(gzip.compress(raw, mtime=0))
        entry = describe(vals)
        entry["file"] = "idx/" + name + ".idx"
        manifest["idx"][name] = entry
    # A gzip with FNAME, FCOMMENT, FEXTRA and FHCRC, and one of two concatenated members.
    raw = bytes([0, 0, 0x08, 1]) + struct.pack(">I", 5) + bytes([1, 2, 3, 254, 255])
    manifest["idx"]["labels5"] = dict(describe(np.array([1, 2, 3, 254, 255], dtype=np.uint8)),
                                      file="idx/labels5.idx")
    with open(os.path.join(IDX_DIR, "labels5.idx"), "wb") as f:
        f.write(raw)
    body = gzip.compress(raw, mtime=0)[10:]  # raw deflate + trailer
    header = bytes([0x1F, 0x8B, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3])
    header += struct.pack("<H", 4) + b"ab\x01\x02" + b"labels.idx\x00" + b"a comment\x00"
    header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    with open(os.path.join(IDX_DIR, "labels5_flags.idx.gz"), "wb") as f:
        f.write(header + body)
    with open(os.path.join(IDX_DIR, "labels5_two_members.idx.gz"), "wb") as f:
        f.write(gzip.compress(raw[:7], mtime=0) + gzip.compress(raw[7:], mtime=0))

    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True, ensure_ascii=True)
        f.write("\n")
    print("wrote %d npy, %d npz, %d idx fixtures" % (len(manifest["npy"]), len(manifest["npz"]), len(manifest["idx"])))


if __name__ == "__main__":
    sys.exit(main())
