/// A `Duration` read out in the unit a consumer needs: seconds for statistics and logs,
/// milliseconds for PostgreSQL's settings, microseconds for stored timestamps. One definition
/// for every target, so no two round differently.
extension Duration {
    /// The duration in seconds, fractions kept.
    public var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) * 1e-18
    }

    /// Whole milliseconds, rounded toward zero; exact for the spans configurations hold (1 ms to a day).
    public var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Whole microseconds, rounded toward zero.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
