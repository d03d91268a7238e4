// movierec-bench: kernel benchmarks (under construction).
print("movierec-bench: no kernels yet")
