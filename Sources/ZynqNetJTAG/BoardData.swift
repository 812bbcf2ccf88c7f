// Generated from fpga/boards/jtag.json by scripts/embed_board_data.py; a test keeps them equal.
enum BoardData {
    static let jtagJSON = #"""
{
  "schema_version": 1,
  "about": "USB identification and FTDI JTAG settings of the boards zynqnet finds and programs over JTAG (shared/docs/zynq-facts.md §4.1, §6). The host tools embed this file (Sources/ZynqNetHost/BoardData.swift, kept equal by a test). Values listed in 'unconfirmed' are beliefs, not sourced facts. 'boot_mode' is the instruction deploy --via jtag prints: the PL is programmed while the board runs Linux from SD, and zynqnet load --pl-configured (over --ssh) finishes the design; JTAG boot mode alone leaves the PS uninitialised (zynq-facts §4.4).",
  "boards": [
    {
      "name": "pynq-z2",
      "display_name": "TUL PYNQ-Z2",
      "part": "xc7z020clg400-1",
      "usb": { "vid": "0x0403", "pid": "0x6010", "jtag_interface": "A", "uart_interface": "B" },
      "identify": [ { "serial_prefix": "1234-tul" } ],
      "jtag": {
        "adbus_value": "0x08",
        "adbus_direction": "0x0B",
        "acbus_value": "0x08",
        "acbus_direction": "0x0B",
        "default_hz": 6000000,
        "max_hz": 30000000,
        "tdo_sample_negedge_at_or_above_hz": null
      },
      "boot_mode": "keep the boot-mode jumper (JP1) on SD so Linux boots from the SD card; JTAG then programs only the PL (JTAG boot mode runs no ps7_init: no DDR, level shifters off, PL held in reset)",
      "unconfirmed": ["identify", "boot_mode", "usb.uart_interface"]
    },
    {
      "name": "zybo-z7-20",
      "display_name": "Digilent Zybo Z7-20",
      "part": "xc7z020clg400-1",
      "usb": { "vid": "0x0403", "pid": "0x6010", "jtag_interface": "A", "uart_interface": "B" },
      "identify": [ { "product": "Digilent USB Device", "serial_prefix": "210351" } ],
      "jtag": {
        "adbus_value": "0xE8",
        "adbus_direction": "0xEB",
        "acbus_value": "0x00",
        "acbus_direction": "0x60",
        "default_hz": 6000000,
        "max_hz": 30000000,
        "tdo_sample_negedge_at_or_above_hz": 15000000
      },
      "boot_mode": "keep the boot-mode jumper (JP5) on SD so Linux boots from the SD card; JTAG then programs only the PL (JTAG boot mode runs no ps7_init: no DDR, level shifters off, PL held in reset)",
      "notes": "the Zybo Z7-10 has the same USB identity; the JTAG IDCODE (xc7z010 vs xc7z020) tells them apart",
      "unconfirmed": ["identify", "boot_mode"]
    }
  ],
  "fallbacks": [
    { "label": "Digilent JTAG, unknown board", "product": "Digilent USB Device" },
    { "label": "unknown FTDI FT2232H" }
  ]
}
"""#
}
