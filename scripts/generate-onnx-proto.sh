#!/usr/bin/env bash
# Regenerates Sources/ZynqNetImport/ONNX/onnx.pb.swift from onnx.proto. Run by hand, ONCE per
# onnx.proto update: the generated file is committed and no build runs protoc.
#
# Source: onnx/onnx.proto inside the `onnx` 1.22.0 wheel from PyPI (pip download --no-deps
# onnx==1.22.0), Copyright (c) ONNX Project Contributors, Apache License 2.0
# (SPDX-License-Identifier: Apache-2.0, in the proto's header and the wheel's licenses/LICENSE).
# Tools: protoc from Debian's protobuf-compiler (3.21.12) and protoc-gen-swift of
# apple/swift-protobuf 1.39.0 (the version Package.swift uses), built in a scratch package
# outside git:
#
#   .build-protogen/pkg/Package.swift depends on swift-protobuf exact 1.39.0, then
#   (cd .build-protogen/pkg && swift build -c release --product protoc-gen-swift)
#
# onnx.proto sha256 a05cfbcd1370608b809c5b84c44e3198d3369036458e0b5f297e76ceaf9c4e1b.
# The exact command that made the committed file:
#   protoc --plugin=protoc-gen-swift=.build-protogen/pkg/.build/release/protoc-gen-swift \
#          --swift_opt=Visibility=Internal --swift_out=Sources/ZynqNetImport/ONNX \
#          -I .build-protogen/wx/onnx .build-protogen/wx/onnx/onnx.proto
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
W="$ROOT/.build-protogen"
mkdir -p "$W/pkg/Sources/dummy" "$W/wheel" "$W/wx"
if [[ ! -x "$W/pkg/.build/release/protoc-gen-swift" ]]; then
    cat > "$W/pkg/Package.swift" <<'PKG'
// swift-tools-version: 6.0
import PackageDescription
let package = Package(name: "protogen",
  dependencies: [.package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0")],
  targets: [.executableTarget(name: "dummy")])
PKG
    echo 'print("x")' > "$W/pkg/Sources/dummy/main.swift"
    (cd "$W/pkg" && swift build -c release --product protoc-gen-swift)
fi
if [[ ! -f "$W/wx/onnx/onnx.proto" ]]; then
    pip download --no-deps onnx==1.22.0 -d "$W/wheel"
    (cd "$W/wx" && unzip -q -o "$W"/wheel/onnx-1.22.0-*.whl 'onnx/onnx.proto')
fi
cd "$ROOT"
protoc --plugin=protoc-gen-swift=.build-protogen/pkg/.build/release/protoc-gen-swift \
       --swift_opt=Visibility=Internal --swift_out=Sources/ZynqNetImport/ONNX \
       -I .build-protogen/wx/onnx .build-protogen/wx/onnx/onnx.proto
