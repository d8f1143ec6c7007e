"""Identity worksheet functions for benchmarks/bench_udfs.py: xlwings' own cost of a call.

`ID<n>` takes n arguments with the options backoffice's functions use (addin.excel.udfs.ARG_OPTIONS,
RET_OPTIONS) and the caller, and returns its first argument untouched: what call_udf, the argument
conversion and the result conversion cost before any of backoffice's code runs. Imported by xlwings'
call_udf (as a UDF module) inside tests.xlwings_windows.windows_udfs, so the decorators are xlwings' own.
"""

import xlwings as xw

from addin.excel.udfs import ARG_OPTIONS, RET_OPTIONS


def _identity(n: int):
    names = [f"a{i}" for i in range(n)]
    scope: dict = {}
    exec(f"def ID{n}({', '.join(names)}, caller=None):\n    return a0\n", scope)  # a real signature for xlwings
    fn = scope[f"ID{n}"]
    for name in names:
        fn = xw.arg(name, **ARG_OPTIONS)(fn)
    return xw.func(xw.ret(**RET_OPTIONS)(fn))


for _n in range(1, 11):
    globals()[f"ID{_n}"] = _identity(_n)
