"""Calls the Go `sum` export from Python: python call_sum.py sum.wasm  ->  24"""
import sys

import isthmus

lib = isthmus.load(sys.argv[1] if len(sys.argv) > 1 else "sum.wasm")
print(lib.sum(12, 12))
