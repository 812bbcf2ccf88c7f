import Testing
@testable import ZynqNetJTAG

@Suite struct TAPStateMachine {
    /// Transitions of IEEE 1149.1 Figure 6-1, written out by hand.
    @Test func transitionsFollowTheStandard() {
        let expected: [(TAPState, TAPState, TAPState)] = [  // state, next with TMS=0, next with TMS=1
            (.testLogicReset, .runTestIdle, .testLogicReset),
            (.runTestIdle, .runTestIdle, .selectDR),
            (.selectDR, .captureDR, .selectIR),
            (.captureDR, .shiftDR, .exit1DR),
            (.shiftDR, .shiftDR, .exit1DR),
            (.exit1DR, .pauseDR, .updateDR),
            (.pauseDR, .pauseDR, .exit2DR),
            (.exit2DR, .shiftDR, .updateDR),
            (.updateDR, .runTestIdle, .selectDR),
            (.selectIR, .captureIR, .testLogicReset),
            (.captureIR, .shiftIR, .exit1IR),
            (.shiftIR, .shiftIR, .exit1IR),
            (.exit1IR, .pauseIR, .updateIR),
            (.pauseIR, .pauseIR, .exit2IR),
            (.exit2IR, .shiftIR, .updateIR),
            (.updateIR, .runTestIdle, .selectDR),
        ]
        #expect(expected.count == 16)
        for (s, n0, n1) in expected {
            #expect(s.next(tms: false) == n0, "\(s) TMS=0")
            #expect(s.next(tms: true) == n1, "\(s) TMS=1")
        }
    }

    @Test func shortestPaths() {
        #expect(TAPState.runTestIdle.path(to: .shiftDR) == [true, false, false])
        #expect(TAPState.runTestIdle.path(to: .shiftIR) == [true, true, false, false])
        #expect(TAPState.testLogicReset.path(to: .runTestIdle) == [false])
        #expect(TAPState.exit1DR.path(to: .runTestIdle) == [true, false])
        #expect(TAPState.exit1IR.path(to: .shiftDR) == [true, true, false, false])
        #expect(TAPState.exit1DR.path(to: .testLogicReset) == [true, true, true, true])
        #expect(TAPState.shiftDR.path(to: .shiftDR) == [])
    }

    @Test func everyPathArrives() {
        for a in TAPState.allCases {
            for b in TAPState.allCases {
                var s = a
                let p = a.path(to: b)
                for t in p { s = s.next(tms: t) }
                #expect(s == b)
            }
            // Five ones reach Test-Logic-Reset from anywhere.
            var s = a
            for _ in 0..<5 { s = s.next(tms: true) }
            #expect(s == .testLogicReset)
        }
    }

    @Test func bitStrings() {
        let b = BitString(value: 0b1011_0001, width: 10)
        #expect(b.description == "1000110100")
        #expect(b.count == 10 && b.value == 0b1011_0001)
        var c = BitString(repeating: true, count: 3)
        c.append(b)
        #expect(c.description == "111" + "1000110100")
        #expect(c.slice(3..<13) == b)
        #expect(BitString(bytes: [0xFF, 0xFF], count: 9).bytes == [0xFF, 0x01])
    }
}
