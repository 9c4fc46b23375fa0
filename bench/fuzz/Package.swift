// swift-tools-version:6.0
// The libFuzzer harness over Lenscale's image header parsing and decoding (bench/fuzz/run.sh).
// A package of its own, so the root package's builds never link libFuzzer's `main`.
import PackageDescription

let package = Package(
    name: "LenscaleFuzz",
    dependencies: [.package(name: "Lenscale", path: "../..")],
    targets: [
        .executableTarget(
            name: "DecodeFuzz",
            dependencies: [
                .product(name: "ImageDecoding", package: "Lenscale"),
                .product(name: "MalformedImages", package: "Lenscale"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
