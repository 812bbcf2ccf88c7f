/// The one error type: it names the file and, where there is one, the key (npz member,
/// register, option) that is wrong, in a single line. `reason` says what kind of failure it is,
/// with its values, so code decides by value and never by message text.
public struct ZynqError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What failed, with the values that tell it apart.
    public enum Reason: Equatable, Sendable {
        /// Bad input: a file, key or option (the default).
        case input
        /// A system call failed; `errno` is the value it left.
        case systemCall(name: String, errno: Int32)
        /// An AXI DMA channel failed; `status` is the register read when it did (DMASR, or DMACR
        /// for `.resetStuck`).
        case dma(channel: DMAChannel, problem: DMAProblem, status: UInt32)
        /// The accelerator reported or caused a failure.
        case accelerator(AcceleratorProblem)
        /// The wait was ended by SIGINT (or the caller's interrupt flag).
        case interrupted
    }

    /// How an AXI DMA channel failed (PG021 direct-register mode).
    public enum DMAProblem: Equatable, Sendable {
        /// DMASR has error bits (DMAIntErr, DMASlvErr, DMADecErr).
        case errorBits
        /// The transfer did not reach Idle before the deadline.
        case timedOut
        /// The channel stayed Halted after RS=1 (or showed errors while starting).
        case didNotStart
        /// The channel still has error bits from an earlier transfer.
        case dirty
        /// The channel is busy with another transfer.
        case busy
        /// The soft reset did not self-clear.
        case resetStuck
        /// After reset the channel is not halted and clean.
        case notCleanAfterReset
    }

    /// How the accelerator failed.
    public enum AcceleratorProblem: Equatable, Sendable {
        /// STATUS.ERR_INPUT: a malformed input stream; `status` is STATUS as read.
        case inputError(status: UInt32)
        /// STATUS.ERR_PARAM after a load; `status` is STATUS as read.
        case parameterError(status: UInt32)
        /// A register or parameter chunk read back another value than was written.
        case readBack(register: String, wrote: UInt32, read: UInt32)
        /// An output record's sequence number is not the next one.
        case sequence(record: Int, read: UInt32, expected: UInt32)
        /// An output record's class index is not the argmax of its values.
        case classIndex(record: Int, read: UInt32, argmax: UInt32)
        /// S2MM wrote another byte count than the records take (TLAST early or late).
        case outputLength(written: UInt32, expected: UInt32)
        /// The accelerator stopped taking input (MM2S stalled); the counters as read.
        case stalled(imagesIn: UInt32, inFlight: UInt32)
    }

    /// The file the problem is in, if any.
    public var file: String?
    /// The key, member, register or option that is wrong, if any.
    public var key: String?
    public var message: String
    /// What kind of failure this is (`.input` unless the runtime says otherwise).
    public var reason: Reason

    public init(file: String? = nil, key: String? = nil, _ message: String, reason: Reason = .input) {
        self.file = file
        self.key = key
        self.message = message
        self.reason = reason
    }

    /// The same error, attributed to `file` if it does not name one yet.
    public func inFile(_ file: String) -> ZynqError {
        var e = self
        if e.file == nil { e.file = file }
        return e
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let key { parts.append("'\(key)'") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// The two channels of an AXI DMA (named here, beside the error that reports them).
public enum DMAChannel: Sendable, Equatable, CustomStringConvertible {
    /// Memory to stream (into the accelerator).
    case mm2s
    /// Stream to memory (out of the accelerator).
    case s2mm

    public var description: String { self == .mm2s ? "MM2S" : "S2MM" }
}
