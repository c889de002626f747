"""Issue 18: a fuzz of the whole command line, on random files, file kinds and arguments.

Each example copies a small valid project (site.yaml, two 2022 projects, a 2023 one, the theme
as templates/ and a good build in output/), plants one or two hostile things in it (random or
damaged bytes, a mutated valid file, a file kind where another is expected, a hostile file name,
a hostile build state, a hostile import input or hostile arguments), then runs the commands that
read it, each as a real ``python -m perfsite`` subprocess with a timeout, and asserts the
promises of the README:

- every command ends (a hang is a failure) with an exit status in {0, 1, 2}; never a traceback,
  never ``内部错误`` (exit 3), never a raw control character on the terminal;
- a command that only reads (check, fmt --check, diff, build's view of content/, import
  --dry-run) changes nothing in the project; a failed build leaves output/ byte for byte as it
  was; no file outside the project changes (a canary beside it) and no planted payload runs;
- what one command writes, the next accepts: ``new`` and ``init`` make files that ``check``
  passes, ``import`` that exits 0 wrote files that ``check`` passes, ``fmt`` never makes a file
  worse (no new error codes) and a second ``fmt --check`` is clean; ``build`` refuses exactly when
  ``check`` does, naming the same content errors.

Deterministic: example ``i`` draws from ``random.Random(f"{SEED}:{i}")``; the default seed and a
bounded number of examples run in about a minute and a half. ``PERFSITE_FUZZ_EXAMPLES=2000``
(and ``PERFSITE_FUZZ_SEED=...`` for a new corpus) run a longer fuzz; ``PERFSITE_FUZZ_TIMEOUT``
is the seconds a command may take (default 60); ``PERFSITE_FUZZ_LOG=FILE`` appends each failing
example's report to FILE as it happens; ``PERFSITE_FUZZ_DEBUG=1`` puts full tracebacks in it. A failure shows the example, what was planted
(file and first bytes), the command, its exit status and the end of its output, and the line
that runs that example alone.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL, ROOT, SITE, TEMPLATES

csv.field_size_limit(sys.maxsize)  # the downloads' cells are as long as the content's goals
SEED = os.environ.get("PERFSITE_FUZZ_SEED", "18")
EXAMPLES = int(os.environ.get("PERFSITE_FUZZ_EXAMPLES", "50"))
TIMEOUT = float(os.environ.get("PERFSITE_FUZZ_TIMEOUT", "60"))
IS_ROOT = os.geteuid() == 0  # chmod 000 does not stop root's reads: the unreadable-file kind is skipped
EXITS = {0, 1, 2}
MARKER = "PWNED-by-fuzz"  # a payload that runs touches this file beside the project
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CODE = re.compile(r"^(\S+?)(?::\d+:\d+)?: error ([EF]\d{3}) ", re.M)

SECOND = MINIMAL.replace("id: test-project", "id: second").replace("测试项目", "第二个项目")
NEXT_YEAR = MINIMAL.replace("年度: 2022", "年度: 2023").replace("2022年12月31日", "2023年12月31日") \
    .replace("≥1次", "≥2次")
VALID = {"content/site.yaml": SITE, "content/2022/test-project.yaml": MINIMAL,
         "content/2022/second.yaml": SECOND, "content/2023/test-project.yaml": NEXT_YEAR}

# The defects this fuzz found when it was written (issue 18), by a pattern of the failure report:
# a failing example names the ones it shows, so a report reads "known" or "new" at a glance.
KNOWN = [
    ("D2", r"raw control character '\\x1b'", "a file name's control characters reach the terminal raw "
     "(diagnostics.display_path does not escape them)"),
    ("D3", r"RuntimeError: Symlink loop", "fmt: a symlink loop among the content is an internal error (fmt._targets resolve())"),
    ("D4", r"outside the project changed: outside\.yaml", "fmt rewrites a file outside the project through a symlink"),
    ("D5", r"ParseError", "import: an .xlsx whose XML has a DOCTYPE/entity is an internal error (cells.read_xlsx)"),
    ("D6", r"E028", "new / new --from accept a year that is not a year folder, and write files check refuses"),
    ("D7", r"exited 0, then check refuses what it wrote", "new writes a file check refuses (year, empty or odd NAME)"),
    ("D8", r"--port", "serve: a port outside 0–65535 wraps round, or is an internal error"),
    ("D9", r"--host|idna", "serve: an empty, long or malformed --host is accepted (all interfaces) or an internal error"),
    ("D10", r"FileExistsError|NotADirectoryError", "schema --output / import --out / content that is a file: internal error"),
    ("D11", r"new-line character seen in unquoted field|field larger than field limit",
     "import: a CSV with CR-only line ends or a field over 128 KiB is an internal error (cells.read_csv)"),
    ("D12", r"new 2030 --from .*E025", "new --from does not move 年度 forward in a file with CR-only line ends (scaffold.roll_forward)"),
]


def known(report: str) -> list[str]:
    return [f"{name}: {summary}" for name, pattern, summary in KNOWN if re.search(pattern, report)]


# ----------------------------------------------------------------------------------------------
# hostile values, bytes and files


def hostile_strings(marker: Path) -> list[str]:
    return [
        "", " ", "-1", "0", "-0", "NaN", "nan", ".nan", "inf", "-.inf", "Infinity", "1e400", "1e-400",
        "1E+999999999", "0x10", "0o7", "1_000", "10.38000000000000000000000000001", "9" * 5000, "1" * 4301,
        "2022-02-30", "2022年2月30日", "2022年13月1日", "0000年1月1日", "二〇二二", "２０２２", "٢٠٢٢", "2022\n",
        "x" * 100_000, "目标" * 3000, "\u202e" + "txt.exe", "\u200b", "\ufeff", "\u2028", "a\x85b",
        "=cmd|' /C calc'!A0", "+1+1", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "\t=1", "\r=1",
        "<script>alert(1)</script>", "{{ 7*191 }}", "{% for x in range(10**9) %}{% endfor %}", "${7*191}",
        "../../../etc/passwd", "null", "~", "yes", "no", "on", "true", "\x00", "\x1b[31mred", "a\nb", "\r",
        "[x]", "{a: 1}", "- a", "&a x", "*a", "? x", "!!python/object/apply:os.system",
        f"!!python/object/apply:os.system ['touch {marker}']", "%TAG ! tag:x,2000:", "'", '"', "\\",
        "10.38万", "１０．３８", "≥**个", "<<: *a", "<!--", "]]>", "&#0;", "\udcff", "\ud800",
    ]


def hostile_keys() -> list[str]:
    return ["", "id", "年度", "资金", "x" * 5000, "\u202e", "__proto__", "<<", "0", "null", "{{x}}", "\x1b", "ｉｄ"]


def laughs() -> str:
    text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(9):
        text += f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
    return text


def random_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


def mutate_structure(rng: random.Random, text: str, marker: Path) -> str:
    """A valid file, parsed, one node deleted / retyped / replaced / renamed, dumped again."""
    data = yaml.safe_load(text)
    slots: list[tuple[object, object]] = []  # (container, key) of every node

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k in list(node):
                slots.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                slots.append((node, i))
                walk(node[i])

    walk(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if not slots:
            break
        container, key = rng.choice(slots)
        op = rng.choice(["delete", "retype", "replace", "replace", "rename", "grow"])
        try:
            if op == "delete":
                del container[key]  # type: ignore[index, arg-type]
            elif op == "retype":
                old = container[key]  # type: ignore[index]
                container[key] = rng.choice([[], {}, [old], {"k": old}, None, 0, -1, True, 1.5,  # type: ignore
                                             10 ** 400, float("nan"), [[[]]], {"": None}])
            elif op == "replace":
                container[key] = rng.choice(hostile_strings(marker))  # type: ignore[index]
            elif op == "rename" and isinstance(container, dict):
                container[rng.choice(hostile_keys())] = container.pop(key)
            elif op == "grow":
                old = container[key]  # type: ignore[index]
                container[key] = [old] * rng.choice([60, 600, 5000]) if not isinstance(old, dict) else \
                    {f"k{i}": old for i in range(rng.choice([60, 600]))}  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            pass
        slots = []
        walk(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def mutate_text(rng: random.Random, text: str, marker: Path) -> str:
    """A valid file with one value or line replaced as written (unquoted: YAML sees it raw)."""
    lines = text.splitlines(keepends=True)
    for _ in range(rng.choice([1, 1, 2])):
        i = rng.randrange(len(lines))
        op = rng.choice(["value", "value", "value", "duplicate", "delete", "indent"])
        line = lines[i]
        if op == "value" and ": " in line:
            head = line.split(": ", 1)[0]
            lines[i] = f"{head}: {rng.choice(hostile_strings(marker))}\n"
        elif op == "value" and line.lstrip().startswith("- "):
            lines[i] = line[:len(line) - len(line.lstrip())] + "- " + rng.choice(hostile_strings(marker)) + "\n"
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "delete":
            del lines[i]
        else:
            lines[i] = rng.choice(["\t", "  ", " ", "      "]) + line
    return "".join(lines)


def damage_bytes(rng: random.Random, data: bytes, marker: Path) -> tuple[str, bytes]:
    """(what, bytes): a valid file's bytes damaged one way."""
    text = data.decode("utf-8")
    kinds = {
        "random bytes": lambda: random_bytes(rng, rng.choice([0, 1, 7, 300, 4000])),
        "truncated": lambda: data[:rng.randrange(len(data))],
        "flipped bytes": lambda: bytes(b ^ (1 << rng.randrange(8)) if rng.random() < 0.02 else b for b in data),
        "UTF-16": lambda: text.encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32"])),
        "GB18030": lambda: text.encode("gb18030"),
        "BOM": lambda: rng.choice([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + data,
        "NUL": lambda: data[:(k := rng.randrange(len(data)))] + b"\x00" + data[k:],
        "control char": lambda: data[:(k := rng.randrange(len(data)))] + bytes([rng.choice([1, 7, 8, 11, 12, 27, 127])]) + data[k:],
        "C1 / odd unicode": lambda: text.replace("测试项目", "测试" + rng.choice(["\x85", "\x9b", "\u2028", "\u2029", "\ufffe", "\U0010ffff", "\u202e"]) + "项目").encode("utf-8", "surrogatepass"),
        "invalid UTF-8": lambda: data[:(k := rng.randrange(len(data)))] + rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe6\xb5", b"\xf4\x90\x80\x80"]) + data[k:],
        "CR only": lambda: data.replace(b"\n", b"\r"),
        "mixed line ends": lambda: data.replace(b"\n", rng.choice([b"\r\n", b"\n\r", b"\r\r\n"]), rng.randrange(1, 20)),
        "deep flow": lambda: b"a: " + b"[" * rng.choice([100, 1000, 100_000]) + b"\n",
        "deep map": lambda: b"a: " + b"{a: " * rng.choice([100, 1000, 50_000]) + b"\n",
        "deep block": lambda: "".join("  " * i + f"k{i}:\n" for i in range(rng.choice([100, 1000, 3000]))).encode(),
        "YAML bomb": lambda: laughs().encode(),
        "anchor in valid": lambda: text.replace("实施单位: 测试局", "实施单位: &u 测试局\n项目属性: *u").encode(),
        "merge key": lambda: ("base: &b {id: x}\n<<: *b\n" + text).encode(),
        "tag": lambda: text.replace("项目名称: 测试项目", "项目名称: " + rng.choice(
            [f"!!python/object/apply:os.system ['touch {marker}']", "!!binary aGk=", "!custom x", "!!set {a}",
             "!!timestamp 2022-01-01", "!!float 1e400", "!<tag:yaml.org,2002:str> x", "!!omap [a: 1]"])).encode(),
        "directive": lambda: rng.choice([b"%YAML 1.1\n---\n", b"%YAML 2.0\n---\n", b"%TAG ! tag:x,2000:\n---\n", b"---\n"]) + data,
        "several documents": lambda: data + b"---\n" + data,
        "document end": lambda: data + b"...\n" + random_bytes(rng, 20),
        "over 2 MB": lambda: data + b"# " + b"x" * (2 * 1024 * 1024) + b"\n",
        "just under 2 MB value": lambda: text.replace("项目名称: 测试项目", "项目名称: '" + "长" * 600_000 + "'").encode(),
        "many rows": lambda: text.replace("    数量:\n", "    数量:\n" + "      - 三级指标: 行\n        指标值: ≥1次\n" * rng.choice([500, 5000])).encode(),
        "many keys": lambda: (text + "".join(f"k{i}: v\n" for i in range(rng.choice([500, 20_000])))).encode(),
        "long line": lambda: text.replace("年度目标:\n", "年度目标:\n  - " + "长" * 1999 + "\n", 1).encode(),
        "tab indent": lambda: text.replace("  资金来源", "\t资金来源").encode(),
        "binary junk": lambda: bytes(range(256)) * rng.choice([1, 64]),
        "only a comment": lambda: b"# nothing\n",
        "a scalar": lambda: rng.choice([b"x\n", b"42\n", b"null\n", b"~\n", b"'x'\n", b"[]\n", b"- a\n"]),
        "huge integer": lambda: text.replace("资金总额: 10", "资金总额: " + "9" * rng.choice([400, 4301, 100_000])).encode(),
    }
    what = rng.choice(sorted(kinds))
    return what, kinds[what]()


# ----------------------------------------------------------------------------------------------
# the example: a project, plantings, commands, checks


@dataclass
class Planted:
    what: str
    path: str = ""
    data: bytes | None = None

    def show(self) -> str:
        head = f"{self.what}" + (f" at {self.path!r}" if self.path else "")
        if self.data is not None:
            head += f" ({len(self.data)} bytes: {self.data[:120]!r}{'…' if len(self.data) > 120 else ''})"
        return head


@dataclass
class Example:
    index: int
    project: Path
    outside: Path
    planted: list[Planted] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def marker(self) -> Path:
        return self.outside / MARKER

    def write(self, rel: str, data: bytes, what: str) -> None:
        path = self.project / rel
        _clear(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.planted.append(Planted(what, rel, data))

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def report(self) -> str:
        lines = [f"fuzz example {self.index} (PERFSITE_FUZZ_SEED={SEED}): {len(self.problems)} broken promise(s)",
                 "planted:"] + [f"  - {p.show()}" for p in self.planted] + [""] + self.problems + [
                 f"run alone: PERFSITE_FUZZ_SEED={SEED} python3 -m pytest tests/test_fuzz_cli.py -k 'example_{self.index}]'"]
        text = "\n".join(lines)
        names = known(text)
        return text + ("\nknown defects (issue 18 report): " + "; ".join(names) if names else "\nNOT a known defect: a new one")


def _clear(path: Path) -> None:
    if path.is_symlink() or path.is_file() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _tree(directory: Path) -> dict[str, object]:
    """Every entry under directory: file bytes, link targets, other kinds by name; not following links."""
    out: dict[str, object] = {}
    if not directory.exists() and not directory.is_symlink():
        return out
    if directory.is_symlink() or not directory.is_dir():
        return {".": _entry(directory)}
    for folder, dirs, names in os.walk(directory):
        for name in dirs + names:
            path = Path(folder, name)
            out[path.relative_to(directory).as_posix()] = _entry(path)
    return out


def _entry(path: Path) -> object:
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return "dir"
    if path.is_file():
        try:
            return path.read_bytes()
        except OSError as exc:
            return ("unreadable", exc.errno)
    return "special"


def _difference(before: dict[str, object], after: dict[str, object]) -> str:
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ", ".join(f"{k} ({'new' if k not in before else 'gone' if k not in after else 'changed'})"
                     for k in changed[:8]) + (" …" if len(changed) > 8 else "")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid project every example starts from, built once."""
    project = tmp_path_factory.mktemp("fuzz-base") / "project"
    for rel, text in VALID.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    shutil.copytree(TEMPLATES, project / "templates")
    done = _run(["build", "--no-search"], project)
    assert done.returncode == 0, done.stderr
    return project


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    env.pop("PERFSITE_DEBUG", None)
    if os.environ.get("PERFSITE_FUZZ_DEBUG"):  # full tracebacks in the report, to find a defect's cause
        env["PERFSITE_DEBUG"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """``python -m perfsite ARGS``; a hang is killed (its whole process group) and reported as exit None."""
    proc = subprocess.Popen([sys.executable, "-m", "perfsite", *args], cwd=cwd, env=_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return subprocess.CompletedProcess(args, code,  # type: ignore[arg-type]
                                       out.decode("utf-8", "backslashreplace"), err.decode("utf-8", "backslashreplace"))


def _tail(text: str, n: int = 12) -> str:
    lines = text.rstrip("\n").splitlines()
    return "\n".join(("    " + line[:300]) for line in lines[-n:]) or "    (nothing)"


def run(ex: Example, args: list[str], *, reads_only: bool = False, cwd: Path | None = None,
        timeout: float = TIMEOUT, exits: set[int] = EXITS) -> subprocess.CompletedProcess[str]:
    """Run a command and check the promises every command makes; ``reads_only``: it must not
    change the project (output/ and the files beside it excepted: a build's business)."""
    where = cwd or ex.project
    watched = ex.project / "content", ex.project / "templates"
    before = [_tree(p) for p in watched] if reads_only else None
    outside = _tree(ex.outside)
    done = _run(args, where, timeout)
    shown = "perfsite " + " ".join(repr(a) if (" " in a or not a or len(a) > 60) else a for a in args)
    shown = shown if len(shown) < 300 else shown[:300] + "…"

    whys: list[str] = []
    both = done.stdout + done.stderr
    if done.returncode is None:
        whys.append(f"hang: still running after {timeout:.0f} s")
    elif done.returncode not in exits:
        whys.append(f"exit status {done.returncode} not in {sorted(exits)}")
    if "Traceback (most recent call last)" in both:
        whys.append("a traceback")
    if "内部错误" in both:
        whys.append("an internal error")
    if done.returncode is not None and (bad := CONTROL.search(both)):
        whys.append(f"a raw control character {bad.group()!r} reached the terminal")
    if before is not None:
        after = [_tree(p) for p in watched]
        for path, old, new in zip(watched, before, after):
            if old != new:
                whys.append(f"a read-only command changed {path.name}/: {_difference(old, new)}")
    if (now := _tree(ex.outside)) != outside:
        whys.append(f"a file outside the project changed: {_difference(outside, now)}")
    if ex.marker.exists():
        whys.append("a planted payload ran (the marker file exists)")
    if whys:
        ex.fail(f"$ cd {where.name} && {shown}\n  {'; '.join(whys)}; exit {done.returncode}\n  stderr:\n{_tail(done.stderr)}"
                + (f"\n  stdout:\n{_tail(done.stdout, 4)}" if done.stdout.strip() else ""))
    return done


def errors_of(text: str) -> set[tuple[str, str]]:
    """(path, code) of every error a command printed."""
    return {(m.group(1), m.group(2)) for m in CODE.finditer(text)}


# ----------------------------------------------------------------------------------------------
# what is planted


PROJECT_FILES = ["content/2022/test-project.yaml", "content/2022/second.yaml", "content/2023/test-project.yaml"]


def plant_content(ex: Example, rng: random.Random) -> None:
    """A project file or site.yaml damaged, mutated, or replaced."""
    rel = rng.choice(PROJECT_FILES + ["content/site.yaml"] * 2)
    valid = VALID[rel]
    how = rng.choice(["structure", "text", "bytes", "bytes"])
    if how == "structure":
        ex.write(rel, mutate_structure(rng, valid, ex.marker).encode("utf-8", "surrogatepass"), "mutated structure")
    elif how == "text":
        ex.write(rel, mutate_text(rng, valid, ex.marker).encode("utf-8", "surrogatepass"), "mutated value as written")
    else:
        what, data = damage_bytes(rng, valid.encode("utf-8"), ex.marker)
        ex.write(rel, data, what)


def plant_kind(ex: Example, rng: random.Random) -> None:
    """A file kind where another is expected."""
    p = ex.project
    kinds = ["empty dir named x.yaml", "symlink to a dir", "dangling symlink", "symlink loop", "FIFO",
             "year folder as a file", "content as a file", "site.yaml as a dir", "site.yaml missing",
             "site.yaml symlink to outside", "project symlink to outside file", "symlink to /dev/zero",
             "year folder symlink to outside dir", "year folder is a symlink to content", "templates as a file",
             "template file as a dir", "a template with random bytes", "a template that is hostile Jinja",
             "output as a file", "output as a symlink to an outside dir", "output is not perfsite's",
             "output/.perfsite-state random", "cache random", "journal random", "lock is a dir",
             "stage leftover", "unreadable file", "unreadable year folder", "empty year folder",
             "a year folder 0000", "a year folder ٢٠٢٢", "a year folder ２０２２", "a year folder named 2022.yaml",
             "a file named content/2022/.yaml", "a hard link to the canary"]
    kind = rng.choice(kinds)
    if kind.startswith("unreadable") and IS_ROOT:
        kind = "empty year folder"  # root reads a chmod 000 file anyway: nothing to test
    year = rng.choice(["2022", "2023"])
    target = p / "content" / year / rng.choice(["x.yaml", "test-project.yaml", "z.yml"])
    if kind == "empty dir named x.yaml":
        _clear(target); target.mkdir()
    elif kind == "symlink to a dir":
        _clear(target); target.symlink_to(p / "content" / "2022", target_is_directory=True)
    elif kind == "dangling symlink":
        _clear(target); target.symlink_to(p / "nowhere.yaml")
    elif kind == "symlink loop":
        _clear(target); target.symlink_to(target.name)
    elif kind == "FIFO":
        _clear(target); os.mkfifo(target)
    elif kind == "year folder as a file":
        ex.write(f"content/{year}", MINIMAL.encode(), kind); return
    elif kind == "content as a file":
        ex.write("content", SITE.encode(), kind); return
    elif kind == "site.yaml as a dir":
        _clear(p / "content/site.yaml"); (p / "content/site.yaml").mkdir()
    elif kind == "site.yaml missing":
        _clear(p / "content/site.yaml")
    elif kind == "site.yaml symlink to outside":
        _clear(p / "content/site.yaml"); (p / "content/site.yaml").symlink_to(ex.outside / "site.yaml")
    elif kind == "project symlink to outside file":
        _clear(target); target.symlink_to(ex.outside / "outside.yaml")
    elif kind == "symlink to /dev/zero":
        _clear(target); target.symlink_to("/dev/zero")
    elif kind == "year folder symlink to outside dir":
        _clear(p / "content" / "2024"); (p / "content" / "2024").symlink_to(ex.outside / "year", target_is_directory=True)
    elif kind == "year folder is a symlink to content":
        _clear(p / "content" / "2024"); (p / "content" / "2024").symlink_to(p / "content", target_is_directory=True)
    elif kind == "templates as a file":
        ex.write("templates", b"not a folder", kind); return
    elif kind == "template file as a dir":
        name = rng.choice(["base.html", "project.html", "index.html", "static", "static/site.css"])
        _clear(p / "templates" / name); (p / "templates" / name).mkdir(parents=True)
        kind += f" ({name})"
    elif kind == "a template with random bytes":
        name = rng.choice(["base.html", "project.html", "index.html", "year.html", "_diff.html"])
        ex.write(f"templates/{name}", random_bytes(rng, rng.choice([0, 50, 2000])), kind); return
    elif kind == "a template that is hostile Jinja":
        name = rng.choice(["base.html", "project.html", "index.html"])
        # a template is the site's own code, as trusted as a Makefile: it may be broken, not
        # hostile, so no {{ 'x' * 10**9 }} here (that takes minutes, as it would in any Jinja site)
        body = rng.choice(["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{% include '../../../etc/passwd' %}",
                           "{% extends 'base.html' %}", "{{ 7*191 }}",
                           "{% import 'nope.html' as n %}", "{{ config.__init__.__globals__ }}", "{%", "{{ x ",
                           "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
                           "{% include 'project.html' %}"])
        ex.write(f"templates/{name}", body.encode(), kind); return
    elif kind == "output as a file":
        ex.write("output", b"a file", kind); return
    elif kind == "output as a symlink to an outside dir":
        _clear(p / "output"); (p / "output").symlink_to(ex.outside / "year", target_is_directory=True)
    elif kind == "output is not perfsite's":
        _clear(p / "output"); (p / "output").mkdir(); (p / "output" / "keep.txt").write_text("mine")
    elif kind == "output/.perfsite-state random":
        ex.write("output/.perfsite-state", random_bytes(rng, rng.choice([0, 10, 500])), kind); return
    elif kind == "cache random":
        ex.write(".output.perfsite-cache.sqlite", random_bytes(rng, rng.choice([0, 100, 5000])), kind); return
    elif kind == "journal random":
        data = rng.choice([random_bytes(rng, 50), b"{}", b'{"stage": ".output.new-x", "write": ["a"], "remove": []}',
                           b"null", b"[1]", b'{"stage": 5}', b'{"stage": "", "write": [], "remove": []}'])
        ex.write(".output.journal", data, kind); return
    elif kind == "lock is a dir":
        _clear(p / ".output.lock"); (p / ".output.lock").mkdir()
    elif kind == "stage leftover":
        (p / ".output.new-123").mkdir(); (p / ".output.new-123" / "x.html").write_text("old")
    elif kind == "unreadable file":
        os.chmod(p / "content/2022/test-project.yaml", 0)
    elif kind == "unreadable year folder":
        os.chmod(p / "content/2022", 0)
    elif kind == "empty year folder":
        (p / "content/2025").mkdir()
    elif kind.startswith("a year folder "):
        name = kind.removeprefix("a year folder ").removeprefix("named ")
        if name.endswith(".yaml"):
            ex.write(f"content/{name}", MINIMAL.encode(), kind); return
        (p / "content" / name).mkdir()
        (p / "content" / name / "y.yaml").write_text(MINIMAL.replace("test-project", "y-" + str(len(name))))
    elif kind == "a file named content/2022/.yaml":
        ex.write("content/2022/.yaml", MINIMAL.encode(), kind); return
    elif kind == "a hard link to the canary":
        _clear(target); os.link(ex.outside / "outside.yaml", target)
    ex.planted.append(Planted(kind, str(target.relative_to(p)) if "target" in kind or kind in (
        "empty dir named x.yaml", "symlink to a dir", "dangling symlink", "symlink loop", "FIFO",
        "project symlink to outside file", "symlink to /dev/zero", "a hard link to the canary") else ""))


def plant_name(ex: Example, rng: random.Random) -> None:
    """A valid (or damaged) project under a hostile file or folder name."""
    names = ["x.YAML", "x.yml", ".hidden.yaml", "a b.yaml", unicodedata.normalize("NFD", "é.yaml"),
             "sub/x.yaml", "sub/deeper/x.yaml", ".git/x.yaml", "-rf.yaml", "--help.yaml", "x.yaml.bak", "~x.yaml",
             "a\nb.yaml", "x" * 250 + ".yaml", "\x1b[31mred.yaml", ":1:1: error E000 x.yaml", "\u202eymal.yaml",
             "site.yaml", "sub/site.yaml", "index.yaml", "CON.yaml", "a\\b.yaml", "\udcff\udcfe.yaml",
             "名称 带 空格.yaml", "x.yaml ", " x.yaml", "x.yaml\r"]
    name = rng.choice(names)
    body = rng.choice([MINIMAL.replace("test-project", "planted"), MINIMAL])
    if rng.random() < 0.3:
        _, data = damage_bytes(rng, body.encode(), ex.marker)
    else:
        data = body.encode()
    year = rng.choice(["2022", "2023"])
    if year == "2023":
        data = data.replace(b"\xe5\xb9\xb4\xe5\xba\xa6: 2022", b"\xe5\xb9\xb4\xe5\xba\xa6: 2023")
    rel = f"content/{year}/{name}"
    path = ex.project / os.fsencode(rel).decode("utf-8", "surrogateescape")
    try:
        ex.write(str(path.relative_to(ex.project)), data, "hostile file name")
    except OSError as exc:  # the file system refuses the name
        ex.planted.append(Planted(f"hostile file name refused by the file system ({exc.strerror})", rel))


def plant_state(ex: Example, rng: random.Random) -> None:
    for _ in range(rng.choice([1, 2])):
        rng.choice([plant_content, plant_kind, plant_name])(ex, rng)


# ----------------------------------------------------------------------------------------------
# the runs


def content_commands(ex: Example, rng: random.Random) -> None:
    """check, build, fmt --check, diff, new --from, fmt on whatever was planted."""
    p = ex.project
    jobs = ["--jobs", rng.choice(["1", "2"])]
    output = p / "output"
    built_before = _tree(output)
    check = run(ex, ["check", *jobs], reads_only=True)
    build = run(ex, ["build", "--no-search", *jobs], reads_only=True)
    if build.returncode != 0 and _tree(output) != built_before:
        ex.fail(f"$ perfsite build --no-search: failed (exit {build.returncode}) but output/ changed: "
                f"{_difference(built_before, _tree(output))}\n  stderr:\n{_tail(build.stderr)}")
    if build.returncode == 0:
        check_output(ex, output)
    if check.returncode in (0, 1) and build.returncode in (0, 1):
        # check reads content only: the templates (E005/E051 there), the output (E060) and search (E080) are build's
        content_codes = lambda d: {(path, code) for path, code in errors_of(d)
                                   if code < "E050" and code != "E040" and not path.startswith("templates/")}
        if (check.returncode == 1) != (build.returncode == 1) or content_codes(check.stderr) != content_codes(build.stderr):
            if not ({code for _, code in errors_of(build.stderr) - content_codes(build.stderr)}):
                ex.fail(f"$ perfsite check → exit {check.returncode}, $ perfsite build → exit {build.returncode}: "
                        f"they disagree\n  check's errors: {sorted(errors_of(check.stderr))[:8]}\n"
                        f"  build's errors: {sorted(errors_of(build.stderr))[:8]}\n  check stderr:\n{_tail(check.stderr, 6)}"
                        f"\n  build stderr:\n{_tail(build.stderr, 6)}")
    run(ex, ["fmt", "--check", *jobs], reads_only=True)
    a, b = rng.choice([("2022", "2023"), ("2023", "2022"), ("content/2022", "content/2023"),
                       ("content/2022/test-project.yaml", "content/2023/test-project.yaml"), ("content", "content")])
    run(ex, ["diff", a, b, "--format", rng.choice(["text", "json", "markdown"]), *rng.choice([[], ["--exit-code"]])],
        reads_only=True)
    before = errors_of(check.stderr)
    if rng.random() < 0.5:
        made = run(ex, ["new", "2030", "--from", rng.choice(["2022", "2023"])])
        if made.returncode == 0:
            before = _compare_rolled(ex, rng)
    fmt = run(ex, ["fmt", *jobs])
    if fmt.returncode in (0, 1):
        after_check = run(ex, ["check", "--jobs", "1"])
        worse = {code for _, code in errors_of(after_check.stderr)} - {code for _, code in before}
        if worse:
            ex.fail(f"$ perfsite fmt (exit {fmt.returncode}) made files worse: new errors {sorted(worse)}\n"
                    f"  check after fmt:\n{_tail(after_check.stderr)}")
        again = run(ex, ["fmt", "--check", "--jobs", "1"]) if fmt.returncode == 0 and "已格式化" in fmt.stdout else None
        if again is not None and again.returncode != 0:
            ex.fail(f"$ perfsite fmt then fmt --check: not idempotent (exit {again.returncode})\n{_tail(again.stdout + again.stderr)}")


def _compare_rolled(ex: Example, rng: random.Random) -> set[tuple[str, str]]:
    """new --from wrote content/2030: check must not refuse those files for anything but what
    their originals had."""
    done = run(ex, ["check", "--jobs", "1"])
    rolled = {(path.split("/", 2)[-1], code) for path, code in errors_of(done.stderr) if path.startswith("content/2030/")}
    originals = {(path.split("/", 2)[-1], code) for path, code in errors_of(done.stderr)
                 if re.match(r"content/20(22|23)/", path)}
    if rolled - originals:
        ex.fail(f"$ perfsite new 2030 --from …, then check: it refuses what new wrote: {sorted(rolled - originals)[:6]}\n"
                f"{_tail(done.stderr)}")
    return errors_of(done.stderr)


def check_output(ex: Example, output: Path) -> None:
    """A successful build's files: CSV cells that Excel would run are defused; nothing of the
    content was evaluated as a template."""
    if not output.is_dir():
        ex.fail("$ perfsite build: exit 0 but no output/ directory")
        return
    for path in output.rglob("*.csv"):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        for row in csv.reader(io.StringIO(text)):  # field_size_limit raised at the top: a goal may be long
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not re.fullmatch(r"-[\d.]+%?", cell)):
                    ex.fail(f"$ perfsite build: {path.relative_to(output)} has a cell Excel would run: {cell[:60]!r}")
                    return
    for path in output.rglob("*.html"):
        if re.search(r"(?<![-\w])1337(?!\w)", path.read_text(encoding="utf-8", errors="replace")):  # not r-1337, a row's id
            ex.fail(f"$ perfsite build: {{{{ 7*191 }}}} from the content was evaluated in {path.relative_to(output)}")
            return


def import_input(rng: random.Random, marker: Path) -> tuple[str, bytes, str]:
    """(file name, bytes, what): an input for perfsite import."""
    seed = (ROOT / "tests/fixtures/000_949027b7908cebdd.txt").read_bytes()
    header = "项目名称,主管部门,实施单位,资金总额,财政拨款,一级指标,二级指标,三级指标,指标值,年度目标\n"
    row = "测试项目,测试局,测试局,100000,100000,产出指标,数量指标,检查次数,≥1次,完成测试\n"
    hostile = hostile_strings(marker)

    def csv_rows(n: int) -> str:
        out = header
        for _ in range(n):
            cells = row.rstrip("\n").split(",")
            for _ in range(rng.choice([0, 1, 2])):
                cells[rng.randrange(len(cells))] = rng.choice(hostile).replace(",", "，")
            out += ",".join(cells) + "\n"
        return out

    def xlsx(members: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        return buf.getvalue()

    def real_xlsx() -> bytes:
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        for r, line in enumerate(csv_rows(rng.choice([1, 5, 40])).splitlines(), start=1):
            for c, cell in enumerate(line.split(","), start=1):
                try:
                    ws.cell(r, c, cell if rng.random() > 0.1 else rng.choice([None, 0, -1, 1e308, float("nan"), 10 ** 20]))
                except Exception:  # openpyxl refuses control characters (IllegalCharacterError)
                    ws.cell(r, c, "x")
        if rng.random() < 0.3:
            ws.merge_cells("A2:A4")
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    kinds = {
        "random bytes .xlsx": lambda: ("x.xlsx", random_bytes(rng, rng.choice([1, 4, 100, 3000]))),
        "PK header then garbage .xlsx": lambda: ("x.xlsx", b"PK\x03\x04" + random_bytes(rng, 500)),
        "zip with garbage members": lambda: ("x.xlsx", xlsx({"[Content_Types].xml": random_bytes(rng, 100),
                                                              "xl/workbook.xml": b"<x", "xl/worksheets/sheet1.xml": random_bytes(rng, 50)})),
        "empty zip": lambda: ("x.xlsx", xlsx({})),
        "zip bomb member": lambda: ("x.xlsx", _zip_bomb()),
        "XML entity bomb in xlsx": lambda: ("x.xlsx", _xml_bomb(real_xlsx())),
        "XXE in xlsx": lambda: ("x.xlsx", _xxe(real_xlsx(), marker)),
        "a real xlsx with hostile cells": lambda: ("x.xlsx", real_xlsx()),
        "a truncated real xlsx": lambda: ("x.xlsx", (d := real_xlsx())[:rng.randrange(len(d))]),
        "xlsx named .csv": lambda: ("x.csv", real_xlsx()),
        "CSV with hostile cells": lambda: ("x.csv", csv_rows(rng.choice([1, 5, 200])).encode()),
        "CSV, CR-only line endings": lambda: ("x.csv", csv_rows(5).replace("\n", "\r").encode()),
        "CSV in UTF-16": lambda: ("x.csv", csv_rows(3).encode("utf-16")),
        "CSV in GB18030": lambda: ("x.csv", csv_rows(3).encode("gb18030")),
        "CSV with a BOM and NUL": lambda: ("x.csv", b"\xef\xbb\xbf" + csv_rows(3).encode().replace(b",", b"\x00,", 3)),
        "CSV with unbalanced quotes": lambda: ("x.csv", (header + '"测试项目,测试局\n' * 50).encode()),
        "CSV with a huge field": lambda: ("x.csv", (header + "测试项目," + "x" * 200_000 + "\n").encode()),
        "CSV header only": lambda: ("x.csv", header.encode()),
        "CSV, random bytes": lambda: ("x.csv", random_bytes(rng, rng.choice([1, 100, 5000]))),
        "CSV, many columns": lambda: ("x.csv", (header.rstrip() + ",x" * 5000 + "\n" + row).encode()),
        "text: the seed": lambda: ("x.txt", seed),
        "text: the seed truncated": lambda: ("x.txt", seed[:rng.randrange(len(seed))]),
        "text: the seed with hostile lines": lambda: ("x.txt", b"\n".join(
            (rng.choice(hostile).encode("utf-8", "surrogatepass") if rng.random() < 0.05 else line) for line in seed.split(b"\n"))),
        "text: the seed in UTF-16": lambda: ("x.txt", seed.decode().encode("utf-16")),
        "text: the seed, CR only": lambda: ("x.txt", seed.replace(b"\n", b"\r")),
        "text: random bytes": lambda: ("x.txt", random_bytes(rng, rng.choice([1, 100, 5000]))),
        "text: NUL": lambda: ("x.txt", b"\x00" * 100),
        "text: a long line": lambda: ("x.txt", "项目名称".encode() + b"x" * 1_000_000),
        "no extension, PK": lambda: ("x", b"PK\x03\x04" + random_bytes(rng, 30)),
        "a .pdf": lambda: ("x.pdf", b"%PDF-1.4\n" + random_bytes(rng, 200)),
    }
    what = rng.choice(sorted(kinds))
    name, data = kinds[what]()
    return name, data, what


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/sharedStrings.xml", b"<" + b" " * (200 * 1024 * 1024) + b">")
    return buf.getvalue()


def _rewrite(data: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            z.writestr(info.filename, change(body) if info.filename == name else body)
    return buf.getvalue()


def _xml_bomb(data: bytes) -> bytes:
    ents = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    return _rewrite(data, "xl/worksheets/sheet1.xml", lambda b: _doctype(b, ents).replace(b"<v>", b"<v>&j;", 1))


def _doctype(xml: bytes, entities: str) -> bytes:
    """The XML with a DOCTYPE declaring these entities, after its declaration if it has one."""
    decl = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:decl] + f"<!DOCTYPE worksheet [{entities}]>".encode() + xml[decl:]


def _xxe(data: bytes, marker: Path) -> bytes:
    secret = marker.parent / "secret.txt"
    return _rewrite(data, "xl/worksheets/sheet1.xml", lambda b: _doctype(
        b, f'<!ENTITY x SYSTEM "file://{secret}">').replace(b"<v>", b"<v>&x;", 1))


def import_commands(ex: Example, rng: random.Random) -> None:
    files = []
    for _ in range(rng.choice([1, 1, 2])):
        name, data, what = import_input(rng, ex.marker)
        rel = f"in/{len(files)}-{name}"
        ex.write(rel, data, f"import input: {what}")
        files.append(rel)
    year = rng.choice([[], ["--year", "2022"], ["--year", "2024"], ["--year", "0"], ["--year", "99999"], ["--year", "-1"]])
    fmt = rng.choice([[], [], ["--format", rng.choice(["xlsx", "csv", "text"])]])
    run(ex, ["import", *files, *year, *fmt, "--dry-run"], reads_only=True)
    content_before = _tree(ex.project / "content")
    done = run(ex, ["import", *files, *year, *fmt])
    if "没有写入任何文件" in done.stderr and _tree(ex.project / "content") != content_before:
        ex.fail(f"$ perfsite import said nothing was written, but content/ changed: "
                f"{_difference(content_before, _tree(ex.project / 'content'))}")
    if done.returncode == 0:
        check = run(ex, ["check", "--jobs", "1"])
        if check.returncode != 0:
            ex.fail(f"$ perfsite import exited 0, then check refuses what it wrote (exit {check.returncode}):\n{_tail(check.stderr)}")
    secret = ex.outside / "secret.txt"
    for path in (ex.project / "content").rglob("*.yaml"):
        if secret.read_text() in path.read_text(encoding="utf-8", errors="replace"):
            ex.fail(f"$ perfsite import: an external XML entity read {secret} into {path.relative_to(ex.project)}")


YEARS = ["0", "-1", "99999", "1", "10000", "二〇二二", "２０２２", "2022.0", "1e3", "0x7e6", " 2022", "2022 ", "", "9" * 30,
         "٢٠٢٢", "2022", "1899", "2100"]
PORTS = ["0", "70000", "65536", "-1", "abc", "", "1e3", "99999999999999999999", "08000", " 80", "８０８０"]
GOOD_PORTS = ("0", "08000", " 80", "８０８０")  # int() reads these as ports; not an error to accept them
HOSTS = ["", "evil host", "999.1.1.1", "-h", "a" * 300, "localhost:80", "[::1]", "::1", "0.0.0.0", "\u202e",
         "example.com", "127.0.0.1 ", "http://127.0.0.1/"]
NAMES = ["", " ", "-", "..", ".", "/", "../../x", "a/b", "\\", "x" * 500, "\u202e", "\x1b[31m", "名称" * 200, "CON",
         ".hidden", "site", "index", "changes", "a\nb", "{{ 7*191 }}", "'", '"', "#", "=cmd|' /C calc'!A0", "ｉｄ"]
IDS = ["", "-", "a", "A", "a" * 300, "index", "changes", "../x", "x/y", "-x", "x-", "1", "中文", "a--b"]
# paths inside the example only (a walk of .. would read the other examples' files: not deterministic)
PATHS = ["", ".", "nowhere/at/all", "x" * 300, "/".join(["x"] * 500), "content/site.yaml", "content/2022/test-project.yaml",
         "content/2022", "output", "-", "~", "content/../content", "\u202e", "templates/base.html"]
OUTPUTS = PATHS + ["..", "/"]  # build refuses a folder it did not make (E060): nothing outside is touched


def argument_commands(ex: Example, rng: random.Random) -> None:
    """One command with hostile arguments; afterwards whatever it wrote must be accepted."""
    choice = rng.choice(["new", "new", "new-from", "init", "init", "schema", "build", "check", "fmt", "diff",
                         "serve", "serve", "watch", "import", "global"])
    if choice == "new":
        year = rng.choice(YEARS)
        args = ["new", year, rng.choice(NAMES)] + (["--id", rng.choice(IDS)] if rng.random() < 0.4 else [])
        done = run(ex, args)
        if done.returncode == 0:
            check = run(ex, ["check", "--jobs", "1"])
            # E029: an unfilled scaffold is refused by design until its placeholders are filled
            refused = {(path, code) for path, code in errors_of(check.stderr) if code not in ("E026", "E029")}
            if refused:
                ex.fail(f"$ perfsite {' '.join(map(repr, args))} exited 0, then check refuses what it wrote: "
                        f"{sorted(refused)[:5]}\n{_tail(check.stderr, 6)}")
    elif choice == "new-from":
        run(ex, ["new", rng.choice(YEARS), "--from", rng.choice(YEARS)] + rng.choice([[], ["--force"]]))
    elif choice == "init":
        target = rng.choice(["newsite", "newsite", "content", "content/site.yaml", "output", "x" * 300, "-"])
        args = ["init", target]
        for opt, values in (("--unit", NAMES), ("--title", NAMES), ("--url", ["", "javascript:alert(1)", "ftp://x",
                            "http://", "not a url", "https://example.gov.cn/a b/", "https://例子.中国/", "x" * 3000,
                            "https://ex.com/\"><script>", "//evil.com/"]), ("--year", YEARS)):
            if rng.random() < 0.5:
                args += [opt, rng.choice(values)]
        done = run(ex, args)
        site = ex.project / target
        if done.returncode == 0 and (site / "content").is_dir() and target == "newsite":
            check = run(ex, ["check", "--jobs", "1"], cwd=site)
            if check.returncode != 0:
                ex.fail(f"$ perfsite {' '.join(map(repr, args))} exited 0, then check in it fails (exit {check.returncode}):\n"
                        f"{_tail(check.stderr, 6)}")
            build = run(ex, ["build", "--no-search", "--jobs", "1"], cwd=site)
            if build.returncode != 0:
                ex.fail(f"$ perfsite {' '.join(map(repr, args))} exited 0, then build in it fails (exit {build.returncode}):\n"
                        f"{_tail(build.stderr, 6)}")
    elif choice == "schema":
        run(ex, ["schema", "--output", rng.choice(PATHS)])
    elif choice in ("build", "check"):
        args = [choice]
        for opt, values in (("--content", PATHS), ("--output", OUTPUTS), ("--jobs", ["0", "-1", "abc", "1e9", "99999", "1"])):
            if rng.random() < 0.5:
                args += [opt, rng.choice(values)]
        if choice == "build":
            args += ["--no-search"] + (["--templates", rng.choice(PATHS)] if rng.random() < 0.3 else [])
        run(ex, args)
    elif choice == "fmt":
        run(ex, ["fmt", "--check", *rng.sample(PATHS, rng.choice([1, 2]))], reads_only=True)
    elif choice == "diff":
        specs = YEARS + PATHS + ["HEAD", "HEAD~1", "HEAD:content", ":", "--", "-x"]
        run(ex, ["diff", rng.choice(specs), rng.choice(specs), "--format", rng.choice(["text", "json"])], reads_only=True)
    elif choice in ("serve", "watch"):
        # long-running: only bad arguments are given, and each must end the command, at once
        common = [["--content", rng.choice(["nowhere/at/all", "content/site.yaml"])], ["--templates", "nowhere/at/all"],
                  ["--jobs", rng.choice(["0", "-1", "x"])]]
        if choice == "watch":
            args = ["build", "--watch", "--no-search", *rng.choice(common)]
        else:
            bad = rng.choice([["--port", rng.choice([p for p in PORTS if p not in GOOD_PORTS])],
                              ["--host", rng.choice(["", "evil host", "999.1.1.1", "a" * 300, "localhost:80", "\u202e",
                                                     "http://127.0.0.1/"])]] * 2 + common)
            args = ["serve", *bad]
        done = run(ex, args, timeout=8)
        if done.returncode is None:
            ex.problems[-1] += "\n  (a bad argument was accepted: the long-running command started instead of refusing it)"
    elif choice == "import":
        run(ex, ["import", rng.choice(PATHS)] + rng.choice([[], ["--year", rng.choice(YEARS)], ["--out", rng.choice(PATHS)]])
            + ["--dry-run"], reads_only=True)
    else:
        run(ex, rng.choice([[], ["--version"], ["--help"], ["nope"], ["build", "--nope"], ["-x"], ["check", "--content"]]))


def setup_example(base: Path, tmp_path: Path, index: int) -> Example:
    outside = tmp_path / "outside"  # beside the project: nothing may change here
    outside.mkdir()
    (outside / "canary.txt").write_text("keep me", encoding="utf-8")
    (outside / "outside.yaml").write_text("  a:   'not canonical'\n", encoding="utf-8")
    (outside / "site.yaml").write_text(SITE + "# outside\n", encoding="utf-8")
    (outside / "secret.txt").write_text("SECRET-outside-the-project", encoding="utf-8")
    (outside / "year").mkdir()
    (outside / "year" / "y.yaml").write_text(MINIMAL.replace("test-project", "outside").replace("2022", "2024"), encoding="utf-8")
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    return Example(index, project, outside)


@pytest.mark.parametrize("index", range(EXAMPLES), ids=lambda i: f"example_{i}")
def test_fuzz_cli(base: Path, tmp_path: Path, index: int):
    rng = random.Random(f"{SEED}:{index}")
    ex = setup_example(base, tmp_path, index)
    try:
        family = rng.choices(["content", "kind", "name", "state", "import", "arguments"], [5, 3, 2, 2, 2, 3])[0]
        if family == "content":
            plant_content(ex, rng)
        elif family == "kind":
            plant_kind(ex, rng)
        elif family == "name":
            plant_name(ex, rng)
        elif family == "state":
            plant_state(ex, rng)
        if family in ("content", "kind", "name", "state"):
            content_commands(ex, rng)
        elif family == "import":
            import_commands(ex, rng)
        else:
            argument_commands(ex, rng)
    finally:
        for folder, dirs, _ in os.walk(tmp_path):  # undo chmod 000 so that pytest can clean up
            for d in dirs:
                os.chmod(Path(folder, d), 0o755)
    if ex.problems:
        if log := os.environ.get("PERFSITE_FUZZ_LOG"):  # a long run: every failure as it happens
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(ex.report() + "\n" + "=" * 100 + "\n")
        pytest.fail(ex.report(), pytrace=False)
