# Sourced by the fuzz scripts: runs one libFuzzer binary for a bounded time over its corpus and
# seeds, and fails (exit 1) naming where the crashing inputs are.
#   fuzz_run NAME BIN SECONDS MAX_LEN CRASH_DIR CORPUS SEEDS
fuzz_run() {
    local name=$1 bin=$2 seconds=$3 max_len=$4 crashes=$5 corpus=$6 seeds=$7 status
    mkdir -p "$crashes"
    # A Swift trap must reach libFuzzer as a plain deadly signal; Swift's own crash handler would
    # read the dying process's memory and be reported by ASan as a bogus heap overflow instead.
    export SWIFT_BACKTRACE=enable=no
    echo "$name: running for ${seconds}s" >&2
    set +e
    ASAN_OPTIONS="${ASAN_OPTIONS:-symbolize=0}" "$bin" -max_total_time="$seconds" -max_len="$max_len" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$seeds"
    status=$?
    set -e
    if [[ $status -ne 0 ]]; then
        echo "$name: FAILED (exit $status); inputs in $crashes/" >&2
        exit 1
    fi
    echo "$name: no crash in ${seconds}s" >&2
}

# Builds ZynqNetBase (Sources/ZynqNetBase, with its C helpers CZynqNetSys) as a sanitized static
# library in DIR for the fuzz builds: compile the modules above it with -I DIR and link
# with -L DIR -lZynqNetBase (the archive holds the C helpers too).
#   fuzz_base_module ROOT DIR
fuzz_base_module() {
    local root=$1 dir=$2
    mkdir -p "$dir"
    printf 'module CZynqNetSys {\n    header "%s"\n    export *\n}\n' "$root/Sources/CZynqNetSys/include/czynqnet_sys.h" \
        > "$dir/module.modulemap"
    clang -fsanitize=fuzzer-no-link,address -O1 -g -I "$root/Sources/CZynqNetSys/include" \
        -c "$root/Sources/CZynqNetSys/czynqnet_sys.c" -o "$dir/czynqnet_sys.o"
    (cd "$dir" && swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ZynqNetBase -I "$dir" \
        -emit-module -emit-library -static "$root"/Sources/ZynqNetBase/*.swift "$root"/Sources/ZynqNetBase/Process/*.swift \
        -o libZynqNetBase.a 2> >(grep -v "warning: Cannot export local symbol" >&2))
    ar rs "$dir/libZynqNetBase.a" "$dir/czynqnet_sys.o" 2>/dev/null
}
