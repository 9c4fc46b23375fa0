import Foundation
@testable import Storage
import Testing
import TestSupport

/// AWS's published examples for S3 header-based SigV4 ("Signature Calculations for the
/// Authorization Header: Transferring Payload in a Single Chunk"): example credentials,
/// bucket `examplebucket`, us-east-1, 2013-05-24T00:00:00Z. The expected values are AWS's.
@Suite struct SigV4SignerTests {
    static let credentials = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let may24 = Date(timeIntervalSince1970: 1_369_353_600)

    /// The documented virtual-host bucket on AWS's global endpoint.
    static func exampleStore() throws -> S3Store {
        S3Store(configuration: try S3Configuration(
            bucket: "examplebucket", endpoint: URL(string: "https://s3.amazonaws.com")!, region: "us-east-1",
            addressingStyle: .virtualHost, credentials: credentials), httpClient: TestHTTP.s3)
    }

    static func authorization(_ request: S3Request) throws -> String {
        let http = try exampleStore().makeHTTPRequest(request, date: may24)
        return try #require(http.headers.first(name: "authorization"))
    }

    @Test func getObjectExampleCanonicalRequestAndSignature() throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let request = SigV4Signer.Request(
            method: "GET", canonicalURI: "/test.txt", canonicalQuery: "",
            headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9",
                      "x-amz-content-sha256": SigV4Signer.emptyPayloadHash, "x-amz-date": "20130524T000000Z"],
            payloadHash: SigV4Signer.emptyPayloadHash)
        let (canonical, signedHeaders) = signer.canonicalRequest(request)
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signer.stringToSign(canonicalRequest: canonical, timestamp: "20130524T000000Z") == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signer.authorization(for: request, timestamp: "20130524T000000Z") ==
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// The same example through the store's own request building: addressing, headers, signing.
    @Test func storeSignsTheGetObjectExample() throws {
        let authorization = try Self.authorization(S3Request(method: .get, objectName: "test.txt", headers: ["range": "bytes=0-9"]))
        #expect(authorization.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    /// PUT Object: a `$` in the key (encoded in the canonical URI), extra headers, a real payload.
    @Test func storeSignsThePutObjectExample() throws {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = ObjectKey.contentKey(for: body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = S3Request(method: .put, objectName: "test$file.text",
                                headers: ["date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"],
                                body: body, payloadHash: hash)
        let http = try Self.exampleStore().makeHTTPRequest(request, date: Self.may24)
        #expect(http.url == "https://examplebucket.s3.amazonaws.com/test%24file.text")
        #expect(try Self.authorization(request) ==
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    /// GET Bucket Lifecycle: a query parameter without a value is signed as `lifecycle=`.
    @Test func storeSignsTheLifecycleExample() throws {
        let authorization = try Self.authorization(S3Request(method: .get, objectName: nil, query: [("lifecycle", "")]))
        #expect(authorization.hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    /// GET Bucket (List Objects): query parameters are sorted before signing.
    @Test func storeSignsTheListObjectsExample() throws {
        let authorization = try Self.authorization(S3Request(method: .get, objectName: nil, query: [("prefix", "J"), ("max-keys", "2")]))
        #expect(authorization.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func sessionTokenIsSentAndSigned() throws {
        var configuration = try Self.exampleStore().configuration
        configuration.credentials.sessionToken = "token/with+chars="
        let http = S3Store(configuration: configuration, httpClient: TestHTTP.s3).makeHTTPRequest(S3Request(method: .get, objectName: "a"), date: Self.may24)
        #expect(http.headers.first(name: "x-amz-security-token") == "token/with+chars=")
        #expect(http.headers.first(name: "authorization")?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") == true)
    }

    @Test func timestampIsUTCWithoutSeparators() {
        #expect(SigV4Signer.timestamp(Self.may24) == "20130524T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_700_000_000.9)) == "20231114T221320Z")
    }

    @Test func headerValuesAreTrimmedAndSpacesFolded() {
        #expect(SigV4Signer.normalizeHeaderValue("  a   b  c ") == "a b c")
    }
}
