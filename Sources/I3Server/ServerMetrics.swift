import Foundation
import Prometheus

/// The server's Prometheus metrics (its own registry, so several servers in one process do not mix):
/// `i3_http_requests_total{route,method,status}`, `i3_http_request_duration_seconds{route,method}`
/// (histogram), `i3_search_encode_batch_size` (histogram: text queries encoded together),
/// `i3_index_generation` and `i3_index_reloads_total{result}`.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry = PrometheusCollectorRegistry()
    private let generationGauge: Gauge

    static let buckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]

    public init() {
        generationGauge = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "i3", metricName: "index", unitName: "generation", helpText: "The index generation serving new requests."))
    }

    /// Counts one answered request and its latency.
    func record(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "i3", subsystem: "http", metricName: "requests", unitName: "total",
                                                              helpText: "HTTP requests answered, by route, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeValueHistogram(descriptor: MetricNameDescriptor(namespace: "i3", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                                     helpText: "Time from the request head to the response, by route and method."),
                                    labels: [("route", route), ("method", method)], buckets: Self.buckets).record(seconds)
    }

    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64]

    /// Records how many single text queries one forward pass encoded.
    func recordEncodeBatch(size: Int) {
        registry.makeValueHistogram(descriptor: MetricNameDescriptor(namespace: "i3", subsystem: "search", metricName: "encode_batch", unitName: "size",
                                                                     helpText: "Single text queries encoded together in one forward pass."),
                                    buckets: Self.batchBuckets).record(Double(size))
    }

    /// Records a reload attempt (`swapped`, `unchanged` or `failed`) and the generation now serving.
    func recordReload(result: String, generation: Int) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "i3", subsystem: "index", metricName: "reloads", unitName: "total",
                                                              helpText: "Index reloads, by result."),
                             labels: [("result", result)]).increment()
        generationGauge.set(Double(generation))
    }

    /// Sets the generation gauge.
    func setGeneration(_ g: Int) { generationGauge.set(Double(g)) }

    /// The Prometheus text exposition.
    public func text() -> String { registry.emitToString() }
}
