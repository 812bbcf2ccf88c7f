import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

@Suite struct CSVTests {
    @Test func irisHasFisherRowsAndFiftyPerClass() throws {
        let d = try LabeledData.fromCSV(path: irisPath)
        #expect(d.count == 150 && d.featureCount == 4 && d.classCount == 3)
        #expect(d.classNames == ["setosa", "versicolor", "virginica"])
        for c in 0..<3 { #expect(d.labels.filter { $0 == c }.count == 50) }
        guard case .floats(let f) = d.features else { Issue.record("not floats"); return }
        // Rows 1, 35, 38 (Fisher's values; the UCI file differs in 35 and 38), 51, 150.
        #expect(Array(f[0..<4]) == [5.1, 3.5, 1.4, 0.2])
        #expect(Array(f[34 * 4..<35 * 4]) == [4.9, 3.1, 1.5, 0.2])
        #expect(Array(f[37 * 4..<38 * 4]) == [4.9, 3.6, 1.4, 0.1])
        #expect(Array(f[50 * 4..<51 * 4]) == [7.0, 3.2, 4.7, 1.4] && d.labels[50] == 1)
        #expect(Array(f[149 * 4..<150 * 4]) == [5.9, 3.0, 5.1, 1.8] && d.labels[149] == 2)
        // Column sums of the published data set: 876.5, 458.6, 563.7, 179.9.
        let sums = (0..<4).map { j in (0..<150).reduce(0.0) { $0 + Double(f[$1 * 4 + j]) } }
        for (s, e) in zip(sums, [876.5, 458.6, 563.7, 179.9]) { #expect(abs(s - e) < 1e-3) }
    }

    @Test func parsesQuotesCRLFCommentsAndIntegerLabels() throws {
        let text = "\u{FEFF}# comment\r\n\"a\",b , label\r\n\"1.5\", 2,1\r\n\r\n-3e-1,\"4\",0\r\n"
        let d = try LabeledData.fromCSV(text: text, file: "t.csv")
        #expect(d.count == 2 && d.featureCount == 2 && d.classCount == 2)
        #expect(d.features == .floats([1.5, 2, -0.3, 4]))
        #expect(d.labels == [1, 0] && d.classNames == nil)
    }

    @Test func labelColumnByNameOrIndex() throws {
        let text = "y,f1,f2\ncat,1,2\ndog,3,4\n"
        let a = try LabeledData.fromCSV(text: text, file: "t.csv")
        #expect(a.labels == [0, 1] && a.features == .floats([1, 2, 3, 4]))
        let b = try LabeledData.fromCSV(text: "1,2,0\n3,4,1\n", file: "t.csv", labelColumn: "0")
        #expect(b.labels == [1, 3] && b.features == .floats([2, 0, 4, 1]))
        #expect(throws: ZynqError.self) { try LabeledData.fromCSV(text: text, file: "t.csv", labelColumn: "nope") }
    }

    func error(_ text: String, _ label: String? = nil) -> String {
        do {
            _ = try LabeledData.fromCSV(text: text, file: "data.csv", labelColumn: label)
            return "no error"
        } catch let e as ZynqError {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    @Test func errorsNameFileLineAndColumn() {
        let bad = error("a,b,label\n1,2,x\n3,oops,y\n")
        #expect(bad == "data.csv: line 3, column 2 (b): 'oops' is not a finite number")
        #expect(error("a,b,label\n1,2,x\n\n3,,y\n") == "data.csv: line 4, column 2 (b): is empty")
        #expect(error("1,2,x\n1,nan,y\n") == "data.csv: line 2, column 2 (column 2): 'nan' is not a finite number")
        #expect(error("a,b,label\n1,2,x\n3,4\n") == "data.csv: line 3: 2 fields, but the first row has 3")
        #expect(error("a,b,label\n1,2,\"x\n") == "data.csv: line 2, column 3: quoted field is not closed before the end of the file")
        #expect(error("a,b,label\n1,2,\"x\"z\n") == "data.csv: line 2, column 3: text after a closing quote")
        #expect(error("") == "data.csv: no rows")
        #expect(error("a,b,label\n") == "data.csv: no data rows after the header")
        #expect(error("a,b,label\n1,2,\n") == "data.csv: line 2, column 3 (label): label is empty")
        #expect(error("a,b,label\n1,2,x\n3,4,7\n") ==
            "data.csv: line 3, column 3 (label): label '7' is a number but other labels are names (or it is negative or ≥ 65536)")
    }
}
