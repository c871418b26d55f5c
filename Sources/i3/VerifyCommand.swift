import ArgumentParser
import Foundation
import I3Retriever

/// `i3 verify`: the passage digest of an index directory, and whether it equals its collection's.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that an index directory holds exactly the passages of a collection.",
        discussion: """
        Prints the number of passages and a content digest (FNV-1a 64 of id, title and text) of the index
        directory and, with --collection, of the TSV file as the indexer reads it; exits 1 when they differ.
        """)

    @Argument(help: "Index directory (optional with --collection: then only the collection is read and validated).")
    var index: String?

    @Option(name: .long, help: "Collection TSV the index was built from.")
    var collection: String?

    func validate() throws {
        if index == nil, collection == nil { throw ValidationError("give an index directory, --collection, or both") }
    }

    func run() throws {
        var stored: PassageDigest?
        if let index {
            do { stored = try PassageDigest.of(indexDirectory: URL(fileURLWithPath: index)) } catch {
                throw CLIError("\(index): \(error)")
            }
            print("index:      \(stored.map(\.description) ?? "")")
        }
        guard let c = collection else { return }
        let source = try PassageDigest.of(collection: URL(fileURLWithPath: c))
        print("collection: \(source)")
        guard let stored else { return }
        guard source == stored else {
            print("MISMATCH")
            throw ExitCode(1)
        }
        print("identical")
    }
}
