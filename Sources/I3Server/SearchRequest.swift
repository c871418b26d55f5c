import Foundation

/// A `POST /v1/search` body, checked field by field (every error names the field).
///
/// Exactly one of `query` (one text), `queries` (a batch of texts) or `vector` (an encoded query);
/// `k` (default 10); `ef`, `nprobe`, `refine` (index knobs, unset: the index's defaults);
/// `target_recall` (a recall looked up in the index's recall curve); `ids` (return only these passage ids).
public struct SearchRequest: Sendable, Equatable {
    /// What is searched.
    public enum Input: Sendable, Equatable {
        case text(String)
        case batch([String])
        case vector([Float])
    }

    public var input: Input
    public var k: Int
    public var ef: Int?
    public var nprobe: Int?
    public var refine: Int?
    public var targetRecall: Double?
    public var ids: [String]?

    /// The fields a body may have.
    static let fields: Set<String> = ["query", "queries", "vector", "k", "ef", "nprobe", "refine", "target_recall", "ids"]

    /// Decodes and checks a request body against the server's limits.
    public static func decode(_ body: Data, limits: ServerConfiguration) throws(APIError) -> SearchRequest {
        guard !body.isEmpty else {
            throw APIError(.badRequest, code: "malformed_json", field: "body", message: "the body is empty: send a JSON object such as {\"query\": \"...\", \"k\": 10}")
        }
        let raw: RawBody
        do {
            raw = try JSONDecoder().decode(RawBody.self, from: body)
        } catch let e as APIError {
            throw e
        } catch let e as DecodingError {
            throw Self.apiError(e)
        } catch {
            throw APIError(.badRequest, code: "malformed_json", field: "body", message: "the body is not valid JSON: \(error)")
        }
        return try raw.validated(limits: limits)
    }

    static func apiError(_ e: DecodingError) -> APIError {
        func path(_ c: [any CodingKey]) -> String {
            var s = ""
            for key in c {
                if let i = key.intValue { s += "[\(i)]" } else { s += s.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return s
        }
        switch e {
        case let .dataCorrupted(ctx) where ctx.codingPath.isEmpty:
            let why = ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription
            return APIError(.badRequest, code: "malformed_json", field: "body", message: "the body is not valid JSON (UTF-8): \(why)")
        case let .dataCorrupted(ctx):
            return .invalid(path(ctx.codingPath), ctx.debugDescription)
        case let .typeMismatch(type, ctx) where ctx.codingPath.isEmpty:
            return APIError(.badRequest, code: "malformed_json", field: "body", message: "the body must be a JSON object, not \(type == [String: Any].self ? "another value" : "\(type)")")
        case let .typeMismatch(type, ctx):
            return .invalid(path(ctx.codingPath), "expected \(Self.jsonTypeName(type)): \(ctx.debugDescription)")
        case let .valueNotFound(type, ctx):
            return .invalid(path(ctx.codingPath), "expected \(Self.jsonTypeName(type)), found null")
        case let .keyNotFound(key, ctx):
            return .invalid(path(ctx.codingPath + [key]), "missing")
        @unknown default:
            return APIError(.badRequest, code: "malformed_json", field: "body", message: "\(e)")
        }
    }

    static func jsonTypeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is [String].Type: return "an array of strings"
        case is [Float].Type: return "an array of numbers"
        default: return "\(t)"
        }
    }
}

