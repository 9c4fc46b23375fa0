import Foundation

/// A real S3-compatible server for tests: moto (pinned in tools/requirements.txt) on 127.0.0.1,
/// started once per test process and shared by every test that asks for it.
///
/// Why these choices:
/// - moto runs inside a small Python launcher rather than as `moto_server -p PORT`, so it can
///   bind port 0 (no race for a "free" port with other test processes) and report the port it
///   got, and so it can die with us: the launcher blocks reading its stdin, a pipe whose only
///   writer is this process, and exits at EOF, which the kernel delivers when the test process
///   ends for any reason, crashes and `kill -9` included. No atexit handler is needed.
/// - Signature checking is switched on (moto's IAM mode) after the launcher creates an IAM user,
///   its key and the bucket: from then on moto recomputes every request's SigV4 signature with
///   botocore and answers 403 SignatureDoesNotMatch on any difference, so each S3 test also
///   checks our signer against AWS's own implementation.
/// - Tests share one bucket and isolate themselves with a fresh key prefix each.
public actor S3TestServer {
    public struct Endpoint: Sendable {
        public let port: Int
        public let accessKeyID: String
        public let secretAccessKey: String
        /// Created at start-up; empty.
        public let bucket: String
        public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    }

    public static let shared = S3TestServer()

    private var starting: Task<Endpoint, any Error>?
    /// Held for the life of the process: closing the stdin pipe (at exit) is what stops the
    /// server; keeping the process and its stdout referenced keeps Foundation from closing them.
    private var stdinPipe: Pipe?
    private var stdoutPipe: Pipe?
    private var process: Process?

    /// The running server, started on first use. A failed start is remembered and rethrown, so
    /// one broken setup fails fast everywhere instead of retrying in every test.
    public func endpoint() async throws -> Endpoint {
        if let starting { return try await starting.value }
        let task = Task { try await self.launch() }
        starting = task
        return try await task.value
    }

    private func launch() async throws -> Endpoint {
        let python = TestPaths.python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw S3TestServerError(message: "no Python venv at \(python.path): run `make setup`")
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-moto-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let bucket = "lenscale-test"
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", Self.launcher, bucket]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        // A file, not a pipe: the server logs every request and would block once a pipe filled.
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        stdinPipe = input
        stdoutPipe = output
        self.process = process

        let line = try await Self.firstLine(of: output.fileHandleForReading, timeout: .seconds(90))
        guard let line, let data = line.data(using: .utf8),
              let info = try? JSONDecoder().decode(LauncherInfo.self, from: data) else {
            process.terminate()
            let detail = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw S3TestServerError(message: "moto did not start (is moto[server] installed? run `make setup`); "
                + "its output was: \(line ?? "nothing")\n\(detail.suffix(3000))")
        }
        // Only a failed start needs the log; the server keeps its open descriptor to it.
        try? FileManager.default.removeItem(at: log)
        return Endpoint(port: info.port, accessKeyID: info.accessKeyID, secretAccessKey: info.secretAccessKey, bucket: bucket)
    }

    /// Reads one line on a Dispatch thread, since a blocking read would hold one of the two
    /// cooperative threads this machine has; nil at EOF (the launcher died) or on timeout.
    private static func firstLine(of handle: FileHandle, timeout: Duration) async throws -> String? {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        var bytes = Data()
                        while !bytes.contains(UInt8(ascii: "\n")) {
                            let chunk = handle.availableData
                            if chunk.isEmpty { break }
                            bytes.append(chunk)
                        }
                        let line = bytes.split(separator: UInt8(ascii: "\n")).first.map { String(decoding: $0, as: UTF8.self) }
                        continuation.resume(returning: line)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private struct LauncherInfo: Decodable {
        let port: Int
        let accessKeyID: String
        let secretAccessKey: String
    }

    /// Starts moto on an OS-chosen port, sets up IAM and the bucket (argv[1]), turns on signature
    /// checking, prints one JSON line, then serves until stdin closes.
    static let launcher = #"""
import json, logging, sys, urllib.request
logging.getLogger("werkzeug").setLevel(logging.ERROR)
import boto3
from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
port = server.get_host_and_port()[1]
url = f"http://127.0.0.1:{port}"
setup = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **setup)
iam.create_user(UserName="lenscale-tests")
key = iam.create_access_key(UserName="lenscale-tests")["AccessKey"]
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_user_policy(UserName="lenscale-tests", PolicyName="s3", PolicyDocument=json.dumps(policy))
boto3.client("s3", **setup).create_bucket(Bucket=sys.argv[1])
reset = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
urllib.request.urlopen(reset).read()
print(json.dumps({"port": port, "accessKeyID": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}), flush=True)
sys.stdin.read()
server.stop()
"""#
}

public struct S3TestServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
