import CLibUSB
import Glibc

/// What an IN endpoint delivered.
public enum USBInEvent: Sendable {
    /// One completed transfer (one HID report, or one bulk chunk), stamped with monotonic ns on arrival.
    case data([UInt8], time: UInt64)
    /// No data within the read timeout; reading goes on.
    case timedOut(time: UInt64)
    /// Reading ended: the device went away (`noDevice`), the endpoint stalled (`pipe`), it was cancelled
    /// (`interrupted`), or another error. Nothing follows.
    case ended(LibUSBError)
}

/// An IN endpoint read continuously with one asynchronous libusb transfer that its completion callback resubmits.
///
/// `@unchecked Sendable`: the transfer and buffer are touched by libusb's event thread (callback) and by `cancel()`
/// (libusb_cancel_transfer is thread-safe); `stopping` and `dropped` are guarded by `mutex`.
public final class USBInReader: @unchecked Sendable {
    public let events: AsyncStream<USBInEvent>
    let continuation: AsyncStream<USBInEvent>.Continuation
    let transfer: UnsafeMutablePointer<libusb_transfer>
    let buffer: UnsafeMutablePointer<UInt8>
    let length: Int
    let call: String
    private var mutex = pthread_mutex_t()
    private var stopping = false
    private var finished = false
    private var droppedCount = 0

    init(handle: OpaquePointer, endpoint: USBEndpoint, length: Int, timeoutMS: UInt32) throws(LibUSBError) {
        guard let t = libusb_alloc_transfer(0) else { throw LibUSBError(code: -11, call: "libusb_alloc_transfer") }
        transfer = t
        self.length = length
        buffer = .allocate(capacity: length)
        call = endpoint.isBulk ? "bulk IN 0x\(String(endpoint.address, radix: 16))" : "interrupt IN 0x\(String(endpoint.address, radix: 16))"
        // Bounded: a flooding device cannot grow memory without limit; what does not fit is counted.
        (events, continuation) = AsyncStream<USBInEvent>.makeStream(bufferingPolicy: .bufferingOldest(4096))
        pthread_mutex_init(&mutex, nil)
        t.pointee.dev_handle = handle
        t.pointee.endpoint = endpoint.address
        t.pointee.type = UInt8(endpoint.isBulk ? LIBUSB_TRANSFER_TYPE_BULK.rawValue : LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue)
        t.pointee.timeout = timeoutMS
        t.pointee.buffer = buffer
        t.pointee.length = Int32(length)
        t.pointee.callback = { t in
            guard let t, let user = t.pointee.user_data else { return }
            Unmanaged<USBInReader>.fromOpaque(user).takeUnretainedValue().completed(t)
        }
        // The callback's reference: released when the stream ends.
        t.pointee.user_data = Unmanaged.passRetained(self).toOpaque()
        let rc = libusb_submit_transfer(t)
        if rc < 0 {
            Unmanaged<USBInReader>.fromOpaque(t.pointee.user_data).release()
            continuation.finish()
            throw LibUSBError(code: rc, call: "libusb_submit_transfer (\(call))")
        }
    }

    deinit {
        libusb_free_transfer(transfer)
        buffer.deallocate()
        pthread_mutex_destroy(&mutex)
    }

    /// Reports the device sent that did not fit the buffer of undelivered events.
    public var dropped: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return droppedCount
    }

    /// Stops reading: the stream ends with `interrupted` once libusb has cancelled the transfer.
    public func cancel() {
        pthread_mutex_lock(&mutex)
        let wasFinished = finished
        stopping = true
        pthread_mutex_unlock(&mutex)
        if !wasFinished { _ = libusb_cancel_transfer(transfer) }
    }

    // On libusb's event thread. libusb_close and synchronous calls are forbidden here.
    private func completed(_ t: UnsafeMutablePointer<libusb_transfer>) {
        let now = monotonicNanoseconds()
        pthread_mutex_lock(&mutex)
        let stop = stopping
        pthread_mutex_unlock(&mutex)
        let status = t.pointee.status
        var end: LibUSBError?
        switch status {
        case LIBUSB_TRANSFER_COMPLETED:
            let n = Int(t.pointee.actual_length)
            if case .dropped = continuation.yield(.data(Array(UnsafeBufferPointer(start: buffer, count: n)), time: now)) { countDrop() }
        case LIBUSB_TRANSFER_TIMED_OUT:
            if case .dropped = continuation.yield(.timedOut(time: now)) { countDrop() }
        default:
            end = LibUSBError.transferStatus(status, call: call)
        }
        if end == nil {
            if stop {
                end = LibUSBError(code: -10, call: call)
            } else {
                let rc = libusb_submit_transfer(t)
                if rc < 0 { end = LibUSBError(code: rc, call: "libusb_submit_transfer (\(call))") }
            }
        }
        guard let end else { return }
        pthread_mutex_lock(&mutex)
        finished = true
        pthread_mutex_unlock(&mutex)
        continuation.yield(.ended(end))
        continuation.finish()
        Unmanaged<USBInReader>.fromOpaque(t.pointee.user_data).release()
    }

    private func countDrop() {
        pthread_mutex_lock(&mutex)
        droppedCount += 1
        pthread_mutex_unlock(&mutex)
    }
}
