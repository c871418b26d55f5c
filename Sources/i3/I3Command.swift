import ArgumentParser

/// The `i3` command line: index, search, serve, evaluate, embed, verify, doctor, train.
@main
struct I3: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i3",
        abstract: "I3Retriever: dense passage retrieval with an I^3 dual encoder.",
        subcommands: [IndexCommand.self, SearchCommand.self, ServeCommand.self, EvalCommand.self, DataCommand.self, Embed.self,
                      VerifyCommand.self, TuneCommand.self, Doctor.self, TrainCommand.self])
}
