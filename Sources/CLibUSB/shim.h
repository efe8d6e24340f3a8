#ifndef CLIBUSB_SHIM_H
#define CLIBUSB_SHIM_H
#include <libusb.h>

// libusb_set_option is variadic, which Swift cannot call: one wrapper per option we use.
static inline int CLibUSB_set_log_level(libusb_context *ctx, int level) {
    return libusb_set_option(ctx, LIBUSB_OPTION_LOG_LEVEL, level);
}

// The callback types as Swift sees them, so Swift closures can be passed as C function pointers.
typedef void (*CLibUSB_transfer_cb)(struct libusb_transfer *transfer);
#endif
