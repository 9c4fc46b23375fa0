import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImageDecoding
import NIOCore
@testable import Serving
import Testing
import TestSupport

/// HEIC, AVIF, JPEG XL, GIF, TIFF and BMP through `/v1/classify` (declared with their own media
/// types) and a multipart `/v1/batches`, on both catalog backends: each is labelled like the
/// photo it was made from, and the catalog keeps its format (and whether it is animated) and the
/// object store its bytes.
@Suite("every format through /v1/classify and /v1/batches")
struct FormatUploadTests {
    static let files: [(file: String, format: ImageFormat)] = [
        ("formats/coffee.png.heic", .heif), ("formats/coffee.png.avif", .avif), ("formats/coffee.png.jxl", .jxl),
        ("still.gif", .gif), ("animated.gif", .gif), ("lzw.tiff", .tiff), ("bmp24.bmp", .bmp),
    ]
    static let espresso = 967

    @Test(arguments: TestBackend.allCases)
    func everyFormatIsLabelledAndCatalogued(backend: TestBackend) async throws {
        let uploads = try Self.files.map { ($0.file, $0.format, try bytes(of: TestPaths.fixture($0.file))) }
        try await TestServer.with(backend) { server in
            let app = try await server.applicationWithJobs()
            try await app.test(.router) { client in
                try await client.waitUntilReady()
                for (file, format, data) in uploads {
                    let response = try await client.execute(uri: "/v1/classify", method: .post,
                                                            headers: server.headers(.classify, contentType: format.mimeType),
                                                            body: ByteBuffer(bytes: data))
                    try #require(response.status == .ok, "\(file): \(response.status) \(String(buffer: response.body).prefix(300))")
                    let answer = try JSONDecoder().decode(ClassifyBody.self, from: Data(buffer: response.body))
                    #expect(answer.labels.first?.index == Self.espresso, "\(file): \(answer.labels.map(\.name))")
                }

                let form = JobRouteTests.multipart(uploads.map { ($0.0.replacingOccurrences(of: "formats/", with: ""), $0.2) })
                let (_, receipt) = try await JobRouteTests.submitForm(form, client: client, server: server)
                let done = try await JobRouteTests.pollBatch(client, id: receipt.id, headers: server.headers(.read))
                for (item, upload) in zip(done.items, uploads) {
                    #expect(item.state == "done" && item.labels?.first?.index == Self.espresso,
                            "\(upload.0): \(item.state) \(item.error ?? "") \(item.labels?.map(\.name) ?? [])")
                    let sha256 = try #require(item.sha256)
                    let record = try await server.runtime.workspace.catalog.image(sha256: sha256)
                    #expect(record?.format == upload.1.rawValue, "\(upload.0) catalogued as \(record?.format ?? "nothing")")
                    #expect(record?.animated == (upload.0 == "animated.gif"), "\(upload.0): animated \(String(describing: record?.animated))")
                    #expect(try await server.runtime.workspace.store.get(sha256) == upload.2, "\(upload.0): stored bytes differ")
                }
            }
        }
    }

    @Test func reviewImagesAreServedWithTheirOwnMediaType() {
        for (_, format) in Self.files {
            let magic: [UInt8]
            switch format {
            case .heif: magic = [0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8)
            case .avif: magic = [0, 0, 0, 24] + Array("ftypavif".utf8) + [0, 0, 0, 0] + Array("mif1avif".utf8)
            case .jxl: magic = [0xFF, 0x0A, 0, 0]
            case .gif: magic = Array("GIF89a".utf8)
            case .tiff: magic = [0x49, 0x49, 0x2A, 0x00]
            default: magic = Array("BM".utf8) + [UInt8](repeating: 0, count: 14)
            }
            #expect(ReviewRoutes.mediaType(magic) == format.mimeType)
        }
    }
}
