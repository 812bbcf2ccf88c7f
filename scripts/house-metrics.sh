#!/usr/bin/env bash
# The numbers docs/architecture.md's "Measured" section reports, for a checkout:
#   - Swift lines committed (git ls-files '*.swift'), all and without the generated copies;
#   - the ten longest functions (func/init bodies found by a simple brace-matching scan);
#   - with --duplicates: the pairs of duplicated blocks of the whole tree (`duplicates --seconds 120`).
#
#   scripts/house-metrics.sh [--duplicates] [DIR]      (DIR: a git checkout, default: this one)
#
# Prints a Markdown table; reads files only. Run it on two checkouts (e.g. a `git worktree add`
# of the older commit) to compare before and after.
set -euo pipefail
DUP=0
if [[ "${1:-}" == "--duplicates" ]]; then DUP=1; shift; fi
DIR="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
[[ -d "$DIR/.git" || -f "$DIR/.git" ]] || { echo "house-metrics: $DIR is not a git checkout" >&2; exit 2; }

git -C "$DIR" ls-files -z '*.swift' | python3 -c '
import os, re, sys
root = sys.argv[1]
files = [f for f in sys.stdin.read().split("\0") if f]
# Generated copies of other files (fpga/, examples/, onnx.proto), not hand-written code.
GENERATED = {"EmbeddedRTL.swift", "EmbeddedFiles.swift", "EmbeddedRTLSim.swift", "EmbeddedDemo.swift",
             "BoardData.swift", "onnx.pb.swift"}
total = own = 0
funcs = []
decl = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|open|static|class|"
                  r"final|override|mutating|nonmutating|convenience|required|nonisolated|dynamic|@inlinable|@inline\(__always\)|"
                  r"@usableFromInline|@discardableResult)\s+)*(func\s+([^\s(<]+)|init[?!]?)\s*[(<]")
def strip(line):
    # drop string literals and line comments so their braces do not count (good enough for a count)
    line = re.sub(r"\"(?:\\.|[^\"\\])*\"", "\"\"", line)
    return line.split("//", 1)[0]
for f in files:
    path = os.path.join(root, f)
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        continue
    lines = text.split("\n")
    n = len(lines) - (1 if text.endswith("\n") else 0)
    total += n
    if os.path.basename(f) in GENERATED:
        continue
    own += n
    in_raw = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.count("\"\"\"") % 2 == 1:
            in_raw = not in_raw
            i += 1
            continue
        m = None if in_raw else decl.match(line)
        if not m:
            i += 1
            continue
        name = m.group(2) or "init"
        # find the opening brace of the body (the signature may span lines); a protocol
        # requirement has none before the next declaration.
        depth = 0
        start = i
        j = i
        opened = False
        while j < len(lines):
            s = strip(lines[j])
            for ch in s:
                if ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
            if opened and depth <= 0:
                break
            if not opened and j > i and (decl.match(lines[j]) or s.strip().startswith(("var ", "let ", "case ", "}"))):
                break
            j += 1
        if opened:
            funcs.append((j - start + 1, f, start + 1, name))
        i += 1  # nested functions are counted too (they are functions)
funcs.sort(key=lambda t: (-t[0], t[1], t[2]))
print("| measure | value |")
print("| --- | --- |")
print(f"| Swift files committed | {len(files)} |")
print(f"| Swift lines committed | {total} |")
print(f"| Swift lines without generated copies ({len(GENERATED)} names) | {own} |")
print()
print("| rank | lines | function | where |")
print("| --- | --- | --- | --- |")
for k, (n, f, line, name) in enumerate(funcs[:10], 1):
    print(f"| {k} | {n} | `{name}` | {f}:{line} |")
' "$DIR"

if [[ $DUP == 1 ]]; then
    echo
    if command -v duplicates >/dev/null; then
        line="$(cd "$DIR" && duplicates --seconds 120 | head -1)"
        echo "| duplicated-block pairs (duplicates --seconds 120, whole tree) | $line |"
    else
        echo "house-metrics: duplicates not installed; no pair count" >&2
    fi
fi
