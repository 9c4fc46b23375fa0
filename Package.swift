// swift-tools-version: 6.1
import PackageDescription

/// Pixel and byte loops (decoding, resampling, hashing, the malformed-image generator, multipart
/// parsing) built optimised in debug too: unoptimised, they are 20 to 50 times slower, and the
/// test suite, which is a debug build, spends most of its time in them. Release builds are
/// optimised anyway; these modules lose only line-by-line stepping in a debugger.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Lenscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lenscale", targets: ["LenscaleCLI"]),
        .library(name: "ImageDecoding", targets: ["ImageDecoding"]),
        .library(name: "MalformedImages", targets: ["MalformedImages"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "Classification", targets: ["Classification"]),
        .library(name: "Ingest", targets: ["Ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; `make setup` installs their Debian -dev packages.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        // HEIC and AVIF (libheif decodes both, through libde265 and dav1d), JPEG XL, GIF, TIFF, and
        // lcms2 to bring an embedded ICC profile's colours into sRGB before the model sees them.
        .systemLibrary(name: "CHEIF", pkgConfig: "libheif", providers: [.apt(["libheif-dev"])]),
        .systemLibrary(name: "CJXL", pkgConfig: "libjxl", providers: [.apt(["libjxl-dev"])]),
        .systemLibrary(name: "CGIF", pkgConfig: "libgif", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CLCMS2", pkgConfig: "lcms2", providers: [.apt(["liblcms2-dev"])]),
        // zlib, to inflate a PNG's compressed ICC profile (libpng's simplified API does not return it).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Our own declarations of the ONNX Runtime C API; the library itself is dlopen'ed at run time.
        .target(name: "CONNXRuntime", linkerSettings: [.linkedLibrary("dl")]),

        // Debian's libfaiss-dev ships FAISS's C API headers but not libfaiss_c, so this target is
        // our own thin extern "C" layer over the C++ classes we use, linked against libfaiss.a.
        .target(
            name: "CFAISS",
            cxxSettings: [.unsafeFlags(["-std=c++17", "-fopenmp"])],
            linkerSettings: [
                .linkedLibrary("faiss"), .linkedLibrary("lapack"), .linkedLibrary("blas"),
                .linkedLibrary("gomp"), .linkedLibrary("stdc++"),
            ]
        ),

        // Time as a dependency: `ManualClock` moves only when told to, and `Expiring` bounds work
        // on any clock, whether or not the work honours cancellation.
        .target(name: "Clocks"),
        .target(
            name: "ImageDecoding", dependencies: ["CTurboJPEG", "CPNG", "CWebP", "CHEIF", "CJXL", "CGIF", "CTIFF", "CLCMS2", "CZlib"],
            swiftSettings: optimisedInDebug),
        // Malformed images made from valid ones, for the hostile-input tests and the fuzz seeds.
        .target(name: "MalformedImages", swiftSettings: optimisedInDebug),
        // multipart/form-data read as it arrives, with its limits checked while reading.
        .target(name: "Multipart", swiftSettings: optimisedInDebug),
        .target(name: "Hashing", dependencies: ["ImageDecoding", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: optimisedInDebug),
        // Named banks of known-content hashes (PDQ, SHA-256, MD5), their actions and list formats.
        .target(name: "HashBanks", dependencies: ["Hashing"]),
        .target(name: "Inference", dependencies: ["CONNXRuntime"]),
        .target(name: "Classification", dependencies: ["Clocks", "ImageDecoding", "Inference", "Hashing"]),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Catalog",
            dependencies: [
                "Clocks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SimilaritySearch", dependencies: ["CFAISS"]),
        .target(name: "Planning"),
        .target(
            name: "Ingest",
            dependencies: ["ImageDecoding", "Classification", "Hashing", "Storage", "Catalog", "SimilaritySearch"]
        ),
        // The durable job queue and the event feed (append-only events, webhooks), on the
        // catalog's database so a batch and its jobs commit in one transaction.
        .target(
            name: "Jobs",
            dependencies: [
                "Catalog", "Clocks",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Images into the queue: a batch's uploads checked, stored and enqueued as `image.analyse` jobs.
        .target(
            name: "Submissions",
            dependencies: ["Jobs", "Storage", "Hashing", "ImageDecoding", "Classification"]
        ),
        // The worker and its job handlers: classify, embed, hash and look up duplicates for queued
        // images, and the heavy moderation stage.
        .target(
            name: "Workers",
            dependencies: [
                "Jobs", "Submissions", "Ingest", "Classification", "Storage", "Catalog", "Moderation",
                "Hashing", "ImageDecoding",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The offline pipeline: folder, manifest or bucket in; labels.jsonl and .npy out.
        .target(
            name: "BatchPipeline",
            dependencies: ["ImageDecoding", "Classification", "Hashing", "Storage", "Catalog"]
        ),
        // Policy, the NudeNet detector's decoding, the cascade's decisions and the review queue.
        .target(
            name: "Moderation",
            dependencies: [
                "Classification", "Clocks", "Inference", "ImageDecoding", "Hashing", "Catalog", "Jobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // API keys and their scopes, stored on the catalog's database.
        .target(
            name: "Keys",
            dependencies: [
                "Catalog", "Hashing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // `lenscale serve`: the HTTP API, the prediction cache, the dynamic batcher and auth.
        .target(
            name: "Serving",
            dependencies: [
                "Inference", "ImageDecoding", "Classification", "Ingest", "Catalog", "Storage", "Jobs",
                "Submissions", "Moderation", "Clocks", "Multipart", "Hashing", "Keys",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The web pages (upload, review) as plain HTML/CSS/JS: no npm build step.
            resources: [.copy("Web")]
        ),
        // The composition root: every process's object graph (`serve`'s, a worker's), built once.
        .target(
            name: "Composition",
            dependencies: [
                "Serving", "Workers", "Moderation", "Jobs", "Ingest", "Classification", "ImageDecoding",
                "Catalog", "Inference",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "LenscaleCLI",
            dependencies: [
                "Storage", "Inference", "ImageDecoding", "Catalog", "Classification", "Ingest", "Planning",
                "Jobs", "Workers", "Submissions", "BatchPipeline", "Moderation", "Serving", "Composition",
                "Keys",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Locations of the shared photos, fixtures and models, and hand-made hostile inputs.
        .target(name: "TestSupport", dependencies: [
            "Inference", "ImageDecoding", "Classification", "MalformedImages", "Storage",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "ImageDecodingTests", dependencies: ["ImageDecoding", "Clocks", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["CONNXRuntime", "Inference", "TestSupport"]),
        .testTarget(name: "ClassificationTests", dependencies: ["Inference", "ImageDecoding", "Hashing", "Classification", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["ImageDecoding", "Hashing", "TestSupport"]),
        .testTarget(name: "HashBanksTests", dependencies: ["HashBanks"]),
        .testTarget(name: "MultipartTests", dependencies: ["Multipart"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Clocks", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: [
            "Catalog", "Clocks", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "SimilaritySearchTests", dependencies: ["SimilaritySearch", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Storage", "Classification", "Catalog", "Ingest", "Hashing", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning"]),
        .testTarget(name: "LenscaleCLITests", dependencies: ["Storage", "Hashing", "Ingest", "Jobs", "Moderation", "Submissions", "TestSupport"]),
        .testTarget(name: "JobsTests", dependencies: [
            "Jobs", "Catalog", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "WorkersTests", dependencies: ["ImageDecoding", "Classification", "Catalog", "Workers", "Submissions", "Jobs", "Ingest", "TestSupport"]),
        .testTarget(name: "BatchPipelineTests", dependencies: ["Storage", "ImageDecoding", "Hashing", "Classification", "Catalog", "BatchPipeline", "TestSupport"]),
        .testTarget(name: "ModerationTests", dependencies: ["Inference", "Classification", "Catalog", "Jobs", "Moderation", "TestSupport"]),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Workers", "Storage", "Moderation", "Jobs", "Ingest", "ImageDecoding", "Hashing", "Clocks",
                "Classification", "Catalog", "Serving", "Composition", "Keys", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // The open-loop load generator for bench/serve: HDR latency percentiles at a fixed rate.
        .executableTarget(
            name: "LoadGenerator",
            dependencies: [
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "bench/serve/LoadGenerator"
        ),
        // The PDQ match-index benchmark for bench/hashbank (synthetic bank, planted near matches).
        .executableTarget(name: "HashBankBench", dependencies: ["Hashing"], path: "bench/hashbank/HashBankBench"),
    ]
)
