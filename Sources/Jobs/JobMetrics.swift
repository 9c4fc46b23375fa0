
import Metrics

/// The queue's metrics through swift-metrics; whoever bootstraps a backend (Prometheus in
/// `lenscale serve`) exports them, and they cost nothing otherwise.
enum JobMetrics {
    static func recordDepth(_ stats: QueueStats) {
        for (state, count) in stats.counts {
            Gauge(label: "lenscale_jobs", dimensions: [("state", state.rawValue)]).record(count)
        }
        Gauge(label: "lenscale_jobs_oldest_queued_seconds").record(stats.oldestQueuedAge ?? 0)
    }

    /// Enqueue to done, for jobs that finished now.
    static func recordDone(kind: String, createdAtMicroseconds: Int64, nowMicroseconds: Int64) {
        let nanoseconds = max(0, nowMicroseconds - createdAtMicroseconds) * 1_000
        Metrics.Timer(label: "lenscale_job_latency_seconds", dimensions: [("kind", kind)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(nanoseconds)
        Counter(label: "lenscale_jobs_done_total", dimensions: [("kind", kind)]).increment()
    }

    static func recordAttempts(kind: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "lenscale_job_attempts_total", dimensions: [("kind", kind)]).increment(by: count)
    }

    static func recordFailure(kind: String, dead: Bool) {
        Counter(label: dead ? "lenscale_jobs_dead_total" : "lenscale_jobs_failed_total", dimensions: [("kind", kind)]).increment()
    }
}
