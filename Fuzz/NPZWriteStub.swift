// Fuzz builds only: the npz writer needs ZIPFoundation, which the sanitizer build of ZynqNetModel
// leaves out; QuantizedModel.save (never called by a fuzz target) links against this instead.
import ZynqNetBase
extension NPZ {
    public static func write(_ arrays: [(String, NDArray)], to path: String, compressed: Bool = true) throws {
        throw ZynqError(file: path, "writing npz files is not part of the fuzz build")
    }

    public static func write(_ arrays: [(String, NDArray)], to path: String, plan: OutputPlan, compressed: Bool = true) throws {
        throw ZynqError(file: path, "writing npz files is not part of the fuzz build")
    }
}

/// Fuzz builds only: OutputPlan (it needs the Process support) is left out; the model writer's
/// signature names it.
public final class OutputPlan {}
