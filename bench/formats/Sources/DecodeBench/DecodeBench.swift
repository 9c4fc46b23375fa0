import Foundation
import ImageDecoding

/// `DecodeBench RUNS FILE...`: decodes each file RUNS times at full size (no DCT scaling, so
/// every format does the same work) and prints, per format, the median over runs of the total
/// milliseconds per megapixel across the files, and the same with `minimumShorterSide: 224`
/// (what `classify` asks for: JPEG's DCT scaling is the one reduced decode that applies).
@main
struct DecodeBench {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let runs = arguments.first.flatMap(Int.init), runs > 0, arguments.count > 1 else {
            FileHandle.standardError.write(Data("usage: DecodeBench RUNS FILE...\n".utf8))
            exit(2)
        }
        let decoder = ImageDecoder()
        var byFormat: [ImageFormat: [(bytes: [UInt8], megapixels: Double)]] = [:]
        for path in arguments.dropFirst() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let header = try ImageHeader.read(bytes)
            byFormat[header.format, default: []].append((bytes, Double(header.width * header.height) / 1_000_000))
        }
        print("format  files  megapixels  full ms/MP (median of \(runs))  at 224 ms/MP")
        for format in ImageFormat.allCases {
            guard let files = byFormat[format] else { continue }
            let megapixels = files.reduce(0) { $0 + $1.megapixels }
            func median(_ minimum: Int?) throws -> Double {
                var totals: [Double] = []
                for _ in 0..<runs {
                    let clock = ContinuousClock()
                    let elapsed = try clock.measure {
                        for file in files { _ = try decoder.decode(file.bytes, minimumShorterSide: minimum) }
                    }
                    totals.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                }
                return totals.sorted()[totals.count / 2] / megapixels
            }
            let full = try median(nil), reduced = try median(224)
            print(String(format: "%-6@  %5d  %10.1f  %27.1f  %12.1f", format.rawValue as NSString, files.count, megapixels, full, reduced))
        }
    }
}
