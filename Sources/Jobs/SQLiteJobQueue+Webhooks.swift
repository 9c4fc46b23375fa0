import Catalog
import Foundation
import GRDB

extension SQLiteJobQueue {
    public func createWebhook(_ webhook: NewWebhook) async throws(JobQueueError) -> WebhookSubscription {
        try WebhookRules.validate(webhook)
        let kinds = try WebhookRules.kindsJSON(webhook.kinds)
        let now = self.now()
        return try await write { db in
            let cursor = try webhook.startAfter ?? (Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM events") ?? 0)
            try db.execute(
                sql: """
                    INSERT INTO webhook_subscriptions (url, secret, kinds, cursor, failures, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [webhook.url, webhook.secret, kinds, cursor, now, now])
            return WebhookSubscription(
                id: db.lastInsertedRowID, url: webhook.url, kinds: webhook.kinds, cursor: cursor, failures: 0,
                nextAttemptAt: CatalogTime.date(microseconds: now), createdAt: CatalogTime.date(microseconds: now))
        }
    }

    public func webhooks() async throws(JobQueueError) -> [WebhookSubscription] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscriptions ORDER BY id").map(Self.subscription)
        }
    }

    public func deleteWebhook(id: Int64) async throws(JobQueueError) {
        let deleted = try await write { db in
            try db.execute(sql: "DELETE FROM webhook_subscriptions WHERE id = ?", arguments: [id])
            return db.changesCount
        }
        if deleted == 0 { throw .unknownWebhook(id) }
    }

    public func deliveries(webhook id: Int64, limit: Int) async throws(JobQueueError) -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM webhook_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [id, max(0, limit)]
            ).map { row in
                WebhookDelivery(
                    id: row["id"], subscriptionID: row["subscription_id"], eventID: row["event_id"], attempt: row["attempt"],
                    statusCode: row["status_code"], error: row["error"], succeeded: row["succeeded"],
                    durationMilliseconds: row["duration_ms"], createdAt: CatalogTime.date(microseconds: row["created_at"]))
            }
        }
    }

    public func leaseDueWebhooks(owner: String, lease: Duration) async throws(JobQueueError) -> [(subscription: WebhookSubscription, secret: String)] {
        let now = self.now()
        return try await write { db in
            try Row.fetchAll(
                db,
                sql: """
                    UPDATE webhook_subscriptions SET lease_owner = ?, lease_until = ?
                    WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)
                        AND cursor < (SELECT coalesce(max(id), 0) FROM events)
                    RETURNING *
                    """,
                arguments: [owner, now + Self.micros(lease), now, now, owner]
            ).map { row in (try Self.subscription(row), row["secret"] as String) }
        }
    }

    public func recordDelivery(webhook id: Int64, owner: String, eventID: Int64?, skippedThrough: Int64?,
                               attempt: Int, statusCode: Int?, error: String?, succeeded: Bool,
                               durationMilliseconds: Int, retryAfter: Duration) async throws(JobQueueError) {
        let now = self.now()
        try await write { db in
            if let skippedThrough {
                try db.execute(
                    sql: "UPDATE webhook_subscriptions SET cursor = max(cursor, ?) WHERE id = ? AND lease_owner = ?",
                    arguments: [skippedThrough, id, owner])
            }
            guard let eventID else { return }
            try db.execute(
                sql: """
                    INSERT INTO webhook_deliveries (subscription_id, event_id, attempt, status_code, error, succeeded, duration_ms, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, eventID, attempt, statusCode, error, succeeded, durationMilliseconds, now])
            if succeeded {
                try db.execute(
                    sql: "UPDATE webhook_subscriptions SET cursor = max(cursor, ?), failures = 0, next_attempt_at = ? WHERE id = ? AND lease_owner = ?",
                    arguments: [eventID, now, id, owner])
            } else {
                try db.execute(
                    sql: """
                        UPDATE webhook_subscriptions SET failures = failures + 1, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
                        WHERE id = ? AND lease_owner = ?
                        """,
                    arguments: [now + Self.micros(retryAfter), id, owner])
            }
        }
    }

    public func releaseWebhook(id: Int64, owner: String) async throws(JobQueueError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhook_subscriptions SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
                arguments: [id, owner])
        }
    }

    static func subscription(_ row: Row) throws -> WebhookSubscription {
        WebhookSubscription(
            id: row["id"], url: row["url"], kinds: try WebhookRules.kinds(fromJSON: row["kinds"]), cursor: row["cursor"],
            failures: row["failures"], nextAttemptAt: CatalogTime.date(microseconds: row["next_attempt_at"]),
            createdAt: CatalogTime.date(microseconds: row["created_at"]))
    }
}

/// Checks and codings shared by both backends' webhook tables.
enum WebhookRules {
    static func validate(_ webhook: NewWebhook) throws(JobQueueError) {
        guard let url = URL(string: webhook.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false else {
            throw .invalid("webhook url '\(webhook.url)' must be an absolute http:// or https:// URL")
        }
        guard webhook.secret.utf8.count >= 16 else {
            throw .invalid("the webhook secret must be at least 16 bytes; generate a random one (for example `openssl rand -hex 32`)")
        }
        if let bad = webhook.kinds.first(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            throw .invalid("webhook event kind '\(bad)' is not valid: use names such as image.labelled or image.*")
        }
    }

    static func kindsJSON(_ kinds: [String]) throws(JobQueueError) -> String {
        do { return String(decoding: try JSONEncoder.jobs.encode(kinds), as: UTF8.self) } catch { throw .invalid("\(error)") }
    }

    static func kinds(fromJSON text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
