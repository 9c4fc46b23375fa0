@testable import Storage
import Testing

@Suite struct XMLElementTreeTests {
    @Test func parsesAListingWithEntitiesAndContinuation() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated>
              <!-- a comment with <tags> -->
              <Contents><Key>p/a &amp; b &lt;c&gt; &#233;&#x4E2D;</Key><Size>12</Size><ETag>&quot;x&quot;</ETag></Contents>
              <Contents><Key><![CDATA[p/raw & <cdata>]]></Key><Size>0</Size></Contents>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """
        let result = try S3ListResult(xml: Array(xml.utf8))
        #expect(result.entries == [.init(name: "p/a & b <c> é中", size: 12), .init(name: "p/raw & <cdata>", size: 0)])
        #expect(result.isTruncated)
        #expect(result.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func emptyLastPage() throws {
        let result = try S3ListResult(xml: Array("<ListBucketResult><IsTruncated>false</IsTruncated><Prefix/></ListBucketResult>".utf8))
        #expect(result.entries.isEmpty)
        #expect(!result.isTruncated)
    }

    @Test func truncatedPageWithoutTokenIsRejected() {
        #expect(throws: StorageError.invalidResponse("a truncated listing has no <NextContinuationToken>")) {
            try S3ListResult(xml: Array("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>".utf8))
        }
    }

    @Test(arguments: ["<ListBucketResult><Contents>", "<a></b>", "", "<a>&bogus;</a>", "<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>"])
    func malformedDocumentsAreInvalidResponses(xml: String) {
        #expect {
            try S3ListResult(xml: Array(xml.utf8))
        } throws: { error in
            if case .invalidResponse = error as? StorageError { true } else { false }
        }
    }

    @Test func errorDocument() {
        let document = S3ErrorDocument(Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key></Error>
            """.utf8))
        #expect(document == S3ErrorDocument(code: "NoSuchKey", message: "The specified key does not exist."))
        #expect(S3ErrorDocument(Array("<html>Bad gateway</html>".utf8)) == S3ErrorDocument(code: nil, message: nil))
    }

    @Test func attributesWithAngleBracketsAreSkipped() throws {
        let root = try XMLElementTree.parse(Array("<a x='1>2' y=\"q\"><b/><s3:c>t</s3:c ></a>".utf8))
        #expect(root.children.map(\.name) == ["b", "c"])
        #expect(root.child("c")?.text == "t")
    }
}
