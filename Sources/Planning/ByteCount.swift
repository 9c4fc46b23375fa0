import Foundation

/// Decimal byte and count units (1 TB = 10¹² bytes), as storage is sold and as the design
/// brief states its figures.
public enum ByteCount {
    static let units: [(String, Double)] = [("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)]

    /// "200 TB", "2.05 TB", "600 B".
    public static func format(_ bytes: Double) -> String {
        for (unit, size) in units where bytes >= size {
            let value = bytes / size
            return value >= 100 || value == value.rounded() ? "\(Int(value.rounded())) \(unit)" : String(format: "%.2f %@", value, unit)
        }
        return "\(Int(bytes.rounded())) B"
    }

    /// Parses "200KB", "1.5 TB", "5e6" or "1e9" (plain numbers are bytes or counts).
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        for (unit, size) in units + [("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("B", 1)] where trimmed.hasSuffix(unit) {
            let number = trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            if let value = Double(number), value >= 0 { return value * size }
        }
        return Double(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }
}
