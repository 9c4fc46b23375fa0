/// One page of a listing.
public struct ListPage: Sendable, Hashable {
    /// Objects in ascending key order.
    public var objects: [ObjectInfo]
    /// The key to pass as `startAfter` for the next page; nil when this page is the last.
    ///
    /// A key rather than an opaque token, so a batch job can checkpoint it and resume after a
    /// restart, on any store.
    public var nextStartAfter: String?

    public init(objects: [ObjectInfo], nextStartAfter: String?) {
        self.objects = objects
        self.nextStartAfter = nextStartAfter
    }
}
