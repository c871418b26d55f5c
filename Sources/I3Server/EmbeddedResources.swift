import Foundation

/// Files compiled into the binary (SwiftPM `embedInCode`), so `i3 serve` needs nothing beside it.
enum EmbeddedResources {
    /// The search page served at `/` (plain HTML and JavaScript, no build step, no CDN).
    static var searchPage: [UInt8] { PackageResources.search_html }
    /// The OpenAPI 3.1 document served at `/openapi.json` (also committed as Sources/I3Server/Resources/openapi.json).
    static var openAPIDocument: [UInt8] { PackageResources.openapi_json }
}
