import ZynqNetBase

/// What one inference run measured, shared by the host's `infer`/`demo` and the board binary's
/// `infer`, so `--json` keys and the text lines are the same on both.
public struct RunSummary: Sendable, Equatable {
    public var images: Int
    public var correct: Int?
    public var seconds: Double
    public var backend: String
    public var kernel: String?
    /// Why the simulator's default kernel is not the one the CPU would suggest (AMX failed its
    /// self-check), else nil.
    public var kernelNote: String?

    public init(images: Int, correct: Int?, seconds: Double, backend: String, kernel: String?, kernelNote: String? = nil) {
        self.images = images
        self.correct = correct
        self.seconds = seconds
        self.backend = backend
        self.kernel = kernel
        self.kernelNote = kernelNote
    }

    /// nil without labels or without images (0 of 0 is not a number).
    public var accuracy: Double? { images == 0 ? nil : correct.map { Double($0) / Double(images) } }
    public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }

    /// The `--json` keys of a run: images, correct, accuracy (null when unknown), seconds,
    /// images_per_second, backend and, when there is one, the simulator's kernel (and
    /// kernel_note when there is one).
    public var fields: [(String, JSONText)] {
        var f: [(String, JSONText)] = [
            ("images", .int(Int64(images))), ("correct", correct.map { .int(Int64($0)) } ?? .null),
            ("accuracy", accuracy.map { .double($0) } ?? .null), ("seconds", .double(seconds)),
            ("images_per_second", .double(imagesPerSecond)), ("backend", .string(backend)),
        ]
        if let kernel { f.append(("kernel", .string(kernel))) }
        if let kernelNote { f.append(("kernel_note", .string(kernelNote))) }
        return f
    }

    /// `accuracy   c/n = p%`, or why the accuracy is unknown (no images, no labels).
    public var accuracyLine: String {
        if images == 0 { return "accuracy   unknown (no images)" }
        guard let correct else { return "accuracy   unknown (no labels)" }
        return "accuracy   \(correct)/\(images) = \(NumberText.fixed(100 * (accuracy ?? 0), digits: 2))%"
    }

    public var throughputLine: String {
        let on = backend + (kernel.map { " (\($0) kernel\(kernelNote == nil ? "" : ": AMX failed its self-check"))" } ?? "")
        return "throughput \(NumberText.fixed(imagesPerSecond, digits: 0)) images/s on \(on) (\(images) images in \(NumberText.fixed(seconds, digits: 3)) s)"
    }
}
