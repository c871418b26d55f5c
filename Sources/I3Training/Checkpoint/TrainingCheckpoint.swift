import Foundation
import I3Encoder

/// Where a run stands, stored in the checkpoint's metadata (`i3train.state`).
public struct TrainingState: Codable, Sendable, Equatable {
    /// Optimizer updates done.
    public var step = 0
    /// Epoch (0-based) and batch within it where training resumes.
    public var epoch = 0
    public var batch = 0
    /// Best dev metric so far and the epoch it came from.
    public var bestDev: Double?
    public var bestEpoch: Int?
    /// (step, loss) of every logged step, and (epoch, dev MRR@10) after each epoch: the training curve.
    public var lossCurve: [[Double]] = []
    public var devCurve: [[Double]] = []
    /// A fingerprint of the settings that change the parameter set or the batch order; a resume with
    /// other settings is refused.
    public var fingerprint = ""
    public init() {}
}

/// A resumable training checkpoint: one safetensors file with every parameter (`model/<name>`), the
/// AdamW moments (`adam.m/<name>`, `adam.v/<name>`) and the `TrainingState` as JSON metadata. Written
/// atomically (see `SafetensorsWriter`), so a kill or a full disk leaves the previous checkpoint intact.
public enum TrainingCheckpoint {
    public static func save(parameters: [Parameter], optimizer: AdamW, state: TrainingState, to url: URL) throws {
        try save(parameters: parameters, optimizer: optimizer, state: state, to: url, failAfterBytes: nil)
    }

    static func save(parameters: [Parameter], optimizer: AdamW, state: TrainingState, to url: URL,
                     failAfterBytes: Int?) throws {
        var entries: [SafetensorsWriter.Entry] = []
        for (k, p) in parameters.enumerated() {
            entries.append(.init(name: "model/" + p.name, shape: p.shape, values: p.value))
            entries.append(.init(name: "adam.m/" + p.name, shape: p.shape, values: optimizer.first[k]))
            entries.append(.init(name: "adam.v/" + p.name, shape: p.shape, values: optimizer.second[k]))
        }
        let stateJSON = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try SafetensorsWriter.write(entries, metadata: ["i3train.state": stateJSON, "i3train.adam_step": "\(optimizer.step)"],
                                    to: url, failAfterBytes: failAfterBytes)
    }

    /// Restores parameters and moments from `url`; the checkpoint must hold exactly these parameters.
    public static func load(from url: URL, parameters: [Parameter], optimizer: AdamW) throws -> TrainingState {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(url: url) } catch {
            throw TrainingError.badCheckpoint(path: url.path, reason: "\(error)")
        }
        guard let s = file.metadata["i3train.state"], let state = try? JSONDecoder().decode(TrainingState.self, from: Data(s.utf8)),
              let adamStep = Int(file.metadata["i3train.adam_step"] ?? "") else {
            throw TrainingError.badCheckpoint(path: url.path, reason: "no training state in the metadata")
        }
        let expected = Set(parameters.flatMap { ["model/" + $0.name, "adam.m/" + $0.name, "adam.v/" + $0.name] })
        let found = Set(file.tensors.keys)
        guard expected == found else {
            let missing = expected.subtracting(found).sorted().prefix(3), extra = found.subtracting(expected).sorted().prefix(3)
            throw TrainingError.badCheckpoint(path: url.path,
                                              reason: "parameters differ from this model (missing \(Array(missing)), extra \(Array(extra)))")
        }
        do {
            for (k, p) in parameters.enumerated() {
                p.value.copy(from: FloatBuffer(try file.floatArray("model/" + p.name, shape: p.shape)))
                optimizer.first[k].copy(from: FloatBuffer(try file.floatArray("adam.m/" + p.name, shape: p.shape)))
                optimizer.second[k].copy(from: FloatBuffer(try file.floatArray("adam.v/" + p.name, shape: p.shape)))
            }
        } catch {
            throw TrainingError.badCheckpoint(path: url.path, reason: "\(error)")
        }
        optimizer.step = adamStep
        return state
    }
}
