import BenchSupport
import IndexCore

/// The exact flat index (`IndexCore.FlatIndex`): the recall = 1 reference point and a check of the
/// ground truth.
struct FlatRunner: ANNRunner {
    var indexName: String { "flat" }

    func run(_ data: ANNDataset, options: ANNOptions, log: (String) -> Void) throws -> [BenchmarkPoint] {
        let index = try FlatIndex(dimension: data.dimension, metric: data.metric)
        let ids = (0 ..< UInt64(data.baseCount)).map { $0 }
        let build = try QueryTimer.measure { try index.add(contentsOf: data.base, ids: ids) }
        log("  i3       flat: added \(data.baseCount) vectors in \(String(format: "%.2f", build.seconds)) s")
        var t = template(data, options: options)
        t.buildSeconds = build.seconds
        t.addSeconds = build.seconds
        // FlatIndex stores the floats and one 64-bit id per vector (plus an id → slot dictionary, not counted).
        t.bytesPerVector = Double(4 * data.dimension + 8)
        t.indexBytes = Double(data.baseCount) * Double(4 * data.dimension + 8)
        let queries = queryRows(data)
        let p = try measurePoint(data, options: options, index: "flat", params: [:], passes: 1, template: t) { q in
            try index.search(queries[q], k: options.k).map(\.id)
        }
        log(describe(p))
        return [p]
    }
}
