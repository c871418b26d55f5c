import Foundation

/// Settings of a training run (defaults: the released I^3 fine-tuning recipe where it applies, with
/// AdamW, warm-up and clipping instead of LAMB; see docs/training.md).
public struct TrainingOptions: Sendable, Equatable, Codable {
    public var epochs = 1
    /// Queries per batch; each brings `1 + hardNegatives` passages.
    public var batchSize = 16
    /// Hard negatives per query per step, drawn in turn from the mined pool.
    public var hardNegatives = 1
    /// Depth of the mined pool: the base model's top-ranked non-relevant passages.
    public var negativePool = 20
    /// Peak learning rates of the towers (and MLM head) and of the I^3 head layers.
    public var learningRate: Float = 2e-5
    public var headLearningRate: Float = 1e-3
    /// Fraction of all steps spent warming up linearly; then linear decay to 0.
    public var warmupFraction: Float = 0.1
    public var maxGradientNorm: Float = 1
    public var weightDecay: Float = 0.01
    /// Reconstruction weight: nil = the released code's β_e = 10^(−e) for epoch e = 1, 2, … (0.1, 0.01, …);
    /// a number = that constant (0 turns the reconstruction loss off).
    public var reconstructionWeight: Float?
    /// Freeze the embeddings and the lowest N layers.
    public var frozenLayers = 0
    public var maxQueryLength = 32
    public var maxPassageLength = 128
    public var seed: UInt64 = 0
    /// BLAS threads (0 = all cores). Results are deterministic for a given thread count.
    public var threads = 0
    /// Write the resumable checkpoint every this many steps (and at each epoch end).
    public var checkpointEvery = 200
    /// Stop after this many optimizer steps in total (a partial epoch), nil = run all epochs.
    public var maxSteps: Int?
    /// Loss above this (or not finite) stops training as diverged.
    public var divergenceLoss: Double = 1e3
    /// Resume from `<output>/checkpoint.safetensors` when present.
    public var resume = true

    public init() {}

    /// β of epoch `epoch` (0-based).
    public func beta(epoch: Int) -> Float {
        if let w = reconstructionWeight { return w }
        return powf(10, -Float(epoch + 1))
    }

    func validate() throws {
        func bad(_ s: String) -> TrainingError { .invalidOption(s) }
        guard epochs >= 1 else { throw bad("epochs \(epochs) must be at least 1") }
        guard batchSize >= 1 else { throw bad("batch size \(batchSize) must be at least 1") }
        guard hardNegatives >= 0, negativePool >= hardNegatives else {
            throw bad("hard negatives \(hardNegatives) must be in 0...negative pool \(negativePool)")
        }
        guard learningRate > 0, headLearningRate > 0, learningRate.isFinite, headLearningRate.isFinite else {
            throw bad("learning rates must be positive")
        }
        guard (0...1).contains(warmupFraction) else { throw bad("warm-up fraction \(warmupFraction) outside 0...1") }
        guard maxQueryLength >= 3, maxPassageLength >= 3 else { throw bad("maximum lengths must be at least 3 tokens") }
        guard frozenLayers >= 0 else { throw bad("frozen layers \(frozenLayers) must be 0 or more") }
        guard checkpointEvery >= 1 else { throw bad("checkpoint interval must be at least 1 step") }
        if let m = maxSteps, m < 1 { throw bad("max steps \(m) must be at least 1") }
        if let w = reconstructionWeight, !(w >= 0 && w.isFinite) { throw bad("reconstruction weight \(w) must be ≥ 0") }
    }
}

/// Reported after every step.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var epoch: Int
    public var batch: Int
    public var batchesPerEpoch: Int
    public var loss: StepLoss
    public var gradientNorm: Double
    public var learningRate: Float
    /// Training queries per second since this process started training.
    public var examplesPerSecond: Double
    /// Token rows (queries + passages) per second of forward + backward.
    public var tokensPerSecond: Double
    public var secondsRemaining: Double
}

/// The end of a run.
public struct TrainingSummary: Sendable {
    public var state: TrainingState
    /// The best model directory (by dev MRR@10 when a dev evaluator was given, else the last).
    public var bestModel: URL
    public var lastModel: URL
    public var steps: Int
    public var seconds: Double
    public var examplesPerSecond: Double
    public var tokensPerSecond: Double
    /// Bytes held by parameters, gradients and AdamW moments.
    public var parameterBytes: Int
}
