import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Jobs
import Keys
import NIOCore
@testable import Serving
import Synchronization
import Testing
import TestSupport

/// The key cache and the brake on guessing, with an injected clock and a store that counts
/// (and can fail) its lookups.
@Suite("key verification: store errors, the valid-key LRU and failure rate limits")
struct KeyVerificationTests {
    final class CountingStore: APIKeyStore {
        let keys: Mutex<[String: APIKey]> = Mutex([:])
        let lookups = Mutex(0)
        let failing = Mutex(false)

        func insert(_ key: APIKey) async throws(APIKeyError) { keys.withLock { $0[key.id] = key } }
        func key(id: String) async throws(APIKeyError) -> APIKey? {
            lookups.withLock { $0 += 1 }
            if failing.withLock({ $0 }) { throw .storage("connection to server at 10.1.2.3:5432 failed: password authentication failed") }
            return keys.withLock { $0[id] }
        }
        func list() async throws(APIKeyError) -> [APIKey] { keys.withLock { Array($0.values) } }
        func revoke(id: String) async throws(APIKeyError) {}
        var count: Int { lookups.withLock { $0 } }
    }

    final class ManualClock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ by: Duration) { instant.withLock { $0 += by } }
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
    }

    static func key(_ store: CountingStore, _ name: String) async throws -> String {
        let (key, token) = try APIKey.generate(name: name, scopes: [.read])
        try await store.insert(key)
        return token
    }

    static func forged(_ n: Int) -> String { "lsk_\(String(format: "%016x", n))_" + String(repeating: "0", count: 64) }

    @Test("a store error is 'unavailable', and is not remembered: the next request asks again")
    func storeErrorsAreNotCached() async throws {
        let store = CountingStore()
        let token = try await Self.key(store, "a")
        let keys = VerifiedKeys(store: store)
        store.failing.withLock { $0 = true }
        guard case .unavailable = await keys.verify(token, client: "c") else { Issue.record("a store error was not 'unavailable'"); return }
        store.failing.withLock { $0 = false }
        guard case .valid = await keys.verify(token, client: "c") else { Issue.record("the key was refused once the store was back"); return }
        #expect(store.count == 2)
        // And many store errors never count as guessing.
        store.failing.withLock { $0 = true }
        for _ in 0..<50 { _ = await keys.verify(Self.forged(1), client: "c") }
        store.failing.withLock { $0 = false }
        #expect(await keys.verify(Self.forged(1), client: "c") == .invalid)
    }

    @Test("valid keys are cached for the TTL; invalid tokens are not cached and cannot flush valid ones")
    func onlyValidKeysAreCached() async throws {
        let store = CountingStore(), clock = ManualClock()
        let first = try await Self.key(store, "a"), second = try await Self.key(store, "b")
        let keys = VerifiedKeys(store: store, limits: .init(capacity: 2, ttl: .seconds(5)), now: { clock.now })
        for token in [first, second, first, second] { _ = await keys.verify(token, client: "c") }
        #expect(store.count == 2, "the second round trip was not served from the cache")
        for n in 0..<200 { #expect(await keys.verify(Self.forged(n), client: "guesser-\(n)") == .invalid) }
        #expect(store.count == 202, "each unknown token is asked, none remembered")
        #expect(await keys.verify(Self.forged(3), client: "guesser-x") == .invalid)
        #expect(store.count == 203, "an invalid token was cached")
        for token in [first, second] { _ = await keys.verify(token, client: "c") }
        #expect(store.count == 203, "unknown tokens flushed a valid key from the cache")
        clock.advance(.seconds(6))
        _ = await keys.verify(first, client: "c")
        #expect(store.count == 204, "a key outlived its TTL in the cache")
    }

    @Test("the cache is a bounded LRU")
    func leastRecentlyUsedIsEvicted() async throws {
        let store = CountingStore()
        let a = try await Self.key(store, "a"), b = try await Self.key(store, "b"), c = try await Self.key(store, "c")
        let keys = VerifiedKeys(store: store, limits: .init(capacity: 2))
        for token in [a, b, a, c] { _ = await keys.verify(token, client: "x") }
        #expect(store.count == 3)
        _ = await keys.verify(a, client: "x")
        #expect(store.count == 3, "the most recently used key was evicted")
        _ = await keys.verify(b, client: "x")
        #expect(store.count == 4, "the least recently used key stayed")
    }

    @Test("failed lookups are limited per client address; the limit costs no query and refills")
    func failuresAreRateLimited() async throws {
        let store = CountingStore(), clock = ManualClock()
        let keys = VerifiedKeys(store: store, limits: .init(failureBurst: 3, failureRefill: .seconds(10)), now: { clock.now })
        for n in 0..<3 { #expect(await keys.verify(Self.forged(n), client: "10.0.0.1") == .invalid) }
        #expect(await keys.verify(Self.forged(9), client: "10.0.0.1") == .limited(retryAfter: 10))
        #expect(store.count == 3, "a limited client still cost a query")
        #expect(await keys.verify(Self.forged(9), client: "10.0.0.2") == .invalid, "another address was limited too")
        clock.advance(.seconds(4))
        #expect(await keys.verify(Self.forged(9), client: "10.0.0.1") == .limited(retryAfter: 6))
        clock.advance(.seconds(6))
        #expect(await keys.verify(Self.forged(9), client: "10.0.0.1") == .invalid)
    }

    /// A store whose lookups wait until released, so a test can hold many in flight at once.
    /// A store whose lookups wait for the test to open the gate, then answer `key` (none: a guess).
    final class GatedStore: APIKeyStore {
        let key: APIKey?
        let lookups = Mutex(0)
        let gate = AsyncStream<Void>.makeStream()
        init(answering key: APIKey? = nil) { self.key = key }
        func insert(_ key: APIKey) async throws(APIKeyError) {}
        func key(id: String) async throws(APIKeyError) -> APIKey? {
            lookups.withLock { $0 += 1 }
            for await _ in gate.stream { break }
            return key
        }
        func list() async throws(APIKeyError) -> [APIKey] { [] }
        func revoke(id: String) async throws(APIKeyError) {}
    }

    @Test("concurrent guesses from one client cannot outrun the burst: the token is taken before the lookup")
    func concurrentGuessesAreCounted() async throws {
        let store = GatedStore()
        let keys = VerifiedKeys(store: store, limits: .init(failureBurst: 5, failureRefill: .seconds(3600)))
        let verdicts = await withTaskGroup(of: VerifiedKeys.Verdict.self) { group in
            for n in 0..<50 { group.addTask { await keys.verify(Self.forged(n), client: "10.0.0.1") } }
            // Every guess has either reached the store or been refused; then the store answers.
            var collected: [VerifiedKeys.Verdict] = []
            var limited = 0
            while limited + store.lookups.withLock({ $0 }) < 50 {
                if let verdict = await group.next() { collected.append(verdict); limited += 1 }
            }
            for _ in 0..<50 { store.gate.continuation.yield() }
            for await verdict in group { collected.append(verdict) }
            return collected
        }
        #expect(store.lookups.withLock { $0 } == 5, "more lookups than the burst reached the store")
        #expect(verdicts.filter { $0 == .invalid }.count == 5)
        #expect(verdicts.filter { if case .limited = $0 { true } else { false } }.count == 45)
    }

    @Test("a burst of requests with a valid key not yet remembered shares one lookup; none is limited")
    func validBurstSharesOneLookup() async throws {
        let (key, token) = try APIKey.generate(name: "burst", scopes: [.read])
        let store = GatedStore(answering: key)
        let keys = VerifiedKeys(store: store, limits: .init(failureBurst: 2, failureRefill: .seconds(3600)))
        let verdicts = await withTaskGroup(of: VerifiedKeys.Verdict.self) { group in
            for _ in 0..<50 { group.addTask { await keys.verify(token, client: "10.0.0.1") } }
            // The lookup is held while the burst arrives (a server's first requests with a new
            // key); whatever arrives after it is answered from the key memory.
            try? await Task.sleep(for: .milliseconds(200))
            store.gate.continuation.yield()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.allSatisfy { if case .valid = $0 { true } else { false } }, "\(verdicts.filter { $0 == .invalid || $0 == .limited(retryAfter: 3600) }.count) refused")
        #expect(store.lookups.withLock { $0 } == 1)
    }

    @Test("valid keys do not spend a client's allowance for failures")
    func validKeysCostNothing() async throws {
        let store = CountingStore(), clock = ManualClock()
        let token = try await Self.key(store, "a")
        let keys = VerifiedKeys(store: store, limits: .init(ttl: .zero, failureBurst: 2, failureRefill: .seconds(3600)), now: { clock.now })
        for _ in 0..<20 {
            guard case .valid = await keys.verify(token, client: "10.0.0.1") else { Issue.record("a valid key was refused"); return }
        }
        #expect(store.count == 20, "with no key memory every verification asks the store")
        #expect(await keys.verify(Self.forged(1), client: "10.0.0.1") == .invalid)
        #expect(await keys.verify(Self.forged(2), client: "10.0.0.1") == .invalid)
        #expect(await keys.verify(Self.forged(3), client: "10.0.0.1") == .limited(retryAfter: 3600))
    }

    @Test("the client is the address a trusted proxy forwarded for; anyone else's X-Forwarded-For is ignored; IPv6 counts per /64")
    func clientAddresses() throws {
        let clients = ClientAddress(trustedProxies: ["10.0.0.0/8", "fd00::/8"].map { AddressRange(parsing: $0)! })
        func peer(_ ip: String) throws -> SocketAddress { try SocketAddress(ipAddress: ip, port: 443) }
        #expect(clients.key(peer: try peer("10.1.2.3"), forwardedFor: "203.0.113.9") == "203.0.113.9")
        // Entries a client wrote itself sit left of what the proxies appended.
        #expect(clients.key(peer: try peer("10.1.2.3"), forwardedFor: "1.1.1.1, 203.0.113.9, 10.9.9.9") == "203.0.113.9")
        #expect(clients.key(peer: try peer("10.1.2.3"), forwardedFor: "[2001:db8:1:2::7]:5555") == "2001:db8:1:2::/64")
        #expect(clients.key(peer: try peer("198.51.100.4"), forwardedFor: "203.0.113.9") == "198.51.100.4", "an untrusted peer's header was believed")
        #expect(clients.key(peer: try peer("10.1.2.3"), forwardedFor: "not an address") == "10.1.2.3")
        #expect(clients.key(peer: try peer("2001:db8:1:2::1"), forwardedFor: nil) == clients.key(peer: try peer("2001:db8:1:2:ffff::9"), forwardedFor: nil))
        #expect(clients.key(peer: try peer("2001:db8:1:2::1"), forwardedFor: nil) != clients.key(peer: try peer("2001:db8:1:3::1"), forwardedFor: nil))
        #expect(clients.key(peer: try peer("::ffff:192.0.2.1"), forwardedFor: nil) == "192.0.2.1")
        #expect(clients.key(peer: nil, forwardedFor: "203.0.113.9") == "unknown")
    }

    @Test("the LRU forgets the least recently used entry and reuses its slot")
    func lru() {
        var cache = LRU<Int, String>(capacity: 3)
        for n in 1...3 { cache.set("\(n)", for: n) }
        #expect(cache.value(for: 1) == "1")  // 2 is now the oldest
        cache.set("4", for: 4)
        #expect(cache.value(for: 2) == nil)
        #expect(cache.value(for: 1) == "1" && cache.value(for: 3) == "3" && cache.value(for: 4) == "4")
        cache.removeValue(for: 3)
        cache.set("5", for: 5)
        cache.set("6", for: 6)  // evicts 1, the oldest of 1, 4, 5
        #expect(cache.count == 3 && cache.value(for: 1) == nil && cache.value(for: 6) == "6")
        for n in 0..<10_000 { cache.set("\(n)", for: n) }
        #expect(cache.count == 3 && cache.value(for: 9_999) == "9999" && cache.value(for: 9_996) == nil)
    }

    @Test("over HTTP: a guessing client behind a trusted proxy is limited, the proxy's other clients are not")
    func floodBehindAProxy() async throws {
        let server = try await TestServer.open { $0.auth.trustedProxies = [AddressRange(parsing: "127.0.0.0/8")!] }
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let uri = "/v1/predictions/" + String(repeating: "ab", count: 32)
            func guess(_ n: Int, from address: String) async throws -> HTTPResponse.Status {
                var headers = server.headers(nil)
                headers[.authorization] = "Bearer \(Self.forged(n))"
                headers[HTTPField.Name("X-Forwarded-For")!] = address
                return try await client.execute(uri: uri, method: .get, headers: headers).status
            }
            var limited = false
            for n in 0..<200 where !limited { limited = try await guess(n, from: "203.0.113.66") == .tooManyRequests }
            #expect(limited, "200 guesses from one client were never limited")
            #expect(try await guess(1000, from: "198.51.100.7") == .unauthorized, "another client behind the proxy was limited")
            var headers = server.headers(.read)
            headers[HTTPField.Name("X-Forwarded-For")!] = "198.51.100.8"
            #expect(try await client.execute(uri: uri, method: .get, headers: headers).status == .notFound, "a valid key was refused")
        }
        await server.close()
    }

    @Test("over HTTP: guessing gets 429 with Retry-After after the burst of failures")
    func guessingOverHTTP() async throws {
        let server = try await TestServer.open()
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            // The bucket refills once a second, so on a slow machine a few more than the burst
            // of 20 may pass; 200 guesses always outrun it.
            var refused = 0
            var limited: TestResponse?
            for n in 0..<200 {
                var headers = server.headers(nil)
                headers[.authorization] = "Bearer \(Self.forged(n))"
                let response = try await client.execute(uri: "/v1/predictions/" + String(repeating: "ab", count: 32), method: .get, headers: headers)
                if response.status == .tooManyRequests { limited = response; break }
                #expect(response.status == .unauthorized)
                refused += 1
            }
            #expect(refused >= 20, "the limit cut in before the burst was spent")
            let answer = try #require(limited, "200 unknown keys in a row were never limited")
            #expect(try ErrorBody.decode(answer).error.code == "too_many_failed_keys")
            #expect((Int(answer.headers[.retryAfter] ?? "") ?? 0) >= 1)
        }
        await server.close()
    }

    @Test("over HTTP: store errors are 503 with Retry-After and no connection details, never 401")
    func storeErrorOverHTTP() async throws {
        let server = try await TestServer.open()
        let uri = "/v1/predictions/" + String(repeating: "ab", count: 32)
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            // The read key is verified (and cached) while the catalog is up.
            let before = try await client.execute(uri: uri, method: .get, headers: server.headers(.read))
            #expect(before.status == .notFound)
            try await server.runtime.workspace.catalog.close()
            let catalogDown = try await client.execute(uri: uri, method: .get, headers: server.headers(.read))
            #expect(catalogDown.status == .serviceUnavailable)
            // The catalog's message, or the key store's when a starved machine let the cached key
            // age out first (it lives 5 s): either way generic, with no connection details.
            #expect(["the catalog is unavailable; retry", "the key store is unavailable; retry"]
                .contains(try ErrorBody.decode(catalogDown).error.message))
            for _ in 0..<3 {
                // A key never seen: the key store itself fails, every time (nothing cached).
                let response = try await client.execute(uri: uri, method: .get, headers: server.headers(.admin))
                #expect(response.status == .serviceUnavailable, "\(String(buffer: response.body))")
                #expect(try ErrorBody.decode(response).error.message == "the key store is unavailable; retry")
                #expect(response.headers[.retryAfter] != nil)
                #expect(!String(buffer: response.body).contains(server.directory.path))
            }
        }
        await server.close()
    }
}
