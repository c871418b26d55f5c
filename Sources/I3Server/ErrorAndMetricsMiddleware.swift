import Foundation
import Hummingbird

/// Outermost middleware: turns every thrown error into a JSON `APIError` response and counts each
/// answered request (route pattern, method, status, latency) in `ServerMetrics`.
struct ErrorAndMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try APIError.from(error).response(from: request, context: context)
        }
        let d = ContinuousClock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "NotFound"
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        return response
    }
}
