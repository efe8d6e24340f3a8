import RuyiDaemon

do {
    let command = try RuyidCommand.parse()
    try await command.start()
} catch {
    RuyidCommand.exit(withError: error)
}
