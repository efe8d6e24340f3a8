// Placeholder until the ledger benchmark lands in this next slice.
print("ruyi-bench: no benchmarks yet")
