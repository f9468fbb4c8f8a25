"""One module per figure of bench/run_benchmark.py. Each `measure(...)` runs its measurement
through harness.Bench and appends its rows, raw figures and notes to table.Results; what one
figure hands another (the CPU per message, the +20 ms latency) is its return value, passed
on by run_benchmark.measure_all."""
