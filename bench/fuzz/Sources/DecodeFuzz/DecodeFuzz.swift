import Foundation
import ImageDecoding
import MalformedImages

/// One input: the header parse and, when it passes, the decode (with and without DCT scaling),
/// under limits small enough that libFuzzer's memory limit is never the finding. Each must end
/// in a value or a `DecodeError`; a trap, an overflow or a memory error is the finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let limits = DecodeLimits(maxBytes: 8_000_000, maxPixels: 4_000_000)
    guard let header = try? ImageHeader.read(bytes, limits: limits) else { return 0 }
    precondition(header.width > 0 && header.height > 0 && header.width * header.height <= limits.maxPixels)
    _ = ImageDecoder.peakBytes(for: header, minimumShorterSide: 224)
    let decoder = ImageDecoder(limits: limits)
    for minimum in [nil, 224] as [Int?] {
        if let decoded = try? decoder.decode(bytes, minimumShorterSide: minimum) {
            let image = decoded.image
            precondition(image.pixels.count == image.width * image.height * 3)
            precondition(image.width * image.height <= limits.maxPixels)
        }
    }
    return 0
}

/// libFuzzer's driver, from the runtime that `-sanitize=fuzzer` links. SwiftPM gives an
/// executable its own `main`, so this one hands the command line to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@main
struct DecodeFuzzMain {
    /// `DecodeFuzz seed OUT FILE...` writes the malformed-header generator's cases of each valid
    /// image FILE into OUT (the starting corpus); anything else is libFuzzer's command line.
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count >= 3, arguments[1] == "seed" {
            let out = URL(fileURLWithPath: arguments[2])
            do {
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                let files = arguments.dropFirst(3).map { URL(fileURLWithPath: $0) }
                var written = 0
                for file in files {
                    let bytes = [UInt8](try Data(contentsOf: file))
                    try Data(bytes).write(to: out.appendingPathComponent(file.lastPathComponent))
                    for (index, item) in MalformedImages.cases(from: bytes, label: file.lastPathComponent).enumerated() {
                        try Data(item.bytes).write(to: out.appendingPathComponent("\(file.lastPathComponent).\(index)"))
                        written += 1
                    }
                }
                print("wrote \(written) malformed cases of \(files.count) seeds to \(out.path)")
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("DecodeFuzz seed: \(error)\n".utf8))
                exit(1)
            }
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv, fuzz)
        exit(status)
    }
}
