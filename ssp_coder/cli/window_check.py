"""Can the coding window open here? Asked before Qt is started, because Qt cannot say so itself.

When no platform plugin of Qt's can start (a system library missing, no
display answering), Qt prints a warning and calls abort(): the process dies
with no chance to explain. On Linux this module does beforehand what Qt will
do: it loads the platform plugin Qt will pick (which loads every library the
plugin needs, as Qt would) and, for X11, connects to the display. What is
missing becomes one message naming the packages to install. Nothing here
imports Qt; elsewhere Qt's platform plugins do not depend on extra system
libraries, so there is nothing to check.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Mapping

# Libraries Qt's xcb and wayland plugins load, and the packages that hold them:
# (shared library, Debian/Ubuntu package, Fedora package). The same list as .ci/run's apt-get line.
SYSTEM_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    ("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    ("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    ("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    ("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    ("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    ("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    ("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    ("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    ("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    ("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    ("libxcb.so.1", "libxcb1", "libxcb"),
    ("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    ("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    ("libEGL.so.1", "libegl1", "libglvnd-egl"),
    ("libGL.so.1", "libgl1", "libglvnd-glx"),
    ("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    ("libfreetype.so.6", "libfreetype6", "freetype"),
    ("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
    ("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
    ("libwayland-client.so.0", "libwayland-client0", "libwayland-client"),
    ("libwayland-cursor.so.0", "libwayland-cursor0", "libwayland-cursor"),
)
# Platforms that draw into memory or a framebuffer: no display server to reach.
NO_SERVER = ("offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay")
NO_DISPLAY = ("No display is available here, so the window cannot open. On a desktop, run ssp-coder from a "
              "graphical session; on a server, use the command-line tools (see 'ssp-coder --help').")
_LIBRARY = re.compile(r"([\w.+-]+\.so(?:\.\d+)*)")


def display_available(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a window can be shown here at all (an offscreen platform counts, for tests)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if platform.startswith("linux"):
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def window_problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """Why the coding window cannot open here (a message saying what to do), or None when it can."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not display_available(env, platform):
        return NO_DISPLAY
    if not platform.startswith("linux"):
        return None
    folders = plugin_folders(env)
    if not folders:
        return None   # Qt's plugins are somewhere this module does not know: let Qt try
    problems = [platform_problem(name, folders, env) for name in requested_platforms(env)]
    if any(p is None for p in problems):
        return None   # Qt tries the platforms in turn: one that works is enough
    return problems[0]


def requested_platforms(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (as QGuiApplication picks them)."""
    asked = env.get("QT_QPA_PLATFORM", "")
    if asked:
        return [name.split(":")[0] for name in asked.split(";") if name.split(":")[0]]
    if env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def plugin_folders(env: Mapping[str, str]) -> list[Path]:
    """Folders holding Qt's platform plugins, in the order Qt searches them."""
    found = [Path(p) for p in env.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    found += [Path(p) / "platforms" for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        base = Path(spec.origin).parent
        found += [base / "Qt" / "plugins" / "platforms", base / "plugins" / "platforms"]
    return [f for f in found if f.is_dir()]


def platform_problem(name: str, folders: list[Path], env: Mapping[str, str]) -> str | None:
    plugin = next((f / f"libq{name}.so" for f in folders if (f / f"libq{name}.so").is_file()), None)
    if plugin is None:
        available = sorted({p.name[4:-3] for f in folders for p in f.glob("libq*.so")})
        return (f"Qt has no platform plugin called {name!r} (QT_QPA_PLATFORM={env.get('QT_QPA_PLATFORM', '')!r}), "
                f"so the window cannot open. Available: {', '.join(available)}. Unset QT_QPA_PLATFORM, or set "
                "it to one of these.")
    try:
        ctypes.CDLL(str(plugin))   # loads every library the plugin needs, exactly as Qt would
    except OSError as exc:
        return missing_libraries_message(name, str(exc))
    if name == "xcb":
        return x11_problem(env)
    if name.startswith("wayland"):
        return wayland_problem(env)
    return None


def _used_by(platform_name: str, soname: str) -> bool:
    if platform_name.startswith("wayland"):
        return not soname.startswith(("libxcb", "libX11-xcb", "libxkbcommon-x11"))
    return not soname.startswith("libwayland")


def missing_libraries(platform_name: str, error: str) -> list[str]:
    """The library the loader named, and every other library of the plugin's that cannot be loaded either."""
    named = [Path(m).name for m in _LIBRARY.findall(error)[:1]]
    others = []
    for soname, _, _ in SYSTEM_LIBRARIES:
        if not _used_by(platform_name, soname):
            continue
        try:
            ctypes.CDLL(soname)
        except OSError:
            others.append(soname)
    return list(dict.fromkeys(named + others))


def missing_libraries_message(platform_name: str, error: str) -> str:
    missing = missing_libraries(platform_name, error)
    known = {soname: (deb, fedora) for soname, deb, fedora in SYSTEM_LIBRARIES}
    debian = list(dict.fromkeys(known[m][0] for m in missing if m in known))
    fedora = list(dict.fromkeys(known[m][1] for m in missing if m in known))
    unknown = [m for m in missing if m not in known]
    lines = [f"The coding window cannot open: Qt's {platform_name} platform plugin needs system libraries that "
             f"are not installed here ({', '.join(missing) or error}). Install them, then start ssp-coder again:"]
    if debian:
        lines.append(f"  Debian/Ubuntu: sudo apt-get install {' '.join(debian)}")
        lines.append(f"  Fedora: sudo dnf install {' '.join(fedora)}")
    if unknown:
        lines.append(f"  and the package that provides {', '.join(unknown)} (Debian/Ubuntu: apt-file search NAME).")
    lines.append("The command-line tools work without them (see 'ssp-coder --help').")
    return "\n".join(lines)


def x11_problem(env: Mapping[str, str]) -> str | None:
    display = env.get("DISPLAY", "")
    if not display:
        return NO_DISPLAY
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError as exc:
        return missing_libraries_message("xcb", str(exc))
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        failed = not connection or xcb.xcb_connection_has_error(connection) != 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)
    if failed:
        return (f"The coding window cannot open: no X display answers at DISPLAY={display!r}. Start ssp-coder "
                "from the desktop session (or check DISPLAY and, over ssh, X forwarding); the command-line tools "
                "work without a display (see 'ssp-coder --help').")
    return None


def wayland_problem(env: Mapping[str, str]) -> str | None:
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    socket = Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    if not socket.exists():
        return (f"The coding window cannot open: no Wayland compositor answers at {socket}. Start ssp-coder from "
                "the desktop session; the command-line tools work without a display (see 'ssp-coder --help').")
    return None
