import ZynqNetBase

/// The one writer of every `--json`: an Encodable result (a result type, or a `JSONText` built in
/// order) becomes a `JSONText` with its keys in the order they were encoded (`sortedKeys`: sorted,
/// for the result types whose JSON always listed them so), printed on one line or `pretty`.
func printJSON<T: Encodable>(_ value: T, pretty: Bool = false, sortedKeys: Bool = false) throws {
    print(try JSONTextEncoder(sortedKeys: sortedKeys).encode(value).render(pretty: pretty))
}
