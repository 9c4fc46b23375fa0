extension S3Store {
    public func put(_ bytes: [UInt8], key: String, mediaType: String?) async throws(StorageError) -> PutOutcome {
        try ObjectKey.validate(key)
        // Hashing 20 MB holds a thread for tens of milliseconds: not one of the shared ones.
        let hash = try await BlockingIO.run { () throws(StorageError) -> String in try ObjectKey.verifyContent(bytes, key: key) }
        if try await head(key) != nil { return .alreadyPresent }
        let name = configuration.objectName(for: key)
        let response = try await send(S3Request(
            method: .put, objectName: name,
            headers: ["content-type": mediaType ?? "application/octet-stream", "if-none-match": "*"],
            body: bytes, payloadHash: hash))
        switch response.status {
        case 200..<300: return .stored
        // Another writer got there between our HEAD and PUT; its object stands.
        case 412: return .alreadyPresent
        default: throw response.storageError
        }
    }

    public func get(_ key: String) async throws(StorageError) -> [UInt8] {
        try ObjectKey.validate(key)
        let response = try await send(S3Request(method: .get, objectName: configuration.objectName(for: key)))
        switch response.status {
        case 200..<300:
            return response.body
        // A 404 about the bucket is a configuration problem, not a missing object.
        case 404 where response.error.code != "NoSuchBucket":
            throw .notFound(key)
        default:
            throw response.storageError
        }
    }

    public func head(_ key: String) async throws(StorageError) -> ObjectInfo? {
        try ObjectKey.validate(key)
        let response = try await send(S3Request(method: .head, objectName: configuration.objectName(for: key)))
        switch response.status {
        case 200..<300:
            guard let size = response.headers["content-length"].flatMap({ Int($0) }) else {
                throw .invalidResponse("HEAD \(key) answered without a Content-Length")
            }
            return ObjectInfo(key: key, size: size)
        case 404:
            return nil
        default:
            throw response.storageError
        }
    }

    public func delete(_ key: String) async throws(StorageError) {
        try ObjectKey.validate(key)
        let response = try await send(S3Request(method: .delete, objectName: configuration.objectName(for: key)))
        switch response.status {
        case 200..<300: return
        case 404 where response.error.code != "NoSuchBucket": return
        default: throw response.storageError
        }
    }
}
