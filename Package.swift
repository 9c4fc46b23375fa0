// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Lenscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lenscale", targets: ["LenscaleCLI"]),
        .library(name: "ImageDecoding", targets: ["ImageDecoding"]),
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
    ],
    targets: [
        // C libraries, found through pkg-config; `make setup` installs their Debian -dev packages.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
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

        .target(name: "ImageDecoding", dependencies: ["CTurboJPEG", "CPNG", "CWebP"]),
        .target(name: "Hashing", dependencies: ["ImageDecoding", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Inference", dependencies: ["CONNXRuntime"]),
        .target(name: "Classification", dependencies: ["ImageDecoding", "Inference", "Hashing"]),
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
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SimilaritySearch", dependencies: ["CFAISS"]),
        .target(name: "Planning"),
        .target(
            name: "Ingest",
            dependencies: ["Classification", "Hashing", "Storage", "Catalog", "SimilaritySearch"]
        ),
        .executableTarget(
            name: "LenscaleCLI",
            dependencies: [
                "Classification",
                "Ingest",
                "Planning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Locations of the shared photos, fixtures and models, and hand-made hostile inputs.
        .target(name: "TestSupport", dependencies: ["Classification"], path: "Tests/TestSupport"),
        .testTarget(name: "ImageDecodingTests", dependencies: ["ImageDecoding", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "TestSupport"]),
        .testTarget(name: "ClassificationTests", dependencies: ["Classification", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "SimilaritySearchTests", dependencies: ["SimilaritySearch", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Hashing", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning"]),
        .testTarget(name: "LenscaleCLITests", dependencies: ["Classification", "TestSupport"]),
    ]
)
