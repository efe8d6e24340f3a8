import RuyiClient

RuyiCommand.main()
