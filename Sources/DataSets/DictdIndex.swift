import Foundation

/// One entry of a dictd `.index` file: a headword and the byte range of its article in the
/// uncompressed `.dict` data.
public struct DictdEntry: Sendable, Hashable {
    public var headword: String
    public var offset: Int
    public var length: Int
}

/// Reader for the dictd database format (`name.index` + `name.dict[.dz]`), as shipped by Debian's dict-* packages.
///
/// Index lines are `headword<TAB>offset<TAB>length`, the numbers in dictd's base64 (alphabet
/// `A–Z a–z 0–9 + /`, most significant digit first). A `.dz` file is dictzip, which plain gzip reads.
public enum Dictd {
    /// Decodes a dictd base64 number.
    public static func decodeNumber(_ s: Substring) -> Int? {
        var v = 0
        guard !s.isEmpty, s.count <= 10 else { return nil }
        for u in s.utf8 {
            let d: Int
            switch u {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = Int(u) - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = Int(u) - 97 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(u) - 48 + 52
            case UInt8(ascii: "+"): d = 62
            case UInt8(ascii: "/"): d = 63
            default: return nil
            }
            v = v * 64 + d
        }
        return v
    }

    /// Reads all entries of an index file, leaving out the metadata entries (headwords starting `00-`).
    public static func readIndex(_ url: URL) throws -> [DictdEntry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var out: [DictdEntry] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 3, let o = decodeNumber(f[1]), let l = decodeNumber(f[2]) else {
                throw DataSetError.malformedLine(path: url.path, line: n + 1, reason: "expected headword<TAB>offset<TAB>length")
            }
            if f[0].hasPrefix("00-") { continue }  // 00-database-*, 00-gcide-*, 00-web1913-*: metadata
            out.append(DictdEntry(headword: String(f[0]), offset: o, length: l))
        }
        return out
    }

    /// The uncompressed bytes of a `.dict` or `.dict.dz` file (the latter through `gzip -dc`).
    public static func readDictionary(_ url: URL) throws -> Data {
        guard url.pathExtension == "dz" else {
            do { return try Data(contentsOf: url) } catch {
                throw DataSetError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
            }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch {
            throw DataSetError.io(path: url.path, reason: "cannot run gzip: \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw DataSetError.io(path: url.path, reason: "gzip -dc exited with status \(p.terminationStatus)")
        }
        return data
    }
}
