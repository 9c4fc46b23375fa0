// swift-tools-version:6.0
// Decode time per megapixel for each format, beside JPEG's on the same photos (bench/formats/run.sh).
// A package of its own, like bench/fuzz, so the root package ships no benchmark executables.
import PackageDescription

let package = Package(
    name: "LenscaleFormatBench",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Lenscale", path: "../..")],
    targets: [
        .executableTarget(
            name: "DecodeBench",
            dependencies: [.product(name: "ImageDecoding", package: "Lenscale")]
        ),
    ]
)
