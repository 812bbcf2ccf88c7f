/// A generated top as a description: wires, instances with their parameters and their
/// connections, printed as Verilog by `verilog`. Streams are typed bundles of known width; a
/// connection of a stream to an instance's stream port checks the widths (`connect`), so a
/// mismatch is an error at generation time, not a truncated bus in the RTL. Whether an
/// instance belongs to the shell or the datapath is its `role`.
public struct Netlist: Sendable {
    /// The shell (register file, output stream, …: the same for every fold of a model) or the
    /// datapath (what the fold sizes). `zynqnet report` sets the shell apart by these.
    public enum Role: String, Sendable { case shell, datapath }

    /// A ready/valid stream wire bundle: `data` (`width` bits), `valid`, `ready`.
    public struct Stream: Sendable, Equatable {
        public let name: String
        public let width: Int
        public let data: String, valid: String, ready: String
        /// `name_data`, `name_valid`, `name_ready`.
        public init(_ name: String, width: Int) {
            self.init(name, width: width, data: name + "_data", valid: name + "_valid", ready: name + "_ready")
        }
        public init(_ name: String, width: Int, data: String, valid: String, ready: String) {
            self.name = name; self.width = width; self.data = data; self.valid = valid; self.ready = ready
        }
    }

    /// The answer half of a parameter-bus (config) bundle, `prefix_ack/_rdata/_err/_next`
    /// (rdata and next 32 bits), driven by one instance's `cfg_*` answer ports.
    public struct ConfigAnswer: Sendable, Equatable {
        public let prefix: String
        public static let wordBits = 32
        public var ack: String { prefix + "_ack" }
        public var rdata: String { prefix + "_rdata" }
        public var err: String { prefix + "_err" }
        public var next: String { prefix + "_next" }
    }

    /// A port connection `.port(expr)`.
    public typealias Connection = (port: String, expr: String)

    /// How the parameter list is printed: `inline(indent)` on the instance's line, further rows
    /// indented by `indent` spaces; `block`: one row a line between `#(` and `) name (`.
    public enum ParamStyle: Sendable { case inline(indent: Int), block }

    public struct Instance: Sendable {
        public let module: String
        public let name: String
        public let role: Role
        /// Parameter rows `.NAME(value)`, printed per `style`.
        public var params: [[Connection]]
        public var style: ParamStyle
        /// The stream ports by prefix (`in`, `out`) and their data widths, from the parameters.
        public var streamPorts: [String: Int]
        /// Connection rows, printed one row a line.
        public var rows: [[Connection]] = []
        /// The latency (cycles) the timing model assumes for this instance, printed as its
        /// `LATENCY` parameter (after the others); the module refuses to elaborate when its
        /// pipeline differs. nil: the module has no such check.
        public var latency: Int?

        public init(_ module: String, _ name: String, role: Role, params: [[Connection]], style: ParamStyle = .inline(indent: 4),
                    streams: [String: Int] = [:]) {
            self.module = module; self.name = name; self.role = role
            self.params = params; self.style = style; self.streamPorts = streams
        }

        /// Adds a row of plain connections.
        public mutating func connect(_ row: [Connection]) { rows.append(row) }

        /// Connects `stream` to the stream port `prefix` (`prefix_data/_valid/_ready`); throws
        /// `NetlistError.widthMismatch` naming both ends when their widths differ.
        public mutating func connect(_ prefix: String, to stream: Stream, portNames: (String, String, String)? = nil) throws {
            guard let w = streamPorts[prefix] else { throw NetlistError.noSuchPort(instance: name, port: prefix) }
            let (d, v, r) = portNames ?? (prefix + "_data", prefix + "_valid", prefix + "_ready")
            guard w == stream.width else {
                throw NetlistError.widthMismatch(stream: stream.data, streamBits: stream.width, port: "\(name).\(d)", portBits: w)
            }
            rows.append([(d, stream.data), (v, stream.valid), (r, stream.ready)])
        }

        /// Connects the `cfg_ack/_rdata/_err/_next` answer ports to `answer`.
        public mutating func connect(answer: ConfigAnswer) {
            rows.append([("cfg_ack", answer.ack), ("cfg_rdata", answer.rdata), ("cfg_err", answer.err), ("cfg_next", answer.next)])
        }

        var verilog: String {
            func join(_ row: [Connection]) -> String { row.map { ".\($0.port)(\($0.expr))" }.joined(separator: ", ") }
            var params = params
            if let l = latency { params[params.count - 1].append(("LATENCY", "\(l)")) }
            var s: String
            switch style {
            case .inline(let indent):
                s = "  \(module) #(" + params.map(join).joined(separator: ",\n" + String(repeating: " ", count: indent)) + ") \(name) (\n"
            case .block:
                s = "  \(module) #(\n" + params.map { "    " + join($0) }.joined(separator: ",\n") + "\n  ) \(name) (\n"
            }
            return s + rows.map { "    " + join($0) }.joined(separator: ",\n") + ");\n"
        }
    }

    enum Item: Sendable {
        case text(String)
        case wires(Stream, pad: Int)
        case answers([ConfigAnswer])
        case instance(Instance)
    }

    var items: [Item] = []

    public init() {}

    /// Adds a line of text (a comment, a port, a wire declaration of the shell's own).
    public mutating func line(_ s: String = "") { items.append(.text(s)) }
    /// Declares `stream`'s wires (`pad`: the data range padded to so many characters).
    public mutating func declare(_ stream: Stream, pad: Int = 0) { items.append(.wires(stream, pad: pad)) }
    /// Declares the wires of config answers (`wire prefix_ack, …; wire [31:0] prefix_rdata, …`).
    public mutating func declare(_ answers: [ConfigAnswer]) { items.append(.answers(answers)) }
    public mutating func add(_ instance: Instance) { items.append(.instance(instance)) }

    public var instances: [Instance] {
        items.compactMap { if case .instance(let i) = $0 { i } else { nil } }
    }

    /// The shell's instance names, in the order printed.
    public var shellInstances: [String] { instances.filter { $0.role == .shell }.map(\.name) }

    /// The Verilog text.
    public var verilog: String {
        var v = ""
        for item in items {
            switch item {
            case .text(let s): v += s + "\n"
            case .wires(let st, let pad):
                v += "  wire \("[\(st.width - 1):0]".padding(to: pad)) \(st.data);\n"
                v += "  wire        \(st.valid), \(st.ready);\n"
            case .answers(let a):
                v += "  wire        " + a.flatMap { [$0.ack, $0.err] }.joined(separator: ", ") + ";\n"
                v += "  wire [31:0] " + a.flatMap { [$0.rdata, $0.next] }.joined(separator: ", ") + ";\n"
            case .instance(let i): v += i.verilog
            }
        }
        return v
    }
}

/// A netlist that cannot be printed as valid Verilog.
public enum NetlistError: Error, Equatable, CustomStringConvertible {
    case widthMismatch(stream: String, streamBits: Int, port: String, portBits: Int)
    case noSuchPort(instance: String, port: String)

    public var description: String {
        switch self {
        case .widthMismatch(let s, let sb, let p, let pb):
            "width mismatch: \(s) is \(sb) bits, \(p) is \(pb) bits"
        case .noSuchPort(let i, let p): "\(i) has no stream port \(p)"
        }
    }
}
