import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    static let subscriptionColumns = "id, url, kinds, cursor, failures, next_attempt_at, created_at, secret"

    static func subscription(_ row: PostgresRow) throws -> (subscription: WebhookSubscription, secret: String) {
        let (id, url, kinds, cursor, failures, next, created, secret) = try row.decode(
            (Int64, String, String, Int64, Int, Int64, Int64, String).self)
        return (WebhookSubscription(id: id, url: url, kinds: try WebhookRules.kinds(fromJSON: kinds), cursor: cursor,
                                    failures: failures, nextAttemptAt: CatalogTime.date(microseconds: next),
                                    createdAt: CatalogTime.date(microseconds: created)), secret)
    }

    public func createWebhook(_ webhook: NewWebhook) async throws(JobQueueError) -> WebhookSubscription {
        try WebhookRules.validate(webhook)
        let kinds = try WebhookRules.kindsJSON(webhook.kinds)
        return try await withConnection { connection in
            let rows = try await self.fetch(
                """
                INSERT INTO webhook_subscriptions (url, secret, kinds, cursor, failures, next_attempt_at, created_at)
                VALUES (\(webhook.url), \(webhook.secret), \(kinds),
                        coalesce(\(webhook.startAfter), (SELECT coalesce(max(id), 0) FROM events)), 0,
                        \(unescaped: self.nowSQL), \(unescaped: self.nowSQL))
                RETURNING \(unescaped: Self.subscriptionColumns)
                """, on: connection, Self.subscription)
            guard let row = rows.first else { throw CatalogError.database("creating the webhook returned no row") }
            return row.subscription
        }
    }

    public func webhooks() async throws(JobQueueError) -> [WebhookSubscription] {
        try await withConnection { connection in
            try await self.fetch(
                "SELECT \(unescaped: Self.subscriptionColumns) FROM webhook_subscriptions ORDER BY id", on: connection, Self.subscription
            ).map(\.subscription)
        }
    }

    public func deleteWebhook(id: Int64) async throws(JobQueueError) {
        let deleted = try await withConnection { connection in
            try await self.fetch("DELETE FROM webhook_subscriptions WHERE id = \(id) RETURNING id", on: connection) {
                try $0.decode(Int64.self)
            }
        }
        if deleted.isEmpty { throw .unknownWebhook(id) }
    }

    public func deliveries(webhook id: Int64, limit: Int) async throws(JobQueueError) -> [WebhookDelivery] {
        try await withConnection { connection in
            try await self.fetch(
                """
                SELECT id, subscription_id, event_id, attempt, status_code, error, succeeded, duration_ms, created_at
                FROM webhook_deliveries WHERE subscription_id = \(id) ORDER BY id DESC LIMIT \(max(0, limit))
                """, on: connection
            ) { row in
                let (id, subscription, event, attempt, status, error, succeeded, duration, created) = try row.decode(
                    (Int64, Int64, Int64, Int, Int?, String?, Bool, Int, Int64).self)
                return WebhookDelivery(id: id, subscriptionID: subscription, eventID: event, attempt: attempt, statusCode: status,
                                       error: error, succeeded: succeeded, durationMilliseconds: duration,
                                       createdAt: CatalogTime.date(microseconds: created))
            }
        }
    }

    public func leaseDueWebhooks(owner: String, lease: Duration) async throws(JobQueueError) -> [(subscription: WebhookSubscription, secret: String)] {
        let leaseMicros = Self.micros(lease)
        return try await withConnection { connection in
            try await self.fetch(
                """
                UPDATE webhook_subscriptions SET lease_owner = \(owner), lease_until = \(unescaped: self.nowSQL) + \(leaseMicros)
                WHERE next_attempt_at <= \(unescaped: self.nowSQL)
                    AND (lease_until IS NULL OR lease_until < \(unescaped: self.nowSQL) OR lease_owner = \(owner))
                    AND cursor < (SELECT coalesce(max(id), 0) FROM events)
                RETURNING \(unescaped: Self.subscriptionColumns)
                """, on: connection, Self.subscription)
        }
    }

    public func recordDelivery(webhook id: Int64, owner: String, eventID: Int64?, skippedThrough: Int64?,
                               attempt: Int, statusCode: Int?, error: String?, succeeded: Bool,
                               durationMilliseconds: Int, retryAfter: Duration) async throws(JobQueueError) {
        let retryMicros = Self.micros(retryAfter)
        try await transaction { connection in
            if let skippedThrough {
                try await self.execute(
                    """
                    UPDATE webhook_subscriptions SET cursor = GREATEST(cursor, \(skippedThrough))
                    WHERE id = \(id) AND lease_owner = \(owner)
                    """, on: connection)
            }
            guard let eventID else { return }
            try await self.execute(
                """
                INSERT INTO webhook_deliveries (subscription_id, event_id, attempt, status_code, error, succeeded, duration_ms, created_at)
                VALUES (\(id), \(eventID), \(attempt), \(statusCode), \(error), \(succeeded), \(durationMilliseconds), \(unescaped: self.nowSQL))
                """, on: connection)
            if succeeded {
                try await self.execute(
                    """
                    UPDATE webhook_subscriptions SET cursor = GREATEST(cursor, \(eventID)), failures = 0,
                        next_attempt_at = \(unescaped: self.nowSQL)
                    WHERE id = \(id) AND lease_owner = \(owner)
                    """, on: connection)
            } else {
                try await self.execute(
                    """
                    UPDATE webhook_subscriptions SET failures = failures + 1, next_attempt_at = \(unescaped: self.nowSQL) + \(retryMicros),
                        lease_owner = NULL, lease_until = NULL
                    WHERE id = \(id) AND lease_owner = \(owner)
                    """, on: connection)
            }
        }
    }

    public func releaseWebhook(id: Int64, owner: String) async throws(JobQueueError) {
        try await withConnection { connection in
            try await self.execute(
                "UPDATE webhook_subscriptions SET lease_owner = NULL, lease_until = NULL WHERE id = \(id) AND lease_owner = \(owner)",
                on: connection)
        }
    }
}
