/// The identifiers (schema names) this code splices into SQL, where binds are not allowed.
///
/// Restricting them to lowercase unquoted identifiers makes splicing safe and avoids PostgreSQL's
/// case folding surprises.
enum PostgresIdentifier {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        guard first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
