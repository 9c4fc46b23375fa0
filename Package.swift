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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; `make setup` installs their Debian -dev packages.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        // Our own declarations of the ONNX Runtime C API; the library itself is dlopen'ed at run time.
        .target(name: "CONNXRuntime", linkerSettings: [.linkedLibrary("dl")]),

        .target(name: "ImageDecoding", dependencies: ["CTurboJPEG", "CPNG", "CWebP"]),
        .target(name: "Inference", dependencies: ["CONNXRuntime"]),
        .target(
            name: "Classification",
            dependencies: ["ImageDecoding", "Inference", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "LenscaleCLI",
            dependencies: [
                "Classification",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Locations of the shared photos, fixtures and models, and hand-made hostile inputs.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ImageDecodingTests", dependencies: ["ImageDecoding", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "TestSupport"]),
        .testTarget(name: "ClassificationTests", dependencies: ["Classification", "TestSupport"]),
        .testTarget(name: "LenscaleCLITests", dependencies: ["Classification", "TestSupport"]),
    ]
)
