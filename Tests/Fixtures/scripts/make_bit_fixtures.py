#!/usr/bin/env python3
"""Writes the .bit/.bin fixtures of Tests/Fixtures/bit/ independently of the Swift code.

- synthetic-7z020.bit: a .bit file (header per shared/docs/zynq-facts.md §3.3) around a small
  7-series payload laid out like Vivado's (UG470 packets), with project X-Ray's ICAP CRC.
- synthetic-7z020.bin: the fpga_manager .bin made the way PYNQ's bit2bin does it
  (numpy byteswap of the big-endian words).
- synthetic-7z020.jtag: the payload with every byte bit-reversed (openFPGALoader reverseByte).
- synthetic-7z010.bit: the same payload for another device (IDCODE 0x03722093, part 7z010clg400).
- expected.json: the header fields and packet facts the tests compare against.

Deterministic: rerunning it rewrites identical files.
"""
import json
import os
import struct

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bit")


def icap_crc(addr, data, crc):
    val = (addr << 32) | data
    poly = 0x82F63B78 << 1
    for _ in range(37):
        if (val & 1) != (crc & 1):
            crc ^= poly
        val >>= 1
        crc >>= 1
    return crc


REG = dict(CRC=0, FAR=1, FDRI=2, CMD=4, CTL0=5, MASK=6, COR0=9, IDCODE=12, COR1=14, WBSTAR=16, TIMER=17, RBCRC_SW=19, CTL1=24)
CMD = dict(NULL=0, WCFG=1, DGHIGH=3, START=5, RCRC=7, SWITCH=9, GRESTORE=10, DESYNC=13)
NOOP = 0x20000000


def payload_words(idcode, frame_words, trailing_noops, seed):
    w = []
    crc = 0

    def write(reg, values):
        nonlocal crc
        w.append(0x30000000 | (REG[reg] << 13) | len(values))
        for v in values:
            w.append(v)
            if reg == "CRC":
                crc = 0
                continue
            crc = icap_crc(REG[reg], v, crc)
            if reg == "CMD" and v == CMD["RCRC"]:
                crc = 0

    def cmd(name):
        write("CMD", [CMD[name]])

    w += [0xFFFFFFFF] * 8 + [0x000000BB, 0x11220044, 0xFFFFFFFF, 0xFFFFFFFF, 0xAA995566]
    w.append(NOOP)
    write("TIMER", [0]); write("WBSTAR", [0]); cmd("NULL"); w.append(NOOP)
    cmd("RCRC"); w += [NOOP] * 2
    write("RBCRC_SW", [0]); write("COR0", [0x02003FE5]); write("COR1", [0]); write("IDCODE", [idcode])
    cmd("SWITCH"); w.append(NOOP)
    write("MASK", [0x401]); write("CTL0", [0x501]); write("MASK", [0]); write("CTL1", [0])
    w += [NOOP] * 8
    write("FAR", [0]); cmd("WCFG"); w.append(NOOP)
    w.append(0x30000000 | (REG["FDRI"] << 13))
    w.append(0x50000000 | frame_words)
    x = seed
    for i in range(frame_words):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        v = x >> 32
        w.append(v)
        crc = icap_crc(REG["FDRI"], v, crc)
    write("CRC", [crc])
    cmd("GRESTORE"); w.append(NOOP); cmd("DGHIGH"); w += [NOOP] * 20
    cmd("START"); w.append(NOOP)
    write("FAR", [0x03BE0000]); write("MASK", [0x501]); write("CTL0", [0x501])
    write("CRC", [crc])
    w += [NOOP] * 2
    cmd("DESYNC")
    w += [NOOP] * trailing_noops
    return w


def bit_file(a, b, c, d, payload):
    out = bytes.fromhex("00090FF00FF00FF00FF0000001")
    for key, s in ((0x61, a), (0x62, b), (0x63, c), (0x64, d)):
        raw = s.encode("ascii") + b"\0"
        out += bytes([key]) + struct.pack(">H", len(raw)) + raw
    return out + b"e" + struct.pack(">I", len(payload)) + payload


def main():
    os.makedirs(HERE, exist_ok=True)
    expected = {}
    for name, idcode, part in (("synthetic-7z020", 0x23727093, "7z020clg400"), ("synthetic-7z010", 0x03722093, "7z010clg400")):
        words = payload_words(idcode, frame_words=101, trailing_noops=16, seed=7)
        payload = struct.pack(">%dI" % len(words), *words)
        design = "zynqnet_bd_wrapper;UserID=0XFFFFFFFF;Version=2022.2"
        data = bit_file(design, part, "2024/05/01", "12:34:56", payload)
        with open(os.path.join(HERE, name + ".bit"), "wb") as f:
            f.write(data)
        expected[name] = {
            "design": "zynqnet_bd_wrapper", "user_id": "0XFFFFFFFF", "version": "2022.2", "part": part,
            "date": "2024/05/01", "time": "12:34:56", "length": len(payload),
            "payload_offset": len(data) - len(payload), "idcode": idcode, "frame_words": 101,
            "sync_offset": 48, "file_size": len(data),
        }
        if name == "synthetic-7z020":
            binary = np.frombuffer(payload, dtype="i4").byteswap().tobytes()  # PYNQ bit2bin
            with open(os.path.join(HERE, name + ".bin"), "wb") as f:
                f.write(binary)
            table = bytes(int("{:08b}".format(i)[::-1], 2) for i in range(256))
            with open(os.path.join(HERE, name + ".jtag"), "wb") as f:
                f.write(payload.translate(table))
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
