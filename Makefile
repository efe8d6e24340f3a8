# The two README commands. Both do their own set-up (scripts/setup.sh).
.PHONY: demo test bench

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/setup.sh
	swift build -c release --product ruyi-bench
	swift build -c release --product ruyid
	$$(swift build -c release --show-bin-path)/ruyi-bench
