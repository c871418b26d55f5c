import ArgumentParser
import Foundation
import I3Retriever
import I3Server

/// `i3 serve`: an index directory as an HTTP service (search API, search page, metrics, hot reload).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an index directory over HTTP.",
        discussion: """
        i3 serve <dir> [--host 127.0.0.1] [--port 8080] [--threads N] [--encode-batch 16]
        Routes: POST /v1/search, GET /v1/passages/{id}, GET /v1/index, POST /v1/admin/reload, GET /healthz,
        /readyz, /metrics, /openapi.json, and the search page at /. SIGHUP or replacing the directory
        (i3 index --overwrite) reloads it; SIGTERM finishes the requests in flight and exits.
        """)

    @Argument(help: "Index directory.")
    var directory: String

    @Option(name: .long, help: "Address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0: any free port).")
    var port = 8080

    @Option(name: .long, help: "Searches run at once (0: one per core).")
    var threads = 0

    @Option(name: .long, help: "Most waiting single text queries encoded together in one forward pass (1: each alone; batching never waits).")
    var encodeBatch = 16

    @Option(name: .long, help: "Seconds a search may wait for a thread before it is answered 503.")
    var timeout = 10.0

    @Option(name: .long, help: "Seconds between checks for a replaced index directory (0: no watching).")
    var watch = 2.0

    @OptionGroup var encoder: RetrieverOptions

    func run() async throws {
        var c = ServerConfiguration()
        c.host = host
        c.port = port
        c.searchThreads = threads
        guard timeout > 0, watch >= 0, (0 ... 65535).contains(port), threads >= 0, (1 ... 256).contains(encodeBatch) else {
            throw ValidationError("--timeout must be > 0, --watch >= 0, --port 0...65535, --threads >= 0, --encode-batch 1...256")
        }
        c.maxEncodeBatch = encodeBatch
        c.requestTimeout = .milliseconds(Int(timeout * 1000))
        c.watchInterval = watch > 0 ? .milliseconds(Int(watch * 1000)) : nil
        let server: SearchServer
        do {
            server = try SearchServer(directory: URL(fileURLWithPath: directory), configuration: c,
                                      loader: .fromManifest(model: encoder.model, head: encoder.head))
        } catch let e as RetrieverError {
            throw CLIError(e)
        }
        let g = server.store.current
        let host = self.host
        try await server.run { port in
            let line = "i3 serve: \(g.retriever.count) passages (\(g.retriever.manifest.indexType.rawValue), \(g.retriever.manifest.modelName)) "
                + "at http://\(host):\(port)/  (generation \(g.number))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
