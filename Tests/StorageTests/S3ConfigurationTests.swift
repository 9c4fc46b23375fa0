import Foundation
@testable import Storage
import Testing

/// Credentials only: every other setting must come from the URL under test.
let testEnvironment = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"]

@Suite struct S3ConfigurationTests {
    static let environment = testEnvironment

    @Test func parsesTheDocumentedURL() throws {
        let configuration = try S3Configuration(
            url: "s3://photos/lenscale/v1/?endpoint=http://127.0.0.1:9000&region=eu-west-3&style=path", environment: Self.environment)
        #expect(configuration.bucket == "photos")
        #expect(configuration.keyPrefix == "lenscale/v1")
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(configuration.region == "eu-west-3")
        #expect(configuration.addressingStyle == .path)
        #expect(configuration.credentials == S3Credentials(accessKeyID: "AKID", secretAccessKey: "secret"))
        #expect(configuration.retryPolicy == .standard)
    }

    @Test func environmentFillsWhatTheURLLeavesOut() throws {
        var environment = Self.environment
        environment["AWS_ENDPOINT_URL"] = "http://minio:9000"
        environment["AWS_REGION"] = "ap-south-1"
        environment["AWS_SESSION_TOKEN"] = "tok"
        let configuration = try S3Configuration(url: "s3://bucket", environment: environment)
        #expect(configuration.endpoint.absoluteString == "http://minio:9000")
        #expect(configuration.region == "ap-south-1")
        #expect(configuration.credentials.sessionToken == "tok")
        #expect(configuration.keyPrefix == "")
        // A self-hosted endpoint defaults to path style.
        #expect(configuration.addressingStyle == .path)
        // The URL wins over the environment; the S3-specific variable over the generic one.
        environment["AWS_ENDPOINT_URL_S3"] = "http://s3only:1"
        #expect(try S3Configuration(url: "s3://bucket", environment: environment).endpoint.absoluteString == "http://s3only:1")
        #expect(try S3Configuration(url: "s3://bucket?endpoint=http://url:2", environment: environment).endpoint.absoluteString == "http://url:2")
    }

    @Test func awsDefaults() throws {
        let configuration = try S3Configuration(url: "s3://bucket/p", environment: Self.environment)
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint.absoluteString == "https://s3.us-east-1.amazonaws.com")
        #expect(configuration.addressingStyle == .virtualHost)
    }

    @Test func timeoutsAndAttemptsFromTheURL() throws {
        let configuration = try S3Configuration(url: "s3://bucket?timeout=2.5&attempts=2&style=virtual-host", environment: Self.environment)
        #expect(configuration.requestTimeout == .milliseconds(2500))
        #expect(configuration.retryPolicy.maxAttempts == 2)
        #expect(configuration.addressingStyle == .virtualHost)
    }

    @Test(arguments: [
        ("s3://bucket", [String: String](), "AWS_ACCESS_KEY_ID"),
        ("s3://bucket?regoin=x", testEnvironment, "unknown parameter 'regoin'"),
        ("s3://Bad_Bucket", testEnvironment, "not a valid S3 bucket name"),
        ("s3://bucket?style=sideways", testEnvironment, "style must be"),
        ("s3://bucket?endpoint=ftp://host", testEnvironment, "must be http(s)://host[:port]"),
        ("s3://bucket?endpoint=http://host/path", testEnvironment, "no path"),
        ("s3://bucket/a/../b", testEnvironment, "key prefix"),
        ("s3://bucket?timeout=-1", testEnvironment, "timeout must be"),
        ("s3://bucket?timeout=inf", testEnvironment, "timeout must be"),
        ("s3://bucket?timeout=1e300", testEnvironment, "timeout must be"),
        ("s3://bucket?timeout=nan", testEnvironment, "timeout must be"),
        ("s3://bucket?timeout=86401", testEnvironment, "timeout must be"),
        ("s3:///nobucket", testEnvironment, "not an S3 location"),
    ])
    func rejectsBadSettings(url: String, environment: [String: String], fragment: String) {
        #expect {
            try S3Configuration(url: url, environment: environment)
        } throws: { error in
            guard case .invalidConfiguration(let message) = error as? StorageError else { return false }
            return message.contains(fragment)
        }
    }

    @Test func pathStyleTarget() throws {
        let configuration = try S3Configuration(url: "s3://bucket/pre?endpoint=http://127.0.0.1:9000", environment: Self.environment)
        let target = configuration.target(objectName: configuration.objectName(for: "a b/c$.jpg"))
        #expect(target == S3Target(url: "http://127.0.0.1:9000/bucket/pre/a%20b/c%24.jpg", host: "127.0.0.1:9000",
                                   canonicalURI: "/bucket/pre/a%20b/c%24.jpg", canonicalQuery: ""))
        let listing = configuration.target(objectName: nil, query: [("prefix", "pre/"), ("list-type", "2")])
        #expect(listing.url == "http://127.0.0.1:9000/bucket?list-type=2&prefix=pre%2F")
        #expect(listing.canonicalURI == "/bucket")
    }

    @Test func virtualHostTargetKeepsTheBucketInTheHostHeader() throws {
        let configuration = try S3Configuration(
            url: "s3://bucket?endpoint=http://localhost:9000&style=virtual&connect=127.0.0.1:9000", environment: Self.environment)
        let target = configuration.target(objectName: "k")
        #expect(target == S3Target(url: "http://127.0.0.1:9000/k", host: "bucket.localhost:9000", canonicalURI: "/k", canonicalQuery: ""))
        // Without connect=, the bucket's own name is dialled, and default ports are left out.
        let aws = try S3Configuration(url: "s3://bucket", environment: Self.environment).target(objectName: nil)
        #expect(aws == S3Target(url: "https://bucket.s3.us-east-1.amazonaws.com/", host: "bucket.s3.us-east-1.amazonaws.com",
                                canonicalURI: "/", canonicalQuery: ""))
    }

    @Test func ipv6EndpointsAreBracketed() throws {
        #expect(S3Configuration.hostHeader(for: URL(string: "http://[::1]:9000")!) == "[::1]:9000")
        #expect(S3Configuration.hostHeader(for: URL(string: "https://s3.example:443")!) == "s3.example")
    }

    @Test func listingNamesMapBackToKeys() throws {
        let configuration = try S3Configuration(url: "s3://bucket/pre", environment: Self.environment)
        #expect(configuration.key(forObjectName: "pre/a/b") == "a/b")
        #expect(configuration.key(forObjectName: "pre2/a") == nil)
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = S3Credentials(accessKeyID: "AKID", secretAccessKey: "hunter2", sessionToken: "tok")
        #expect(!credentials.description.contains("hunter2"))
        #expect(!credentials.description.contains("tok "))
        #expect(credentials.description.contains("AKID"))
    }
}
