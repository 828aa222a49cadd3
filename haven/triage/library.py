"""Finding pack versions on disk: `guidance/<pack>/<version>.yaml` and `scenarios.yaml`.

No database here: `haven triage explain` and `haven guidance validate|test`
must work on a laptop with nothing but the files.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

from .pack import Pack, PackInvalid, parse_pack

SCENARIOS_FILE = "scenarios.yaml"
DEFAULT_PACK = "us-afghan-2021"


class PackNotFound(LookupError):
    pass


def guidance_dir() -> Path:
    return Path(getattr(settings, "HAVEN_GUIDANCE_DIR", settings.BASE_DIR / "guidance"))


def display_name(path: Path) -> str:
    """The path as a person typed it: relative to the working directory when inside it."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def load_file(path: Path) -> Pack:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackInvalid([f"{display_name(path)}:1: cannot read: {exc}"]) from exc
    return parse_pack(source, display_name(path))


def version_files(pack: str) -> list[Path]:
    folder = guidance_dir() / pack
    if not folder.is_dir():
        raise PackNotFound(f"no guidance pack '{pack}' in {display_name(guidance_dir())}")
    return sorted(
        p
        for p in folder.glob("*.y*ml")
        if p.name != SCENARIOS_FILE and p.suffix in (".yaml", ".yml")
    )


def _declared_version(path: Path) -> str | None:
    """The version a file declares, read without validating the rest."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return str(data.get("version")) if isinstance(data, dict) else None


def split_spec(spec: str) -> tuple[str, str | None]:
    pack, _, version = spec.partition("@")
    return pack, version or None


def find(spec: str) -> Pack:
    """Load `PACK@VERSION`, or the latest valid version for a bare `PACK`."""
    pack, version = split_spec(spec)
    files = version_files(pack)
    if version is None:
        return latest(pack, files)
    for path in files:
        if _declared_version(path) == version:
            found = load_file(path)
            if found.pack != pack:
                raise PackInvalid([f"{display_name(path)}:1: declares pack '{found.pack}'"])
            return found
    raise PackNotFound(f"no version '{version}' of guidance pack '{pack}'")


def latest(pack: str, files: list[Path] | None = None) -> Pack:
    """The version with the latest effective date (then the highest version)."""
    loaded = [load_file(path) for path in files or version_files(pack)]
    if not loaded:
        raise PackNotFound(f"guidance pack '{pack}' has no versions")
    return max(loaded, key=lambda p: (p.effective_date, _natural(p.version)))


def _natural(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.split("."))


def scenarios_path(pack: str) -> Path:
    return guidance_dir() / pack / SCENARIOS_FILE


def resolve(spec: str | None) -> Pack:
    """A pack from a file path or `PACK[@VERSION]`; the default pack's latest if None."""
    if spec is None:
        return find(getattr(settings, "HAVEN_TRIAGE_DEFAULT_PACK", DEFAULT_PACK))
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_file(path)
    return find(spec)
