// A serial executor on one OS thread of its own: for C libraries whose calls block (libcups, libusb).
import Glibc

/// A serial executor that runs every job on one OS thread of its own.
///
/// libcups keeps per-thread state (`cupsLastError`) and its calls block on the network; Swift's shared pool has only as
/// many threads as cores (2 on a till), so one stuck call there would freeze the till. An actor whose
/// `unownedExecutor` is this executor runs all of its code, and so every libcups call, on this thread (DESIGN.md).
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    // Guarded by `mutex`: the queue and the stop flag. The thread itself only touches them under the lock.
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var thread = pthread_t()
    public let name: String

    public init(name: String) {
        self.name = name
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        let box = Unmanaged.passRetained(self)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        let rc = pthread_create(&thread, &attr, { raw in
            let executor = Unmanaged<DedicatedThreadExecutor>.fromOpaque(raw!).takeRetainedValue()
            executor.loop()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attr)
        precondition(rc == 0, "cannot start the \(name) thread: pthread_create \(rc)")
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        jobs.append(unowned)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Lets the thread finish the jobs already queued, then end. Jobs enqueued later are never run.
    public func shutdown() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// True when called on this executor's thread.
    public var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }

    private func loop() {
        // Name the thread for `top -H` and stack dumps (pthread_setname_np needs _GNU_SOURCE; this is the same call).
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            let short = Array(name.utf8.prefix(15))
            _ = short.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            Glibc.close(fd)
        }
        while true {
            pthread_mutex_lock(&mutex)
            while head == jobs.count && !stopping { pthread_cond_wait(&condition, &mutex) }
            if head == jobs.count && stopping { pthread_mutex_unlock(&mutex); return }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count { jobs.removeFirst(head); head = 0 }
            pthread_mutex_unlock(&mutex)
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
    }
}
