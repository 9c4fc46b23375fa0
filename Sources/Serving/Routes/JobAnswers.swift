import Catalog
import Foundation
import Jobs

/// The JSON shapes of the batch and webhook routes (snake_case by the encoder).
struct BatchAnswer: Encodable {
    struct Item: Encodable {
        var index: Int
        var name: String
        var sha256: String?
        var state: String
        var error: String?
    }
    var id: String
    var items: [Item]

    init(_ receipt: BatchReceipt) {
        id = receipt.id
        items = receipt.items.map { Item(index: $0.index, name: $0.name, sha256: $0.sha256, state: $0.state.rawValue, error: $0.reason) }
    }
}

struct BatchStatusAnswer: Encodable {
    struct Item: Encodable {
        var index: Int
        var name: String
        var sha256: String?
        var state: String
        var error: String?
        var labels: [StoredLabel]?
    }
    var id: String
    var model: String
    var modelVersion: String
    var createdAt: Date
    var completedAt: Date?
    var counts: [String: Int]
    var items: [Item]

    init(_ status: BatchStatus) {
        id = status.id
        model = status.model
        modelVersion = status.modelVersion
        createdAt = status.createdAt
        completedAt = status.completedAt
        counts = Dictionary(uniqueKeysWithValues: status.counts.map { ($0.key.rawValue, $0.value) })
        items = status.items.map { Item(index: $0.index, name: $0.name, sha256: $0.sha256, state: $0.state.rawValue, error: $0.reason, labels: $0.labels) }
    }
}

struct WebhookAnswer: Encodable {
    var id: Int64
    var url: String
    var kinds: [String]
    var cursor: Int64
    var failures: Int
    var createdAt: Date

    init(_ subscription: WebhookSubscription) {
        id = subscription.id
        url = subscription.url
        kinds = subscription.kinds
        cursor = subscription.cursor
        failures = subscription.failures
        createdAt = subscription.createdAt
    }
}

struct DeliveryAnswer: Encodable {
    var id: Int64
    var eventId: Int64
    var attempt: Int
    var statusCode: Int?
    var error: String?
    var succeeded: Bool
    var durationMilliseconds: Int
    var createdAt: Date

    init(_ delivery: WebhookDelivery) {
        id = delivery.id
        eventId = delivery.eventID
        attempt = delivery.attempt
        statusCode = delivery.statusCode
        error = delivery.error
        succeeded = delivery.succeeded
        durationMilliseconds = delivery.durationMilliseconds
        createdAt = delivery.createdAt
    }
}
