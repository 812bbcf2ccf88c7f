#!/usr/bin/env bash
# Builds build/board/zynqnet-board: the runtime as a static armv7 hard-float Linux executable
# for the Zynq-7000's ARM cores (PYNQ-Z2, Zybo Z7-20), with Embedded Swift.
#
# No Swift SDK for armhf Linux exists here; Embedded Swift for armv7-none-none-eabi, compiled
# with the hard-float ABI and linked against glibc by Debian's cross gcc, runs on the boards'
# Linux (shared/docs/armhf-embedded-swift.md has the recipe and its pitfalls). Release only;
# scratch files in .build-board/. Installs gcc-arm-linux-gnueabihf, qemu-user and the armhf
# zlib itself (idempotent). Usage: scripts/build-board.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scratch="$root/.build-board"
out="$root/build/board"
triple=armv7-none-none-eabi
cross=arm-linux-gnueabihf

# --- tools ------------------------------------------------------------------------------
packages=(gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf qemu-user zlib1g-dev:armhf file)  # file: the tests check the binary with it
source "$root/scripts/apt-ensure.sh"
apt_ensure build-board "${packages[@]}"
swiftc=$(command -v swiftc)
toolchain=$(cd "$(dirname "$swiftc")/.." && pwd)
tables="$toolchain/lib/swift/embedded/$triple/libswiftUnicodeDataTables.a"
[ -f "$tables" ] || { echo "build-board: $tables not found (Swift 6.3 toolchain with Embedded Swift needed)" >&2; exit 1; }

# --- the board modules: the one list ------------------------------------------------------
# NAME|source folders|host-only files left out (paths under the folders)|C modules it imports
# In dependency order (Package.swift's module layout). Host-only parts (npz writing, OutputPlan, processes,
# Foundation and Codable helpers, board files, the loopback SLCR model, the benchmark)
# stay out; everything listed compiles both ways from the same sources.
modules=(
  "ZynqNetBase|Sources/ZynqNetBase|Process/Subprocess.swift Process/Termination.swift FileProblemFoundation.swift JSONTextEncoder.swift Random.swift HostFiles.swift|CZynqNetSys"
  "ZynqNetModel|Sources/ZynqNetModel|IO/NPZWriter.swift IO/OutputPlan.swift ModelFileSave.swift|CZlibIO CZynqNetSys"
  "ZynqNetHW|Sources/ZynqNetHW|RegisterMapDoc.swift Board.swift BoardCatalog.swift BoardResolve.swift|"
  "ZynqNetSim|Sources/ZynqNetSim||CZynqNetDotKernels"
  "ZynqNetBit|Sources/ZynqNetBit||"
  "ZynqNetRuntime|Sources/ZynqNetRuntime||CZynqNetSys"
  "ZynqNetLinux|Sources/ZynqNetLinux||CZynqNetSys"
  "ZynqNetLoopback|Sources/ZynqNetLoopback|Benchmark.swift LoopbackSLCR.swift|"
  "zynqnet_board|board/zynqnet-board||"
)

mkdir -p "$scratch/modules" "$scratch/obj" "$scratch/cmod" "$out"

# --- C: the project's C targets, cross-compiled ------------------------------------------
cflags=(-O2 -march=armv7-a -mfpu=neon -mfloat-abi=hard -D_FILE_OFFSET_BITS=64 -ffunction-sections -fdata-sections)
cc_if_newer() {  # source object extra-flags...
  local src=$1 obj=$2; shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$(dirname "$src")" -name '*.h' -newer "$obj" 2>/dev/null)" ]; then
    "$cross-gcc" "${cflags[@]}" "$@" -c "$src" -o "$obj"
  fi
}
cc_if_newer Sources/CZynqNetSys/czynqnet_sys.c "$scratch/obj/czynqnet_sys.o" -I Sources/CZynqNetSys/include
cc_if_newer Sources/CZynqNetDotKernels/kernels.c "$scratch/obj/kernels.o" -I Sources/CZynqNetDotKernels/include
cc_if_newer Sources/CZynqNetDotKernels/layout.c "$scratch/obj/layout.o" -I Sources/CZynqNetDotKernels/include
cc_if_newer board/support.c "$scratch/obj/support.o"
# The Unicode tables carry no VFP tag; ld refuses them beside hard-float objects unless re-tagged.
if [ ! -f "$scratch/obj/unicode-tables.a" ] || [ "$tables" -nt "$scratch/obj/unicode-tables.a" ]; then
  "$cross-objcopy" --remove-section=.ARM.attributes "$tables" "$scratch/obj/unicode-tables.a"
