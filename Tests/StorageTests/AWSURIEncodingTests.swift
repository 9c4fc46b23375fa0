@testable import Storage
import Testing

@Suite struct AWSURIEncodingTests {
    @Test(arguments: [
        ("test$file.text", "test%24file.text"),
        ("a b+c=d&e", "a%20b%2Bc%3Dd%26e"),
        ("keep-_.~AZaz09", "keep-_.~AZaz09"),
        ("é", "%C3%A9"),
        ("photos/2024/a.jpg", "photos/2024/a.jpg"),
    ])
    func pathEncoding(raw: String, encoded: String) {
        #expect(AWSURIEncoding.encode(raw, keepingSlashes: true) == encoded)
    }

    @Test func slashesAreEncodedInQueryValues() {
        #expect(AWSURIEncoding.encode("a/b", keepingSlashes: false) == "a%2Fb")
    }

    @Test func canonicalQuerySortsByEncodedNameThenValue() {
        let query = AWSURIEncoding.canonicalQuery([("prefix", "J K"), ("max-keys", "2"), ("a", "2"), ("a", "1"), ("lifecycle", "")])
        #expect(query == "a=1&a=2&lifecycle=&max-keys=2&prefix=J%20K")
    }
}
