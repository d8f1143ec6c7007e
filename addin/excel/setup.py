"""Per-user Excel settings: `backoffice excel setup` and `backoffice excel check`.

Nothing about a PC goes into a workbook. Setup writes this user's config files for *this* venv and
installs the two add-ins with the venv's own xlwings (pinned exact, so its add-in matches):
- backoffice.conf, read by the backoffice add-in (xlwings' custom add-in code, PROJECT_NAME "backoffice"):
  Windows %USERPROFILE%\\.backoffice\\backoffice.conf, macOS ~/Library/Containers/com.microsoft.Excel/Data/;
- xlwings.conf, read by the xlwings add-in: Windows %USERPROFILE%\\.xlwings\\, macOS the same container.
Only keys with a value are written: an empty key would shadow a later source in xlwings' lookup.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from addin import resources
from addin.outputs.atomic import write_text
from addin.workbook.xlwings_conf import UDF_MODULE

ADDIN_NAME = "backoffice"
MAC_CONTAINER = Path("~/Library/Containers/com.microsoft.Excel/Data").expanduser()


@dataclass
class Finding:
    ok: bool
    message_ja: str
    message_en: str


def conf_paths(platform: str = sys.platform, home: Path | None = None) -> dict[str, Path]:
    """Where each add-in reads this user's config (the paths xlwings' VBA GetConfigFilePath builds)."""
    home = Path(home or Path.home())
    if platform == "darwin":
        base = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
        return {"backoffice": base / f"{ADDIN_NAME}.conf", "xlwings": base / "xlwings.conf"}
    return {"backoffice": home / f".{ADDIN_NAME}" / f"{ADDIN_NAME}.conf", "xlwings": home / ".xlwings" / "xlwings.conf"}


def conf_text(interpreter: str | None = None, platform: str = sys.platform) -> str:
    interpreter = interpreter or sys.executable
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    rows = [(key, interpreter), ("UDF MODULES", UDF_MODULE)]
    return "".join(f'"{k}","{v}"\n' for k, v in rows if v)


def read_conf(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [p.strip().strip('"') for p in line.split('","', 1)]
        if len(parts) == 2:
            values[parts[0].upper()] = parts[1]
    return values


def _xlwings_command() -> list[str]:
    """This venv's xlwings, never whatever is first on PATH."""
    script = Path(sys.executable).with_name("xlwings.exe" if os.name == "nt" else "xlwings")
    return [str(script)]


def setup_excel(home: Path | None = None, platform: str = sys.platform, install_addins: bool = True) -> str:
    lines = []
    for path in conf_paths(platform, home).values():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, conf_text(platform=platform))
        lines.append(f"設定を書きました / wrote {path}")
    addin = resources.addin_file()
    if install_addins and platform in ("win32", "darwin"):
        for args in (["addin", "install"], ["addin", "install", "--file", str(addin)]):
            done = subprocess.run(_xlwings_command() + args, capture_output=True, text=True)
            what = "xlwings アドイン" if "--file" not in args else "backoffice アドイン"
            lines.append(
                f"{what}: "
                + (
                    "インストールしました / installed"
                    if done.returncode == 0
                    else f"失敗しました / failed: {done.stderr.strip() or done.stdout.strip()}"
                )
            )
    else:
        lines.append(
            "このPCには Excel がありません。Excel のある Windows / macOS で同じコマンドを実行してください / "
            f"no Excel here: run this on the Windows or macOS PC (add-in: {addin})"
        )
    lines.append("次に `backoffice excel check` で確認してください / then run `backoffice excel check`")
    return "\n".join(lines)


def diagnose(home: Path | None = None, platform: str = sys.platform) -> list[Finding]:
    import xlwings

    from addin.excel.build_addin import XLWINGS_VERSION

    found = [
        Finding(
            platform in ("win32", "darwin"),
            "Excel を使える OS です"
            if platform in ("win32", "darwin")
            else "この OS では Excel を使えません（Windows か macOS で実行してください）",
            f"platform {platform}",
        )
    ]
    found.append(
        Finding(
            xlwings.__version__ == XLWINGS_VERSION,
            f"xlwings {xlwings.__version__}（アドインは {XLWINGS_VERSION} 用）",
            f"xlwings {xlwings.__version__}, add-in built for {XLWINGS_VERSION}",
        )
    )
    for name, path in conf_paths(platform, home).items():
        if not path.exists():
            found.append(
                Finding(
                    False,
                    f"{name} の設定がありません: {path}（`backoffice excel setup` を実行）",
                    f"no {name} config at {path}",
                )
            )
            continue
        conf = read_conf(path)
        key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
        interpreter = conf.get(key, "")
        if not interpreter or not Path(interpreter).exists():
            found.append(
                Finding(
                    False,
                    f"{path} の Python が見つかりません: {interpreter or '（空）'}",
                    f"{path}: interpreter missing: {interpreter!r}",
                )
            )
        elif Path(interpreter) != Path(sys.executable):
            found.append(
                Finding(
                    False,
                    f"{path} は別の Python を指しています: {interpreter}"
                    f"（この環境は {sys.executable}。`backoffice excel setup` を実行）",
                    f"{path} points at another interpreter",
                )
            )
        else:
            found.append(Finding(True, f"{name} の設定は正しいです: {path}", f"{name} config ok"))
    return found


def check_report(findings: list[Finding]) -> tuple[str, int]:
    bad = [f for f in findings if not f.ok]
    lines = [("OK  " if f.ok else "NG  ") + f.message_ja for f in findings]
    lines.append("問題はありません / all good" if not bad else f"問題が {len(bad)} 件あります / {len(bad)} problem(s)")
    return "\n".join(lines), 0 if not bad else 1
