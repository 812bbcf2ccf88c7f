// Writing model files: host only (npz writing goes through ZIPFoundation, not in the board build).

import ZynqNetBase

extension QuantizedModel {
    /// Writes the model as format 1, or 2 when it needs it (deflated `.npz`), through a
    /// temporary file and a rename.
    public func save(to path: String) throws {
        do throws(ZynqError) { try validate() } catch { let e = error; throw e.inFile(path) }
        try NPZ.write(arrays(), to: path, compressed: true)
    }

    /// Stages the model as the declared output `path` of `plan`.
    public func save(to path: String, plan: OutputPlan) throws {
        do throws(ZynqError) { try validate() } catch { let e = error; throw e.inFile(path) }
        try NPZ.write(arrays(), to: path, plan: plan, compressed: true)
    }
}