fi

# Module maps of the C targets for the ARM build (SwiftPM generates them on the host).
mkdir -p "$scratch/cmod/CZynqNetDotKernels" "$scratch/cmod/CZynqNetSys" "$scratch/cmod/CZlibIO"
printf 'module CZynqNetDotKernels {\n  header "%s"\n  export *\n}\n' "$root/Sources/CZynqNetDotKernels/include/czynqkernels.h" \
  > "$scratch/cmod/CZynqNetDotKernels/module.modulemap"
printf 'module CZynqNetSys {\n  header "%s"\n  export *\n}\n' "$root/Sources/CZynqNetSys/include/czynqnet_sys.h" \
  > "$scratch/cmod/CZynqNetSys/module.modulemap"
# zlib's header is architecture-independent; point the ARM build at it alone, not at /usr/include.
mkdir -p "$scratch/cmod/zlib"
ln -sf /usr/include/zlib.h "$scratch/cmod/zlib/zlib.h"
zconf=/usr/include/zconf.h
ln -sf "$zconf" "$scratch/cmod/zlib/zconf.h"
printf 'module CZlibIO [system] {\n  header "%s"\n  export *\n}\n' "$root/Sources/CZlibIO/shim.h" \
  > "$scratch/cmod/CZlibIO/module.modulemap"

# --- Swift: one Embedded Swift object per module ------------------------------------------
swiftflags=(
  -target "$triple" -enable-experimental-feature Embedded -wmo -Osize -swift-version 6
  -Xcc -mfloat-abi=hard -Xcc -mfpu=neon -Xcc -D_FILE_OFFSET_BITS=64
  -Xcc -isystem -Xcc "/usr/$cross/include" -Xcc -isystem -Xcc "$scratch/cmod/zlib"
  -I "$scratch/modules" -I "$root/board/Glibc"
  -I "$scratch/cmod/CZynqNetDotKernels" -I "$scratch/cmod/CZynqNetSys" -I "$scratch/cmod/CZlibIO"
  -D ZYNQNET_BOARD
  # One section per function, so that the link drops what the board binary never calls.
  -Xfrontend -function-sections
)
# The Glibc stand-in first.
glibc_obj="$scratch/obj/Glibc.o"
if [ ! -f "$glibc_obj" ] || [ -n "$(find board/Glibc -newer "$glibc_obj")" ]; then
  "$swiftc" "${swiftflags[@]}" -parse-as-library -module-name Glibc -emit-module \
    -emit-module-path "$scratch/modules/Glibc.swiftmodule" -c board/Glibc/Glibc.swift -o "$glibc_obj"
fi
objects=("$glibc_obj")
previous="$glibc_obj"
for entry in "${modules[@]}"; do
  IFS='|' read -r name dirs excluded _cmods <<<"$entry"
  files=()
  for d in $dirs; do
    while IFS= read -r f; do
      rel=${f#"$d/"}
      skip=0
      for x in $excluded; do [ "$rel" = "$x" ] && skip=1; done
      [ $skip = 1 ] || files+=("$f")
    done < <(find "$d" -name '*.swift' | sort)
  done
  obj="$scratch/obj/$name.o"
  stale=0
  if [ ! -f "$obj" ] || [ "$previous" -nt "$obj" ] || [ "$0" -nt "$obj" ]; then stale=1; fi
  for f in "${files[@]}"; do [ "$f" -nt "$obj" ] && stale=1; done
  if [ $stale = 1 ]; then
    echo "build-board: $name (${#files[@]} files)" >&2
    kind=(-parse-as-library)
    "$swiftc" "${swiftflags[@]}" "${kind[@]}" -module-name "$name" -emit-module \
      -emit-module-path "$scratch/modules/$name.swiftmodule" -c "${files[@]}" -o "$obj"
    touch "$obj"
  fi
  objects+=("$obj")
  previous="$obj"
done

# --- link: static, stripped ----------------------------------------------------------------
"$cross-gcc" -static -Wl,--gc-sections -o "$out/zynqnet-board.unstripped" "${objects[@]}" \
  "$scratch/obj/czynqnet_sys.o" "$scratch/obj/kernels.o" "$scratch/obj/layout.o" "$scratch/obj/support.o" \
  "$scratch/obj/unicode-tables.a" -L "/usr/lib/$cross" -lz -lm
"$cross-strip" -o "$out/zynqnet-board" "$out/zynqnet-board.unstripped"
rm -f "$out/zynqnet-board.unstripped"
echo "build-board: $out/zynqnet-board ($(stat -c %s "$out/zynqnet-board") bytes)" >&2
