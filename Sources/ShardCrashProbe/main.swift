// A child process for the shard-store crash and memory tests (not a product).
//
//   ShardCrashProbe commit <dir> <generation> <stage|none> [fallback]
//       writes generation <g> of a small object to <dir>; when <stage> is a CommitStage name (or "writing",
//       after half the records), prints "STAGE <stage>" and waits to be killed.
//   ShardCrashProbe loop <dir> <from> <to> [fallback]
//       commits generations <from>...<to> in turn.
//   ShardCrashProbe big <dir> <rawBytes>
//       streams <rawBytes> of generated float32 records into <dir>, commits, reads it all back shard by shard,
//       and prints "WRITE seconds raw compressed", "READ seconds sum-ok" and "VmHWM <kB>".
#if canImport(Glibc)
import Glibc
#endif
import Foundation
@_spi(CrashTesting) import ShardStore

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func announceAndWait(_ stage: String) -> Never {
    fflush(nil)
    FileHandle.standardOutput.write(Data("STAGE \(stage)\n".utf8))
    while true { pause() }
}

/// Peak resident set size in kB, from /proc/self/status.
func peakRSSkB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// The records of generation `g` of the crash-test object: record i of column "v" is 8 floats equal to
/// g * 1_000_000 + i, and "t" holds "g<g> record <i>".
let crashRecords = 3000

func runCommit(_ args: [String]) throws {
    guard args.count >= 3, let generation = Int(args[1]) else { fail("usage: commit <dir> <generation> <stage|none> [fallback]") }
    let url = URL(fileURLWithPath: args[0])
    let stage = args[2]
    var w = try ShardWriter(directory: url, kind: "crash-test", metadata: ["generation": String(generation)],
                            maxShardBytes: 16384, blockBytes: 4096)
    if args.count > 3, args[3] == "fallback" { w.useRenameExchange = false }
    if stage != "none" && stage != "writing" {
        guard CommitStage(rawValue: stage) != nil else { fail("unknown stage \(stage)") }
        w.commitStageHook = { s in if s.rawValue == stage { announceAndWait(stage) } }
    }
    try w.addColumn("v", type: .float32, recordLength: 8)
    try w.addColumn("t", type: .utf8)
    for i in 0..<crashRecords {
        try w.append(floats: [Float](repeating: Float(generation * 1_000_000 + i), count: 8), to: "v")
        try w.appendRecord(string: "g\(generation) record \(i)", to: "t")
        if stage == "writing" && i == crashRecords / 2 { announceAndWait(stage) }
    }
    try w.commit()
    print("COMMITTED \(generation)")
}

/// Commits generations `from...to` one after another (the swap-window stress test reads meanwhile).
func runLoop(_ args: [String]) throws {
    guard args.count >= 3, let from = Int(args[1]), let to = Int(args[2]) else { fail("usage: loop <dir> <from> <to> [fallback]") }
    let fallback = args.count > 3 && args[3] == "fallback"
    for g in from...to {
        try runCommit([args[0], String(g), "none"] + (fallback ? ["fallback"] : []))
    }
}

func runBig(_ args: [String]) throws {
    guard args.count >= 2, let rawBytes = Int(args[1]) else { fail("usage: big <dir> <rawBytes>") }
    let url = URL(fileURLWithPath: args[0])
    let d = 256
    let chunkRecords = 1024  // 1 MiB per append
    let records = (rawBytes + d * 4 - 1) / (d * 4)
    // One random chunk of 3-bit quantised values (fairly compressible, like low-precision data), reused with
    // its first element set to the chunk number: generation costs nothing, and chunks still differ.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var chunk = (0..<(chunkRecords * d)).map { _ -> Float in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Int(state >> 61) - 4) * 0.25
    }
    let t0 = Date()
    var w = try ShardWriter(directory: url, kind: "big", metadata: [:])
    try w.addColumn("v", type: .float32, recordLength: d)
    var written = 0, chunkIndex = 0
    while written < records {
        let n = min(chunkRecords, records - written)
        chunk[0] = Float(chunkIndex)
        try w.append(floats: chunk[0 ..< n * d], to: "v")
        written += n
        chunkIndex += 1
    }
    try w.commit()
    let t1 = Date()
    let reader = try ShardReader(directory: url)
    let column = try reader.column("v")
    print("WRITE \(t1.timeIntervalSince(t0)) \(column.manifest.rawBytes) \(column.manifest.compressedBytes) shards \(column.shardCount)")
    print("VmHWM-after-write \(peakRSSkB())")
    // Whole-shard reads verify the file checksum and the LZ4 content checksum; spot-check values too.
    var count = 0, ok = true
    try column.forEachShard { (_: Int, range: Range<Int>) throws in
        let values = try column.floats(records: range)
        count += range.count
        for r in [range.lowerBound, range.upperBound - 1] {
            let local = (r - range.lowerBound) * d
            let inChunk = r % chunkRecords
            for j in 0..<d where j > 0 || inChunk > 0 {
                if values[local + j] != chunk[inChunk * d + j] { ok = false }
            }
            if inChunk == 0 && values[local] != Float(r / chunkRecords) { ok = false }
        }
    }
    let t2 = Date()
    print("READ \(t2.timeIntervalSince(t1)) \(ok && count == records ? "values-ok" : "values-wrong \(count) of \(records)")")
    print("VmHWM \(peakRSSkB())")
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "commit": try runCommit(Array(arguments.dropFirst()))
    case "big": try runBig(Array(arguments.dropFirst()))
    case "loop": try runLoop(Array(arguments.dropFirst()))
    default: fail("usage: ShardCrashProbe commit|big …")
    }
} catch {
    fail("error: \(error)")
}
