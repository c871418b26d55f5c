#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's message for `errno`.
func systemReason(_ code: Int32 = errno) -> String {
    String(cString: strerror(code)) + " (errno \(code))"
}

/// An owned POSIX file descriptor, closed when the value is dropped. All shard I/O goes through it.
/// `pread` makes concurrent positional reads from many threads safe.
final class FileDescriptor: @unchecked Sendable {
    let fd: Int32
    /// The path, for error messages.
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens a directory (to pin its inode and open files relative to it).
    static func openDirectory(_ path: String) throws -> FileDescriptor {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw ShardStoreError.missingManifest(path: path) }
            throw ShardStoreError.io(path: path, operation: "open directory", reason: systemReason(e))
        }
        return FileDescriptor(fd: fd, path: path)
    }

    /// Opens `name` inside the directory `directory` for reading; nil when it does not exist.
    static func openRead(in directory: FileDescriptor, name: String) throws -> FileDescriptor? {
        let path = directory.path + "/" + name
        let fd = openat(directory.fd, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { return nil }
            throw ShardStoreError.io(path: path, operation: "open", reason: systemReason(e))
        }
        return FileDescriptor(fd: fd, path: path)
    }

    /// Creates (truncating) `path` for writing.
    static func create(_ path: String) throws -> FileDescriptor {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ShardStoreError.io(path: path, operation: "create", reason: systemReason()) }
        return FileDescriptor(fd: fd, path: path)
    }

    /// File size in bytes.
    func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ShardStoreError.io(path: path, operation: "stat", reason: systemReason()) }
        return Int(st.st_size)
    }

    /// Device and inode, to tell whether a path still names the same directory.
    func identity() throws -> (UInt64, UInt64) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ShardStoreError.io(path: path, operation: "stat", reason: systemReason()) }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (fewer only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ShardStoreError.io(path: path, operation: "read", reason: systemReason())
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset`, or throws `truncatedFrame`.
    func readExactly(_ count: Int, at offset: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let got = try out.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        guard got == count else {
            throw ShardStoreError.truncatedFrame(path: path, expectedBytes: offset + count, actualBytes: offset + got)
        }
        return out
    }

    /// Writes all of `bytes` at the current position.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, base + done, bytes.count - done)
            #else
            let n = Darwin.write(fd, base + done, bytes.count - done)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw ShardStoreError.io(path: path, operation: "write", reason: systemReason())
            }
            done += n
        }
    }

    /// Flushes the file's data and metadata to stable storage.
    func sync() throws {
        guard fsync(fd) == 0 else { throw ShardStoreError.io(path: path, operation: "fsync", reason: systemReason()) }
    }
}

/// Small filesystem operations used by commit and recovery, with errors naming the path.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else {
            throw ShardStoreError.io(path: path, operation: "mkdir", reason: systemReason())
        }
    }

    /// fsync of a directory, so that renames and new entries in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ShardStoreError.io(path: path, operation: "open directory", reason: systemReason()) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ShardStoreError.io(path: path, operation: "fsync directory", reason: systemReason()) }
    }

    static func rename(_ from: String, _ to: String) throws {
        #if canImport(Glibc)
        let rc = Glibc.rename(from, to)
        #else
        let rc = Darwin.rename(from, to)
        #endif
        guard rc == 0 else { throw ShardStoreError.io(path: from, operation: "rename to \(to)", reason: systemReason()) }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// Linux `renameat2(RENAME_EXCHANGE)`: swaps two existing paths atomically. Returns false when the
    /// system or file system does not support it (the caller falls back to two renames).
    static func exchange(_ a: String, _ b: String) throws -> Bool {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2  // RENAME_EXCHANGE from <linux/fs.h>
        if renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 { return true }
        let e = errno
        if e == EINVAL || e == ENOSYS || e == ENOTSUP || e == EOPNOTSUPP { return false }
        throw ShardStoreError.io(path: a, operation: "exchange with \(b)", reason: systemReason(e))
        #else
        return false
        #endif
    }

    /// Removes a directory tree (best effort is not enough: errors are reported).
    static func removeTree(_ path: String) throws {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return }
            if unlink(path) == 0 { return }
            throw ShardStoreError.io(path: path, operation: "remove", reason: systemReason())
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let child = path + "/" + name
            if isDirectory(child) && !isSymlink(child) {
                try removeTree(child)
            } else if unlink(child) != 0 && errno != ENOENT {
                throw ShardStoreError.io(path: child, operation: "unlink", reason: systemReason())
            }
        }
        guard rmdir(path) == 0 || errno == ENOENT else {
            throw ShardStoreError.io(path: path, operation: "rmdir", reason: systemReason())
        }
    }

    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// Names of the entries of a directory (without "." and "..").
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw ShardStoreError.io(path: path, operation: "list directory", reason: systemReason())
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// True when a process with this id exists (EPERM still means it exists).
    static func processIsAlive(_ pid: Int32) -> Bool {
        if pid <= 0 { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
