import Foundation

/// Reads and writes benchmark results: a JSON array of `BenchmarkPoint` objects.
public enum BenchmarkJSON {
    /// Encodes points as pretty, key-sorted JSON.
    public static func encode(_ points: [BenchmarkPoint]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(points)
    }

    /// Decodes a JSON array of points; `source` names the input in errors.
    public static func decode(_ data: Data, source: String = "<json>") throws -> [BenchmarkPoint] {
        do { return try JSONDecoder().decode([BenchmarkPoint].self, from: data) } catch let DecodingError.keyNotFound(key, ctx) {
            throw BenchmarkError.badJSON(path: source, reason: "missing \"\(key.stringValue)\" at \(describe(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw BenchmarkError.badJSON(path: source, reason: "wrong type at \(describe(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw BenchmarkError.badJSON(path: source, reason: "null at \(describe(ctx.codingPath))")
        } catch {
            throw BenchmarkError.badJSON(path: source, reason: "not a JSON list of benchmark points: \(error)")
        }
    }

    /// Writes points to `url` (atomically).
    public static func write(_ points: [BenchmarkPoint], to url: URL) throws {
        do { try encode(points).write(to: url, options: .atomic) } catch let e as BenchmarkError { throw e } catch {
            throw BenchmarkError.badJSON(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads the points in `url`.
    public static func read(_ url: URL) throws -> [BenchmarkPoint] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BenchmarkError.badJSON(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, source: url.path)
    }

    private static func describe(_ path: [CodingKey]) -> String {
        path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
