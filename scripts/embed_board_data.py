#!/usr/bin/env python3
"""Copies fpga/boards/jtag.json into Sources/ZynqNetJTAG/BoardData.swift (the built-in board data)."""
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = open(os.path.join(root, "fpga/boards/jtag.json")).read()
assert '"""#' not in src
out = (
    "// Generated from fpga/boards/jtag.json by scripts/embed_board_data.py; a test keeps them equal.\n"
    "enum BoardData {\n"
    '    static let jtagJSON = #"""\n' + src.rstrip("\n") + '\n"""#\n}\n'
)
open(os.path.join(root, "Sources/ZynqNetJTAG/BoardData.swift"), "w").write(out)
