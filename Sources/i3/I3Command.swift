import ArgumentParser

/// The `i3` command line: index, search, evaluate, embed, doctor.
@main
struct I3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i3",
        abstract: "I3Retriever: dense passage retrieval with an I^3 dual encoder.",
        subcommands: [IndexCommand.self, SearchCommand.self, EvalCommand.self, DataCommand.self, Embed.self, VerifyCommand.self,
                      Doctor.self, TrainCommand.self])
}
