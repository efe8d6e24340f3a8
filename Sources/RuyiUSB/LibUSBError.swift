import CLibUSB

/// A libusb failure: the `LIBUSB_ERROR_*` (or transfer status) it came from and the call that returned it.
///
/// A struct with static members rather than a closed enum (like swift-system's `Errno`): libusb may add codes.
public struct LibUSBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The libusb return code (negative).
    public var code: Int32
    /// The libusb function that failed, e.g. `libusb_claim_interface`.
    public var call: String

    public init(code: Int32, call: String = "") {
        self.code = code
        self.call = call
    }

    /// `LIBUSB_ERROR_IO`: input/output error.
    public static let io = LibUSBError(code: -1)
    /// `LIBUSB_ERROR_INVALID_PARAM`
    public static let invalidParameter = LibUSBError(code: -2)
    /// `LIBUSB_ERROR_ACCESS`: no permission (udev rules missing, or not in group `ruyi`).
    public static let access = LibUSBError(code: -3)
    /// `LIBUSB_ERROR_NO_DEVICE`: unplugged.
    public static let noDevice = LibUSBError(code: -4)
    /// `LIBUSB_ERROR_NOT_FOUND`
    public static let notFound = LibUSBError(code: -5)
    /// `LIBUSB_ERROR_BUSY`: another program (or the kernel) holds the interface.
    public static let busy = LibUSBError(code: -6)
    /// `LIBUSB_ERROR_TIMEOUT`
    public static let timeout = LibUSBError(code: -7)
    /// `LIBUSB_ERROR_OVERFLOW`: the device sent more than asked for.
    public static let overflow = LibUSBError(code: -8)
    /// `LIBUSB_ERROR_PIPE`: the endpoint stalled.
    public static let pipe = LibUSBError(code: -9)
    /// `LIBUSB_ERROR_INTERRUPTED`
    public static let interrupted = LibUSBError(code: -10)
    /// `LIBUSB_ERROR_NO_MEM`
    public static let noMemory = LibUSBError(code: -11)
    /// `LIBUSB_ERROR_NOT_SUPPORTED`
    public static let notSupported = LibUSBError(code: -12)
    /// `LIBUSB_ERROR_OTHER`
    public static let other = LibUSBError(code: -99)

    /// Same kind of failure, whatever call produced it.
    public func `is`(_ other: LibUSBError) -> Bool { code == other.code }

    /// `LIBUSB_ERROR_BUSY`, as libusb names it.
    public var name: String { String(cString: libusb_error_name(code)) }

    public var description: String {
        let what: String
        switch code {
        case -3: what = "no permission to open the device (is the udev rule installed and ruyid in group ruyi?)"
        case -4: what = "the device is gone (unplugged)"
        case -6: what = "the device is in use by another program or driver"
        case -7: what = "the device did not answer in time"
        case -9: what = "the device refused the request (endpoint stalled)"
        case -8: what = "the device sent more data than expected"
        default: what = String(cString: libusb_strerror(code))
        }
        return (call.isEmpty ? "" : "\(call): ") + "\(name): \(what)"
    }

    /// The error a finished transfer's status stands for; nil for `LIBUSB_TRANSFER_COMPLETED`.
    public static func transferStatus(_ status: libusb_transfer_status, call: String) -> LibUSBError? {
        switch status {
        case LIBUSB_TRANSFER_COMPLETED: return nil
        case LIBUSB_TRANSFER_TIMED_OUT: return LibUSBError(code: -7, call: call)
        case LIBUSB_TRANSFER_STALL: return LibUSBError(code: -9, call: call)
        case LIBUSB_TRANSFER_NO_DEVICE: return LibUSBError(code: -4, call: call)
        case LIBUSB_TRANSFER_OVERFLOW: return LibUSBError(code: -8, call: call)
        case LIBUSB_TRANSFER_CANCELLED: return LibUSBError(code: -10, call: call)
        default: return LibUSBError(code: -1, call: call)
        }
    }
}

/// The one boundary every libusb call with a return code goes through: negative codes become `LibUSBError`.
@discardableResult
@inline(__always)
func libusb(_ call: String, _ rc: Int32) throws(LibUSBError) -> Int32 {
    if rc < 0 { throw LibUSBError(code: rc, call: call) }
    return rc
}
