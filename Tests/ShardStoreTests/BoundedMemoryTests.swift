import Foundation
import Testing
import TestSupport

/// More than 1 GiB of raw data written and read back by a child process whose peak RSS stays bounded.
@Suite struct BoundedMemoryTests {
    @Test func moreThanOneGiBWithBoundedMemory() throws {
        let dir = try TemporaryDirectory()
        let bytes = (1 << 30) + (64 << 20)  // 1.06 GiB: 17 shards of 64 MiB
        let (status, out) = try ProbeProcess.run(["big", dir.path("big").path, String(bytes)])
        #expect(status == 0, "probe output: \(out)")
        let lines = out.split(separator: "\n").map { $0.split(separator: " ") }
        let write = lines.first { $0.first == "WRITE" }
        let rawWritten = write.flatMap { $0.count > 2 ? Int($0[2]) : nil } ?? 0
        #expect(rawWritten > 1 << 30, "more than 1 GiB raw: \(rawWritten)")
        #expect(lines.contains { $0.first == "READ" && $0.count > 2 && $0[2] == "values-ok" }, "read back correctly: \(out)")
        let writePeak = lines.first { $0.first == "VmHWM-after-write" }.flatMap { $0.count > 1 ? Int($0[1]) : nil } ?? -1
        let peak = lines.first { $0.first == "VmHWM" }.flatMap { $0.count > 1 ? Int($0[1]) : nil } ?? -1
        // Writing streams block by block; reading holds one shard (64 MiB raw + its compressed bytes).
        #expect(writePeak > 0 && writePeak < 100_000, "peak RSS after writing \(writePeak) kB")
        #expect(peak > 0 && peak < 400_000, "peak RSS after reading \(peak) kB")
    }
}
