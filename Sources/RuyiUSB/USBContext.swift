import CLibUSB
import Glibc
import Logging
import ServiceLifecycle

/// Owns one libusb context. Its event handling — what completes transfers and delivers hotplug events — runs on a
/// thread of its own while `run()` runs (never on Swift's shared pool: libusb blocks in `poll`).
///
/// `@unchecked Sendable`: `raw` never changes and libusb contexts are thread-safe; the mutable state (`stopping`,
/// `running`) is guarded by `mutex`.
public final class USBContext: Service, @unchecked Sendable {
    let raw: OpaquePointer
    private var mutex = pthread_mutex_t()
    private var stopping = false
    private var running = false
    let logger: Logger

    /// `libusb_init`. Works on a machine without USB (it lists no devices).
    public init(logger: Logger = Logger(label: "ruyi.usb")) throws(LibUSBError) {
        var ctx: OpaquePointer?
        try libusb("libusb_init", libusb_init(&ctx))
        guard let ctx else { throw LibUSBError(code: -99, call: "libusb_init") }
        raw = ctx
        self.logger = logger
        pthread_mutex_init(&mutex, nil)
        _ = CLibUSB_set_log_level(ctx, Int32(LIBUSB_LOG_LEVEL_NONE.rawValue))
    }

    deinit {
        libusb_exit(raw)
        pthread_mutex_destroy(&mutex)
    }

    /// Whether libusb can report devices arriving and leaving (Debian's libusb does, through udev).
    public var hasHotplug: Bool { libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 }

    /// Runs libusb's event handling on its own thread until graceful shutdown or cancellation.
    public func run() async throws {
        pthread_mutex_lock(&mutex)
        let already = running
        running = true
        stopping = false
        pthread_mutex_unlock(&mutex)
        guard !already else { return }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    self.startEventThread { done.resume() }
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        pthread_mutex_lock(&mutex)
        running = false
        pthread_mutex_unlock(&mutex)
    }

    /// Ends the event thread (it finishes the round it is in, at most 100 ms).
    public func stop() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_mutex_unlock(&mutex)
        libusb_interrupt_event_handler(raw)
    }

    private var shouldStop: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stopping
    }

    private func startEventThread(_ finished: @escaping @Sendable () -> Void) {
        final class Start { let context: USBContext; let finished: @Sendable () -> Void
            init(_ c: USBContext, _ f: @escaping @Sendable () -> Void) { context = c; finished = f } }
        let box = Unmanaged.passRetained(Start(self, finished)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            if fd >= 0 { _ = "usb-events".withCString { write(fd, $0, 10) }; close(fd) }
            start.context.eventLoop()
            start.finished()
            return nil
        }, box)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<AnyObject>.fromOpaque(box).release()
            logger.critical("cannot start the USB event thread: pthread_create \(rc)")
            finished()
        }
    }

    private func eventLoop() {
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        while !shouldStop {
            let rc = libusb_handle_events_timeout_completed(raw, &tv, nil)
            if rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED.rawValue && rc != LIBUSB_ERROR_TIMEOUT.rawValue {
                logger.error("libusb event handling failed", metadata: ["error": "\(LibUSBError(code: rc, call: "libusb_handle_events"))"])
                usleep(50_000) // never spin on a persistent error
            }
        }
    }

    /// The devices plugged in now.
    public func devices() throws(LibUSBError) -> [USBDevice] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = try libusb("libusb_get_device_list", Int32(truncatingIfNeeded: libusb_get_device_list(raw, &list)))
        defer { libusb_free_device_list(list, 1) }
        var devices: [USBDevice] = []
        for i in 0..<Int(n) { if let d = list?[i] { devices.append(USBDevice(raw: d, context: self)) } }
        return devices
    }

    /// Devices arriving and leaving, starting with those already plugged in (as arrivals). Needs `run()` running.
    /// Ending the iteration deregisters the callback.
    public func hotplugEvents() throws(LibUSBError) -> AsyncStream<HotplugEvent> {
        let (stream, continuation) = AsyncStream<HotplugEvent>.makeStream(bufferingPolicy: .unbounded)
        let box = HotplugBox(context: self, continuation: continuation)
        let opaque = Unmanaged.passRetained(box).toOpaque()
        var handle: libusb_hotplug_callback_handle = 0
        let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
        let rc = libusb_hotplug_register_callback(raw, events, Int32(LIBUSB_HOTPLUG_ENUMERATE.rawValue),
                                                  LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                                  { _, device, event, userData in
            // libusb's event thread (or the registering thread, for ENUMERATE). No synchronous libusb call here.
            let box = Unmanaged<HotplugBox>.fromOpaque(userData!).takeUnretainedValue()
            guard let device else { return 0 }
            let d = USBDevice(raw: device, context: box.context)
            box.continuation.yield(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? .arrived(d) : .left(d))
            return 0
        }, opaque, &handle)
        if rc < 0 {
            Unmanaged<HotplugBox>.fromOpaque(opaque).release()
            continuation.finish()
            throw LibUSBError(code: rc, call: "libusb_hotplug_register_callback")
        }
        let registration = handle
        continuation.onTermination = { _ in
            libusb_hotplug_deregister_callback(box.context.raw, registration)
            Unmanaged.passUnretained(box).release() // the callback's reference, taken above
        }
        return stream
    }
}

final class HotplugBox: @unchecked Sendable {
    // Immutable after init; the continuation is thread-safe.
    let context: USBContext
    let continuation: AsyncStream<HotplugEvent>.Continuation
    init(context: USBContext, continuation: AsyncStream<HotplugEvent>.Continuation) {
        self.context = context
        self.continuation = continuation
    }
}

public enum HotplugEvent: Sendable {
    case arrived(USBDevice)
    case left(USBDevice)
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC), the time base of reports and scans.
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
