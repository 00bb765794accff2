"""Pack the PyInstaller folder (dist/skyline/) into the archive handed to classrooms.

    python packaging/make_tarball.py [--dist DIST] [--out DIR]

Linux: DIST/skyline-<version>-linux-<machine>.tar.gz, one top folder skyline-<version>/ holding
the program (skyline, _internal/), INSTALL.txt (with the oldest glibc the build runs on filled
in), install-desktop.sh, skyline.desktop and skyline.png/svg; symbolic links stay links.
Windows: skyline-<version>-windows-<machine>.zip, the program folder and INSTALL.txt. macOS:
skyline-<version>-macos-<machine>.zip holding Skyline.app and INSTALL.txt, zipped by `ditto`.
Prints the archive's path.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"


def version() -> str:
    text = (ROOT / "simcore" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def platform_tag() -> str:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform,
                                                                          sys.platform)
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


GLIBC_SYMBOL = re.compile(rb"GLIBC_2\.(\d+)")


def glibc_needed(bundle: Path) -> str:
    """The newest glibc symbol version any program or library of the bundle asks for: the
    oldest glibc the archive runs on (it is the build machine's, see docs/packaging.md). Read
    from the version-requirement strings of the ELF files, so no binutils are needed."""
    newest = 0
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
            data = f.read()
        newest = max([newest, *(int(m) for m in GLIBC_SYMBOL.findall(data))])
    if newest == 0:
        raise SystemExit(f"make_tarball: no Linux program in {bundle}")
    return f"2.{newest}"


def install_text(ver: str, bundle: Path) -> bytes:
    """INSTALL.txt for this platform, with the version (and on Linux the glibc) filled in."""
    name = {"win32": "INSTALL-windows.txt", "darwin": "INSTALL-macos.txt"}.get(sys.platform,
                                                                               "INSTALL.txt")
    text = (PACKAGING / name).read_text(encoding="utf-8").replace("@VERSION@", ver)
    if "@GLIBC@" in text:
        text = text.replace("@GLIBC@", glibc_needed(bundle))
    return text.encode("utf-8")


def extras(ver: str, bundle: Path) -> dict[str, bytes | Path]:
    """Files added next to the program: archive name -> content or source file."""
    files: dict[str, bytes | Path] = {"INSTALL.txt": install_text(ver, bundle)}
    if sys.platform.startswith("linux"):
        files |= {
            "install-desktop.sh": PACKAGING / "install-desktop.sh",
            "skyline.desktop": RESOURCES / "skyline.desktop",
            "skyline.png": RESOURCES / "icons" / "skyline.png",
            "skyline.svg": RESOURCES / "icons" / "skyline.svg",
        }
    return files


def _add_bytes_tar(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def make_tar(bundle: Path, out: Path, top: str, ver: str) -> None:
    def owner_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=owner_root)  # links stay links
        for name, src in extras(ver, bundle).items():
            mode = 0o755 if name.endswith(".sh") else 0o644
            data = src if isinstance(src, bytes) else src.read_bytes()
            _add_bytes_tar(tar, f"{top}/{name}", data, mode)


def make_zip(bundle: Path, out: Path, top: str, ver: str) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, f"{top}/{path.relative_to(bundle)}")
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
        for name, src in extras(ver, bundle).items():
            z.writestr(f"{top}/{name}", src if isinstance(src, bytes) else src.read_bytes())


def make_macos_zip(app: Path, out: Path, top: str, ver: str) -> None:
    """skyline-<version>/ holding Skyline.app and INSTALL.txt, zipped by `ditto`, which keeps
    the bundle's symbolic links, extended attributes and code signature (zipfile would not)."""
    stage = out.parent / f".stage-{top}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        (stage / top).mkdir(parents=True)
        subprocess.run(["ditto", str(app), str(stage / top / app.name)], check=True)
        for name, src in extras(ver, app).items():
            data = src if isinstance(src, bytes) else src.read_bytes()
            (stage / top / name).write_bytes(data)
        out.unlink(missing_ok=True)
        subprocess.run(["ditto", "-c", "-k", "--sequesterRsrc", "--keepParent",
                        str(stage / top), str(out)], check=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", default="dist", help="PyInstaller's --distpath (default: dist)")
    p.add_argument("--out", help="where to write the archive (default: the --dist folder)")
    args = p.parse_args(argv)
    dist = Path(args.dist)
    app = dist / "Skyline.app"
    bundle = app if sys.platform == "darwin" and app.is_dir() else dist / "skyline"
    exe = bundle / ("skyline.exe" if sys.platform == "win32" else "skyline")
    if not (bundle.is_dir() and (exe.is_file() or bundle.suffix == ".app")):
        print(f"make_tarball: no built program in {bundle} (run PyInstaller first)",
              file=sys.stderr)
        return 2
    ver = version()
    out_dir = Path(args.out) if args.out else dist
    out_dir.mkdir(parents=True, exist_ok=True)
    top = f"skyline-{ver}"
    if sys.platform.startswith("linux"):
        out = out_dir / f"{top}-{platform_tag()}.tar.gz"
        make_tar(bundle, out, top, ver)
    elif bundle.suffix == ".app":
        out = out_dir / f"{top}-{platform_tag()}.zip"
        make_macos_zip(bundle, out, top, ver)
    else:
        out = out_dir / f"{top}-{platform_tag()}.zip"
        make_zip(bundle, out, top, ver)
    print(out)
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
