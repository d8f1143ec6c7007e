"""xlwings' own Windows UDF path, run here without Excel.

`xlwings.udfs.call_udf` (what Excel's VBA wrapper calls), `xlwings._xlwindows` (how COM values are
cleaned: error codes, pywintypes times, blanks) and `xlwings.conversion` are imported for real; only
the pywin32 modules they import at the top are stand-ins, and nothing here talks to Excel. The values
handed in are what COM gives xlwings: 2-D tuples, None for blanks, floats, pywintypes-style datetimes,
and an error cell as its COM error code (-2146826246 is #N/A).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import importlib
import sys
import types
from unittest import mock

COM_ERRORS = {"#N/A": -2146826246, "#DIV/0!": -2146826281, "#VALUE!": -2146826273, "#REF!": -2146826265}
MISSING = -2147352572  # what VBA passes for an omitted Optional argument


class PyTime(dt.datetime):
    """pywintypes.TimeType: a datetime subclass with a timezone, as COM hands dates to Python."""


class _Permissive(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = mock.MagicMock(name=f"{self.__name__}.{name}")
        setattr(self, name, value)  # one stand-in per name, made once
        return value


def _stub_modules() -> dict[str, types.ModuleType]:
    class ComError(Exception):
        pass

    pywintypes = _Permissive("pywintypes")
    pywintypes.TimeType, pywintypes.com_error = PyTime, ComError
    pythoncom = _Permissive("pythoncom")
    pythoncom.com_error, pythoncom.__file__ = ComError, "pythoncom.dll"
    pythoncom.CoInitialize = lambda: None
    pythoncom.IID_IDispatch = "{00020400-0000-0000-C000-000000000046}"
    pythoncom.CoMarshalInterThreadInterfaceInStream = lambda iid, obj: obj  # ComRange's thread hand-over
    timezone = _Permissive("win32timezone")
    timezone.TimeZoneInfo = types.SimpleNamespace(utc=lambda: dt.timezone.utc)
    modules = {
        name: _Permissive(name)
        for name in (
            "win32api",
            "win32con",
            "win32gui",
            "win32process",
            "win32event",
            "win32com",
            "win32com.client",
            "win32com.server",
            "win32com.server.dispatcher",
            "win32com.server.policy",
            "win32com.server.util",
        )
    }
    client = modules["win32com.client"]
    for name in ("CDispatch", "CoClassBaseClass", "DispatchBaseClass"):
        setattr(client, name, type(name, (), {}))
    client.Dispatch = client.DispatchEx = lambda *a, **k: None
    modules["win32com"].client = client
    modules.update(pywintypes=pywintypes, pythoncom=pythoncom, win32timezone=timezone)
    return modules


class Caller:
    """Application.Caller as COM gives it: a Range whose Worksheet's Parent is the calling workbook."""

    def __init__(self, fullname: str, address: str = "$A$1"):
        book = types.SimpleNamespace(FullName=fullname, Name=fullname.replace("\\", "/").rsplit("/", 1)[-1])
        self.Worksheet = types.SimpleNamespace(Parent=book, Name="Sheet1")
        self.Address = address
        self.Row, self.Column = 1, 1
        self.Rows = self.Columns = types.SimpleNamespace(Count=1)
        self.CLSID = "{00020846-0000-0000-C000-000000000046}"


@contextlib.contextmanager
def windows_udfs():
    """Yields call(func_name, *args, caller) running xlwings' call_udf on addin.excel.udfs: the VBA
    wrapper passes Nothing in the caller's place and Application.Caller beside the arguments."""
    saved = {name: sys.modules.get(name) for name in _stub_modules()}
    patches = [mock.patch.object(ctypes, name, mock.MagicMock(), create=True) for name in ("windll", "oledll", "PyDLL")]
    leftovers = ("xlwings.udfs", "xlwings._xlwindows", "xlwings.com_server", "xlwings._win32patch")
    for name in leftovers:  # imported earlier against other stand-ins: import afresh
        sys.modules.pop(name, None)
    sys.modules.update(_stub_modules())
    for p in patches:
        p.start()
    import xlwings

    before = {name: getattr(xlwings, name, None) for name in ("func", "arg", "ret")}
    try:
        xlwindows = importlib.import_module("xlwings._xlwindows")
        xl_udfs = importlib.import_module("xlwings.udfs")
        engine = xlwings.main.Engine(impl=xlwindows.engine)
        xlwings.engines.add(engine)
        xlwings.func, xlwings.arg, xlwings.ret = xl_udfs.xlfunc, xl_udfs.xlarg, xl_udfs.xlret
        importlib.reload(importlib.import_module("addin.excel.udfs"))

        def call(name, *args):
            *values, caller = args
            return xl_udfs.call_udf("addin.excel.udfs", name, (*values, None), None, caller)

        yield call
    finally:
        for name, value in before.items():
            setattr(xlwings, name, value)
        if "excel" in xlwings.engines.engines_by_name:
            xlwings.engines.engines.remove(xlwings.engines.engines_by_name.pop("excel"))
        for name in leftovers:
            sys.modules.pop(name, None)
        for p in patches:
            p.stop()
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value
        importlib.reload(importlib.import_module("addin.excel.udfs"))
