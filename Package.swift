// swift-tools-version:6.1
import PackageDescription

// Swift 6 language mode and strict concurrency everywhere (tools 6.x default to language mode 6).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Ruyi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ruyi", targets: ["ruyi"]),
        .executable(name: "ruyi-bench", targets: ["ruyi-bench"]),
        .executable(name: "ruyid", targets: ["ruyid"]),
        .library(name: "RuyiCore", targets: ["RuyiCore"]),
        .library(name: "RuyiLedger", targets: ["RuyiLedger"]),
        .library(name: "RuyiReceipts", targets: ["RuyiReceipts"]),
        .library(name: "RuyiPrinting", targets: ["RuyiPrinting"]),
        .library(name: "RuyiScanning", targets: ["RuyiScanning"]),
        .library(name: "RuyiUSB", targets: ["RuyiUSB"]),
        .library(name: "RuyiTestKit", targets: ["RuyiTestKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Pure domain: money, quantities, products, barcodes, tax, the cart. No I/O, no C.
        .target(name: "RuyiCore", swiftSettings: strict),
        // The till ledger on SQLite (GRDB): append-only hash-chained entries, projections, outbox.
        .target(
            name: "RuyiLedger",
            dependencies: [
                "RuyiCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // ESC/POS receipt composition (pure bytes; GB18030 through glibc iconv) and the text preview.
        .target(name: "RuyiReceipts", dependencies: ["RuyiCore"], swiftSettings: strict),
        // libcups. Debian 12's libcups2-dev ships no cups.pc: the module map links "cups" itself.
        .systemLibrary(name: "CCUPS", providers: [.apt(["libcups2-dev"])]),
        // Printing through CUPS: the one actor that owns libcups (on its own thread), the durable print queue's worker,
        // printer state, and the spool-folder printer used when there is no CUPS.
        .target(name: "RuyiPrinting", dependencies: ["CCUPS", "RuyiSystem", "RuyiCore", "RuyiReceipts", "RuyiLedger"], swiftSettings: strict),
        // OS threads for blocking C calls (libcups, libusb): a SerialExecutor on a thread of its own.
        .target(name: "RuyiSystem", swiftSettings: strict),
        // libusb-1.0 (Debian's is built with udev: enumeration and hotplug; umockdev emulates both in tests).
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        // The Swift face of libusb: context and its event thread (a Service), hotplug, owned handles, transfers, LibUSBError.
        .target(
            name: "RuyiUSB",
            dependencies: [
                "CLibUSB", "RuyiSystem", "RuyiCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Scanner drivers: profiles and layouts from devices/, the keyboard, HID-POS and bulk decoders, the scan stream.
        .target(
            name: "RuyiScanning",
            dependencies: [
                "RuyiCore", "RuyiUSB", "RuyiSystem",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The local API's wire types, shared by the daemon and the client, and the string catalog people read.
        .target(name: "RuyiAPI", dependencies: ["RuyiCore"], swiftSettings: strict),
        // The composition root: configuration, state folder, the ServiceGroup, the till session, the API, sd_notify.
        .target(
            name: "RuyiDaemon",
            dependencies: [
                "RuyiCore", "RuyiLedger", "RuyiAPI", "RuyiScanning", "RuyiUSB", "RuyiPrinting", "RuyiReceipts", "RuyiSystem", "RuyiPayments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "ruyid", dependencies: ["RuyiDaemon"], swiftSettings: strict),
        // Test support shipped as a library: temp ledgers, a test clock, child-process helpers.
        .target(name: "RuyiTestKit", dependencies: ["RuyiCore", "RuyiLedger", "RuyiSystem"], swiftSettings: strict),
        // Code payments: the PaymentProvider protocol (face-to-face micropay: pay, "user paying", query, reverse, refund)
        // and the HTTP acquirer adapter the test acquirer speaks.
        .target(name: "RuyiPayments", dependencies: ["RuyiCore", "RuyiSystem"], swiftSettings: strict),
        // The `ruyi` client. Until the daemon exists it carries the offline admin commands (ledger verify).
        .target(
            name: "RuyiClient",
            dependencies: [
                "RuyiCore", "RuyiLedger", "RuyiScanning", "RuyiUSB", "RuyiAPI", "RuyiSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // Benchmarks (release build): each figure beside a baseline measured in the same run.
        .target(
            name: "RuyiBench",
            dependencies: [
                "RuyiCore", "RuyiLedger", "RuyiReceipts", "RuyiScanning", "RuyiClient", "RuyiSystem", "RuyiTestKit",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "ruyi", dependencies: ["RuyiClient"], swiftSettings: strict),
        .executableTarget(name: "ruyi-bench", dependencies: ["RuyiBench"], swiftSettings: strict),
        // Child process for the crash test: commits sales in a loop and prints each id once durable.
        .executableTarget(name: "ruyi-ledger-child", dependencies: ["RuyiLedger", "RuyiTestKit"], swiftSettings: strict),
        // Child process for the print crash test: prints owed receipts and SIGKILLs itself at a fault point.
        .executableTarget(name: "ruyi-print-child", dependencies: ["RuyiPrinting", "RuyiTestKit"], swiftSettings: strict),
        .testTarget(name: "RuyiCoreTests", dependencies: ["RuyiCore"], swiftSettings: strict),
        .testTarget(name: "RuyiDaemonTests", dependencies: ["RuyiDaemon", "RuyiAPI", "RuyiTestKit", "RuyiLedger", "RuyiClient", "RuyiSystem", "RuyiPrinting", "RuyiReceipts", "RuyiCore"], swiftSettings: strict),
        .testTarget(name: "RuyiUSBTests", dependencies: ["RuyiUSB", "RuyiScanning", "RuyiTestKit", "RuyiLedger", "RuyiClient"], swiftSettings: strict),
        .testTarget(name: "RuyiScanningTests", dependencies: ["RuyiScanning", "RuyiCore", "RuyiUSB"], swiftSettings: strict),
        .testTarget(name: "RuyiReceiptsTests", dependencies: ["RuyiReceipts", "RuyiCore"], swiftSettings: strict),
        .testTarget(name: "RuyiPrintingTests", dependencies: ["RuyiPrinting", "RuyiReceipts", "RuyiLedger", "RuyiTestKit"], swiftSettings: strict),
        .testTarget(
            name: "RuyiLedgerTests",
            dependencies: ["RuyiLedger", "RuyiTestKit", "RuyiClient"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