/// The body as sent, before the checks.
private struct RawBody: Decodable {
    var query: String?
    var queries: [String]?
    var vector: [Float]?
    var k: Int?
    var ef: Int?
    var nprobe: Int?
    var refine: Int?
    var targetRecall: Double?
    var ids: [String]?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys where !SearchRequest.fields.contains(key.stringValue) {
            throw APIError.invalid(key.stringValue, "unknown field; the fields are \(SearchRequest.fields.sorted().joined(separator: ", "))")
        }
        query = try c.decodeIfPresent(String.self, forKey: Key(stringValue: "query"))
        queries = try c.decodeIfPresent([String].self, forKey: Key(stringValue: "queries"))
        // Numbers are read as Double and checked here: Foundation reports a number that does not fit the
        // asked type (2.5 for an Int, 1e39 for a Float) as invalid JSON without naming the field.
        if let v = try c.decodeIfPresent([Double].self, forKey: Key(stringValue: "vector")) {
            if let i = v.firstIndex(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                throw APIError.invalid("vector[\(i)]", "\(v[i]) is not a finite 32-bit float")
            }
            vector = v.map { Float($0) }
        }
        func integer(_ name: String) throws -> Int? {
            guard let d = try c.decodeIfPresent(Double.self, forKey: Key(stringValue: name)) else { return nil }
            guard d.rounded() == d, abs(d) < 1e15 else { throw APIError.invalid(name, "\(d) is not an integer") }
            return Int(d)
        }
        k = try integer("k")
        ef = try integer("ef")
        nprobe = try integer("nprobe")
        refine = try integer("refine")
        targetRecall = try c.decodeIfPresent(Double.self, forKey: Key(stringValue: "target_recall"))
        ids = try c.decodeIfPresent([String].self, forKey: Key(stringValue: "ids"))
    }

    func validated(limits: ServerConfiguration) throws(APIError) -> SearchRequest {
        let given = [query != nil ? "query" : nil, queries != nil ? "queries" : nil, vector != nil ? "vector" : nil].compactMap { $0 }
        guard given.count == 1 else {
            throw APIError.invalid(given.count == 0 ? "query" : given[1],
                                   given.count == 0 ? "missing: give one of query, queries or vector"
                                                    : "give only one of query, queries or vector (got \(given.joined(separator: ", ")))")
        }
        let input: SearchRequest.Input
        if let q = query {
            try Self.checkText(q, field: "query", limits: limits)
            input = .text(q)
        } else if let qs = queries {
            guard !qs.isEmpty else { throw APIError.invalid("queries", "empty: give at least one query") }
            guard qs.count <= limits.maxBatch else { throw APIError.invalid("queries", "\(qs.count) queries; at most \(limits.maxBatch) in one request") }
            for (i, q) in qs.enumerated() { try Self.checkText(q, field: "queries[\(i)]", limits: limits) }
            input = .batch(qs)
        } else {
            let v = vector ?? []
            guard !v.isEmpty else { throw APIError.invalid("vector", "empty") }
            if let i = v.firstIndex(where: { !$0.isFinite }) { throw APIError.invalid("vector[\(i)]", "not a finite number") }
            input = .vector(v)
        }
        let k = self.k ?? 10
        guard (1 ... limits.maxK).contains(k) else { throw APIError.invalid("k", "\(k) is out of range 1...\(limits.maxK)") }
        if let ef, !(1 ... 100_000).contains(ef) { throw APIError.invalid("ef", "\(ef) is out of range 1...100000") }
        if let nprobe, !(1 ... 1 << 20).contains(nprobe) { throw APIError.invalid("nprobe", "\(nprobe) is out of range 1...\(1 << 20)") }
        if let refine, !(1 ... 10_000).contains(refine) { throw APIError.invalid("refine", "\(refine) is out of range 1...10000") }
        if let targetRecall, !(targetRecall > 0 && targetRecall <= 1) {
            throw APIError.invalid("target_recall", "\(targetRecall) is not a recall in (0, 1]")
        }
        if let ids {
            guard !ids.isEmpty else { throw APIError.invalid("ids", "empty: leave it out to search all passages") }
            guard ids.count <= limits.maxFilterIDs else { throw APIError.invalid("ids", "\(ids.count) ids; at most \(limits.maxFilterIDs)") }
        }
        return SearchRequest(input: input, k: k, ef: ef, nprobe: nprobe, refine: refine, targetRecall: targetRecall, ids: ids)
    }

    private static func checkText(_ q: String, field: String, limits: ServerConfiguration) throws(APIError) {
        guard !q.allSatisfy(\.isWhitespace) else { throw APIError.invalid(field, "empty: give some text") }
        guard q.utf8.count <= limits.maxQueryBytes else {
            throw APIError.invalid(field, "\(q.utf8.count) bytes; at most \(limits.maxQueryBytes)")
        }
    }
}
