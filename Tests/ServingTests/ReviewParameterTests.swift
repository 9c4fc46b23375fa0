@testable import Serving
import Testing

/// The review routes' category filter: found by Schemathesis on PostgreSQL, which refuses a NUL
/// byte in text, so `GET /v1/review?category=%00` made the store fail with 503.
@Suite("review parameters")
struct ReviewParameterTests {
    @Test("a category is a policy's word: a NUL byte, punctuation, non-ASCII or 65 characters are a 400", arguments: [
        "\u{0}", "a\u{0}b", "7ó", "weapons;drop", "a b", String(repeating: "c", count: 65),
    ])
    func badCategories(_ text: String) {
        #expect(throws: APIError.self) { try ReviewRoutes.category(text) }
    }

    @Test("policy names and no filter pass")
    func goodCategories() throws {
        #expect(try ReviewRoutes.category(nil) == nil)
        #expect(try ReviewRoutes.category("") == nil)
        #expect(try ReviewRoutes.category("weapons") == "weapons")
        #expect(try ReviewRoutes.category("self-harm.v2_x") == "self-harm.v2_x")
    }
}
