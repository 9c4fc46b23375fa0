import Foundation

/// A one-line progress bar on stderr with the rate and the time left.
///
/// It draws only when stderr is a terminal and there is more than one item, so logs and pipes
/// get clean output; it redraws at most ten times a second.
struct ProgressBar {
    let total: Int
    let enabled: Bool
    let start = Date()
    var done = 0
    var lastDraw = Date.distantPast

    init(total: Int) {
        self.total = total
        self.enabled = Terminal.stderrIsTerminal && total > 1
    }

    mutating func advance() {
        done += 1
        guard enabled else { return }
        let now = Date()
        if done < total && now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Terminal.error(String(format: "\r%@ %d/%d  %.1f img/s  ETA %@ ", bar, done, total, rate, Self.clock(remaining)))
    }

    func finish() {
        guard enabled else { return }
        Terminal.error("\r\u{1B}[2K")
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
