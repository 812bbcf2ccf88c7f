import Testing
import ZynqNetBase
import ZynqNetRuntime

/// The run summary the host's infer/demo and the board binary's infer both print.
@Suite("RunSummary")
struct RunSummaryTests {
    @Test("numbers: JSON as JSONText writes them, fixed decimals rounded half to even like printf")
    func numbers() {
        #expect(NumberText.json(2) == "2")
        #expect(NumberText.json(-3) == "-3")
        #expect(NumberText.json(0.5) == "0.5")
        #expect(NumberText.json(.nan) == "null")
        #expect(NumberText.json(-.infinity) == "null")
        #expect(NumberText.fixed(3.125, digits: 2) == "3.12")   // an exact tie: %.2f gives 3.12
        #expect(NumberText.fixed(3.375, digits: 2) == "3.38")
        #expect(NumberText.fixed(2.5, digits: 0) == "2")
        #expect(NumberText.fixed(99.999, digits: 2) == "100.00")
        #expect(NumberText.fixed(0.0401, digits: 3) == "0.040")
        #expect(NumberText.fixed(-0.0001, digits: 2) == "0.00")
        #expect(NumberText.fixed(-1.5, digits: 1) == "-1.5")
        #expect(NumberText.fixed(1234567.4, digits: 0) == "1234567")
    }

    @Test("fields and lines with labels, without labels and without images")
    func lines() {
        let s = RunSummary(images: 8, correct: 7, seconds: 0.25, backend: "sim", kernel: "avx2")
        #expect(JSONText.object(s.fields).render() ==
                #"{"images":8,"correct":7,"accuracy":0.875,"seconds":0.25,"images_per_second":32,"backend":"sim","kernel":"avx2"}"#)
        #expect(s.accuracyLine == "accuracy   7/8 = 87.50%")
        #expect(s.throughputLine == "throughput 32 images/s on sim (avx2 kernel) (8 images in 0.250 s)")
        let n = RunSummary(images: 3, correct: nil, seconds: 0, backend: "loopback", kernel: nil)
        #expect(JSONText.object(n.fields).render() ==
                #"{"images":3,"correct":null,"accuracy":null,"seconds":0,"images_per_second":0,"backend":"loopback"}"#)
        #expect(n.accuracyLine == "accuracy   unknown (no labels)")
        #expect(n.throughputLine == "throughput 0 images/s on loopback (3 images in 0.000 s)")
        // On an AMX machine whose AMX failed its self-check: the kernel chosen instead, and why.
        let a = RunSummary(images: 8, correct: 7, seconds: 0.25, backend: "sim", kernel: "avx512vnni",
                           kernelNote: "AMX failed its self-check (signal 4 (SIGILL: #UD) in the kernel), so avx512vnni was chosen")
        #expect(JSONText.object(a.fields).render() ==
                #"{"images":8,"correct":7,"accuracy":0.875,"seconds":0.25,"images_per_second":32,"backend":"sim","kernel":"avx512vnni","kernel_note":"AMX failed its self-check (signal 4 (SIGILL: #UD) in the kernel), so avx512vnni was chosen"}"#)
        #expect(a.throughputLine == "throughput 32 images/s on sim (avx512vnni kernel: AMX failed its self-check) (8 images in 0.250 s)")
        let e = RunSummary(images: 0, correct: 0, seconds: 1, backend: "board", kernel: nil)
        #expect(e.accuracy == nil)
        #expect(e.accuracyLine == "accuracy   unknown (no images)")
    }
}
