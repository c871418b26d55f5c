import Foundation
import Hummingbird

/// An error answered to the client: a 4xx/5xx status and a JSON body
/// `{"error": {"status": 400, "code": "...", "field": "k", "message": "..."}}` naming the field at fault.
public struct APIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_field`, `malformed_json`, `not_found`, ...).
    public var code: String
    /// The request field at fault (a JSON path such as `vector[3]`), when one is.
    public var field: String?
    /// What is wrong, for a person.
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, field: String? = nil, message: String) {
        self.status = status
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(status.code) \(code)\(field.map { " [\($0)]" } ?? ""): \(message)" }

    /// A 400 for an invalid field.
    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_field", field: field, message: message)
    }

    /// The JSON body.
    struct Body: Encodable {
        struct Detail: Encodable {
            var status: Int
            var code: String
            var field: String?
            var message: String
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(status: status.code, code: code, field: field, message: message))
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"error":{"code":"unencodable"}}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The `APIError` for any error a handler threw: Hummingbird's own (404 route, 413 body) keep their
    /// status; anything unexpected becomes a 500 that says what happened.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as HTTPError:
            switch e.status {
            case .notFound: return APIError(.notFound, code: "not_found", message: e.body ?? "no such route")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "body_too_large", field: "body", message: e.body ?? "the request body is too large")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: e.body ?? "method not allowed on this route")
            default: return APIError(e.status, code: "http_error", message: e.body ?? e.status.reasonPhrase)
            }
        case let e as any HTTPResponseError where e.status == .contentTooLarge:
            return APIError(.contentTooLarge, code: "body_too_large", field: "body", message: "the request body is larger than the server's limit")
        case let e as any HTTPResponseError:
            return APIError(e.status, code: "http_error", message: "\(e)")
        default:
            return APIError(.internalServerError, code: "internal", message: "\(error)")
        }
    }
}

/// The JSON coders the server uses.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }()
}
