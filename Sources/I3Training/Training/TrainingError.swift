/// Errors of the training target. Each names what was wrong and where.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// There is nothing to train on.
    case emptyTrainingSet(String)
    /// Training queries that have no relevant passage in the qrels.
    case queriesWithoutQrels(count: Int, examples: [String])
    /// Qrels that name passages absent from the collection.
    case unknownPassages(count: Int, examples: [String])
    /// An option or input is out of range.
    case invalidOption(String)
    /// The loss became NaN/infinite or exploded; training stopped. `checkpoint` is the last good one.
    case divergence(step: Int, epoch: Int, batch: Int, loss: Double, checkpoint: String?)
    /// Writing a checkpoint or model failed; the previous checkpoint at `path` is intact.
    case checkpointWrite(path: String, reason: String)
    /// OpenBLAS could not be loaded (every matrix product of training needs it).
    case blasUnavailable(String)
    /// A checkpoint does not belong to this model or run, or is damaged.
    case badCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case let .emptyTrainingSet(why): "empty training set: \(why)"
        case let .queriesWithoutQrels(count, examples):
            "\(count) training queries have no relevant passage in the qrels (e.g. \(examples.joined(separator: ", ")))"
        case let .unknownPassages(count, examples):
            "\(count) qrels name passages that are not in the collection (e.g. \(examples.joined(separator: ", ")))"
        case let .invalidOption(why): "invalid training option: \(why)"
        case let .divergence(step, epoch, batch, loss, checkpoint):
            "training diverged at step \(step) (epoch \(epoch), batch \(batch)): loss \(loss); "
                + (checkpoint.map { "last good checkpoint kept at \($0)" } ?? "no checkpoint was written yet")
        case let .checkpointWrite(path, reason): "cannot write \(path): \(reason) (the previous file is intact)"
        case let .badCheckpoint(path, reason): "bad checkpoint \(path): \(reason)"
        case let .blasUnavailable(why): "BLAS is unavailable: \(why)"
        }
    }
}
