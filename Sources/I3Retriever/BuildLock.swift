import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock (`flock`) that one index build holds on `<out>.lock` from start to publish, so that
/// two builds to the same output cannot delete each other's partial directory. The lock file is left in
/// place (removing it would race with a build waiting for it); the kernel drops the lock when the
/// process ends, however it ends.
final class BuildLock {
    let path: String
    private let fd: Int32

    /// Takes the lock for `output`, or throws `RetrieverError.outputExists` when another process holds it.
    init(output: URL) throws {
        path = output.path + ".lock"
        try IndexBuilder.createDirectory(output.deletingLastPathComponent())
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RetrieverError.io(path: path, reason: "cannot create the build lock: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another build of this index is running (it holds \(path)); wait for it to finish"
                : "cannot lock \(path): \(String(cString: strerror(errno)))"
            close(fd)
            throw RetrieverError.outputExists(path: output.path, reason: reason)
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
