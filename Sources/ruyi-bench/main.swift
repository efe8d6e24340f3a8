import RuyiBench

BenchCommand.main()
