import ZynqNetBit
import ZynqNetBase

/// Putting a model and its bitstream on a board.
public enum Deploy {
    /// The part in the `.bit` header must be the board's part (speed grade aside): checked
    /// before anything is programmed.
    public static func checkPart(_ bit: BitFile, file: String, board: BoardProfile) throws {
        guard BitPart.matches(bit.part, board.part) else {
            throw ZynqError(file: file, key: "part",
                            "the bitstream is for \(bit.vivadoPart), but \(board.displayName) has \(board.part); nothing was programmed")
        }
    }
}
