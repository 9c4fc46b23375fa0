import Foundation

/// A webhook to register.
public struct NewWebhook: Sendable, Hashable {
    /// An http or https URL that receives a POST per event.
    public var url: String
    /// The HMAC-SHA256 key for the `Lenscale-Signature` header; shared with the receiver.
    public var secret: String
    /// Event kinds to deliver (`image.labelled`, `image.*`); empty for all.
    public var kinds: [String]
    /// Deliver events after this offset; nil starts at the end of the feed (only new events).
    public var startAfter: Int64?

    public init(url: String, secret: String, kinds: [String] = [], startAfter: Int64? = nil) {
        self.url = url
        self.secret = secret
        self.kinds = kinds
        self.startAfter = startAfter
    }
}

/// A registered webhook. The secret is not returned by listings.
public struct WebhookSubscription: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var url: String
    public var kinds: [String]
    /// The last event id delivered (or skipped by the filter).
    public var cursor: Int64
    /// Failed deliveries in a row; reset by a success.
    public var failures: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
}

/// One delivery attempt, as the log keeps it.
public struct WebhookDelivery: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var subscriptionID: Int64
    public var eventID: Int64
    public var attempt: Int
    public var statusCode: Int?
    public var error: String?
    public var succeeded: Bool
    public var durationMilliseconds: Int
    public var createdAt: Date
}
