// libFuzzer entry for the outside-file parsers: .npy, .npz (zip + inflate), IDX (plain/gzip) and
// ImageSet.load(bytes:) on top. Built and run by scripts/fuzz.sh, compiled together with the reader
// sources of ZynqNetModel (one module, so internal parsers are reachable). Every input goes through
// every parser; a parser may throw but must never trap, hang or touch memory it does not own (ASan
// watches).
//
// Invariant checked on top: an array that decodes re-encodes to bytes that decode to the same
// encoding (NPY.encode ∘ NPY.decode is stable).

@_cdecl("LLVMFuzzerTestOneInput")
public func zynqnetFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    if let a = try? NPY.decode(bytes, name: "fuzz.npy") { checkStable(a) }
    if let arrays = try? NPZ.readOrdered(bytes: bytes, name: "fuzz.npz") {
        for (_, a) in arrays { checkStable(a) }
    }
    if let a = try? IDX.decode(bytes, name: "fuzz.idx") { checkStable(a) }
    // The image-set rules on whatever the input is, and the input as its own labels file.
    if let set = try? ImageSet.load(bytes: bytes, name: "fuzz.images") {
        if let labels = set.labels, labels.count != set.count || labels.contains(where: { $0 < 0 }) {
            fatalError("ImageSet.load accepted bad labels")
        }
        _ = try? ImageSet.load(bytes: bytes, name: "fuzz.images", labels: (bytes, "fuzz.labels"))
    }
    return 0
}

private func checkStable(_ a: NDArray) {
    let once = NPY.encode(a)
    guard let back = try? NPY.decode(once, name: "re") else {
        fatalError("NPY.encode produced bytes NPY.decode rejects for \(a.dtype) \(a.shape)")
    }
    guard back.shape == a.shape, back.dtype == a.dtype, NPY.encode(back) == once else {
        fatalError("NPY round trip changed \(a.dtype) \(a.shape)")
    }
}
