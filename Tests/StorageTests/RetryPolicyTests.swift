@testable import Storage
import Testing

@Suite struct RetryPolicyTests {
    /// A generator that always returns the same word, to pin the jitter to one end.
    struct FixedGenerator: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    let policy = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

    @Test func delaysDoubleWithinEqualJitterBoundsAndAreCapped() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            for (retry, ceiling) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
                let delay = policy.delay(beforeRetry: retry, using: &generator)
                #expect(delay >= .milliseconds(ceiling / 2) && delay <= .milliseconds(ceiling), "retry \(retry): \(delay)")
            }
        }
    }

    @Test func jitterSpansTheUpperHalf() {
        var low = FixedGenerator(value: 0), high = FixedGenerator(value: .max)
        #expect(policy.delay(beforeRetry: 3, using: &low) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, using: &high) == .milliseconds(400))
    }

    @Test func retryAfterRaisesTheDelayButNotPastTheCap() {
        var generator = FixedGenerator(value: 0)
        #expect(policy.delay(beforeRetry: 1, retryAfter: .milliseconds(700), using: &generator) == .milliseconds(700))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3600), using: &generator) == .seconds(1))
    }

    @Test func atLeastOneAttempt() {
        #expect(RetryPolicy(maxAttempts: 0, baseDelay: .zero, maxDelay: .zero).maxAttempts == 1)
        #expect(RetryPolicy.none.maxAttempts == 1)
    }

    @Test(arguments: [(503, nil, true), (500, nil, true), (429, nil, true), (501, nil, false), (404, "NoSuchKey", false),
                      (403, "SignatureDoesNotMatch", false), (400, "RequestTimeout", true), (503, "SlowDown", true)] as [(Int, String?, Bool)])
    func retryableAnswers(status: Int, code: String?, retryable: Bool) {
        let body = code.map { Array("<Error><Code>\($0)</Code></Error>".utf8) } ?? []
        #expect(S3Store.isRetryable(S3Response(status: status, headers: [:], body: body)) == retryable)
    }
}
