"""Command line: arguments → one function per command → exit status. Nothing else lives here.

Exit status: 0 success, 1 content errors, 2 wrong usage (argparse's own convention).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, NoReturn

from . import __version__
from .diagnostics import Diagnostic, os_problem, summary
from .importers import FORMATS as IMPORT_FORMATS
from .terminal import SafeStream

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.format(), file=sys.stderr)
    if diagnostics:
        print(summary(diagnostics), file=sys.stderr)


def _need_dir(path: Path, what: str) -> None:
    if not path.is_dir():
        raise SystemExit(_usage(f"找不到{what}目录 {path} (directory not found)"))


def _templates(args: argparse.Namespace) -> Path:
    """The site's templates: templates/ when there is one (or none: the packaged theme alone),
    else the folder --templates names, which must exist."""
    if args.templates is None:
        if os.path.lexists("templates") and not Path("templates").is_dir():  # not silently the theme alone
            raise SystemExit(_usage("templates 不是目录 (not a directory)：站点模板应放在 templates/ 目录中"))
        return Path("templates")
    _need_dir(args.templates, "模板 (templates) ")
    return args.templates


def _year_arg(text: str) -> int:
    """A budget year as a table can have one: 1990 to 2100, not 0 or 99999 (a folder check refuses)."""
    from .model import YEARS
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是年份，应为四位数字，如 2022 (not a year)") from None
    if year not in YEARS:
        raise argparse.ArgumentTypeError(f"年份 {year} 不在 {YEARS[0]}–{YEARS[-1]} 之间 (year out of range)")
    return year


def _port_arg(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是端口号 (not a port number)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口 {port} 不在 0–65535 之间 (port out of range)")
    return port


def _host_arg(text: str) -> str:
    """An address to listen on that the system can resolve: '' would listen everywhere, and a
    name with a space fails later as if the port were taken."""
    import socket
    try:
        if not text.strip() or text != text.strip():
            raise OSError
        socket.getaddrinfo(text, None)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(f"「{text}」不是本机可以监听的地址，如 127.0.0.1 或 0.0.0.0 "
                                         "(not an address to listen on)") from None
    return text


def _usage(message: str) -> int:
    print(f"perfsite: 错误 (error): {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_build(args: argparse.Namespace) -> int:
    from .builder import Builder, BuildResult

    _need_dir(args.content, "内容 (content) ")
    templates = _templates(args)
    from .progress import Progress

    progress = Progress()
    builder = Builder(args.content, templates, args.output, strict=args.strict, search=not args.no_search,
                      jobs=_jobs(args), progress=progress, keep=args.watch, pdf=args.pdf)

    def build() -> BuildResult:
        started = time.perf_counter()
        result = builder.build()
        progress.finish()
        _print_diagnostics(result.diagnostics)
        if not result.ok:
            print(f"构建失败 (build failed)：{args.output} 保持不变 (left unchanged)", file=sys.stderr)
            return result
        elapsed = time.perf_counter() - started
        print(f"完成 → {args.output}：写入 {len(result.written)} 个文件（其中页面 {result.pages} 个），"
              f"未变 {result.unchanged}，删除 {len(result.removed)}；用时 {elapsed:.2f} 秒"
              f" (written {len(result.written)}, unchanged {result.unchanged}, removed {len(result.removed)})",
              flush=True)
        return result

    if args.watch:
        from . import watch

        return watch.run(builder, watch.roots(args.content, templates), build, progress)
    return EXIT_OK if build().ok else EXIT_CONTENT


def cmd_check(args: argparse.Namespace) -> int:
    from .builder import check

    _need_dir(args.content, "内容 (content) ")
    content, diagnostics = check(args.content, strict=args.strict, jobs=_jobs(args), output=args.output)
    _print_diagnostics(diagnostics)
    if any(d.level.value == "error" for d in diagnostics):
        return EXIT_CONTENT
    evaluated = f"、{len(content.evaluations)} 张自评表" if content.evaluations else ""
    departments = f"、{len(content.departments)} 张部门整体支出绩效目标表" if content.departments else ""
    print(f"检查通过 (check passed)：{len(content.entries)} 个项目{evaluated}{departments}")
    return EXIT_OK


def _jobs(args: argparse.Namespace) -> int:
    """--jobs, by default the core count."""
    from .parallel import cpu_count

    return args.jobs or cpu_count()


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1 (argparse reports it, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为不小于 1 的整数 (a whole number, at least 1)：{text}")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import Preview

    _need_dir(args.content, "内容 (content) ")
    templates = _templates(args)
    jobs = _jobs(args)
    explicit = args.port is not None
    preview = Preview(args.content, templates, args.host, args.port if explicit else 8000,
                      explicit_port=explicit, jobs=jobs)
    return preview.run(open_browser=args.open)


def _color(choice: str) -> bool:
    """Whether diff colours its lines; when it does, stdout lets colour (and only colour) through."""
    color = choice == "always" or (choice == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if color and isinstance(sys.stdout, SafeStream):
        sys.stdout.colour = True
    return color


def cmd_diff(args: argparse.Namespace) -> int:
    """Projects, then self-evaluations, then department tables; a file that does not validate is
    named, left out, and makes the exit status 1 (the comparison is not whole)."""
    from . import departmentdiff, diff as semantic, evaldiff
    from .snapshot import SnapshotError, resolve

    jobs = _jobs(args)
    try:
        old, new = resolve(args.old, args.content, jobs), resolve(args.new, args.content, jobs)
    except SnapshotError as exc:
        return _usage(str(exc))
    for problem in old.problems + new.problems:
        print(f"{problem.format()}\n  （此文件未参与比较 skipped）", file=sys.stderr)
    result = semantic.diff_snapshots(old.projects, new.projects, old.label, new.label)
    evaluations = evaldiff.diff_evaluation_snapshots(old.evaluations, new.evaluations)
    if old.evaluations and not new.evaluations and _years(old) != _years(new):
        # a later year whose self-evaluations are not written yet (they come after its year): not removals
        print("（新的一年还没有自评表，自评表未参与比较 self-evaluations not compared: none yet）", file=sys.stderr)
        evaluations = evaldiff.EvaluationsDiff()
    departments = departmentdiff.diff_department_snapshots(old.departments, new.departments)
    if args.format == "json":
        sys.stdout.write(departmentdiff.to_json(result, evaluations, departments))
    elif args.format == "markdown":
        sys.stdout.write(departmentdiff.to_markdown(result, evaluations, departments))
    else:
        sys.stdout.write(departmentdiff.to_text(result, evaluations, departments, color=_color(args.color)))
    if old.problems or new.problems:
        return EXIT_CONTENT
    changed = result.changed or evaluations.changed or departments.changed
    return EXIT_CONTENT if args.exit_code and changed else EXIT_OK


def _years(snapshot: Any) -> set[int]:
    """The budget years a snapshot's tables are of."""
    return ({p.year for p, _ in snapshot.projects} | {e.year for e, _ in snapshot.evaluations}
            | {d.year for d, _ in snapshot.departments})


def cmd_diff_driver(args: argparse.Namespace) -> int:
    """git's external diff protocol: path old-file old-hex old-mode new-file new-hex new-mode.
    The files are git's temporary copies: ``path`` says whether they hold a project, a 自评表 or a
    部门整体支出绩效目标表."""
    from . import departmentdiff, diff as semantic, evaldiff
    from .snapshot import Snapshot, read_file

    sides = []
    for file in (args.old_file, args.new_file):
        snap = Snapshot(args.path)
        if file != "/dev/null" and Path(file).is_file():
            snap = read_file(Path(file), args.path)
            for problem in snap.problems:
                print(problem.format(), file=sys.stderr)
        sides.append(snap)
    result = semantic.diff_snapshots([(p, args.path) for p, _ in sides[0].projects],
                                     [(p, args.path) for p, _ in sides[1].projects], f"a/{args.path}", f"b/{args.path}")
    evaluations = evaldiff.diff_evaluation_snapshots([(e, args.path) for e, _ in sides[0].evaluations],
                                                     [(e, args.path) for e, _ in sides[1].evaluations])
    departments = departmentdiff.diff_department_snapshots([(d, args.path) for d, _ in sides[0].departments],
                                                           [(d, args.path) for d, _ in sides[1].departments])
    sys.stdout.write(departmentdiff.to_text(result, evaluations, departments, color=_color(args.color)))
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .config import load_config
    from .scaffold import ScaffoldError, new_project, new_year
    from .taxonomy import PROFILES

    if args.self_evaluation is not None:
        return _new_evaluation(args)
    if args.department:
        return _new_department(args)
    if args.department_name is not None:
        return _usage("--name 只与 --department 同用 (--name goes with --department)")
    if (args.name is None) == (args.from_year is None):
        return _usage("请给出项目名称 NAME，或用 --from 年度 复制上一年，或用 --self-evaluation ID 新建自评表 "
                      "(give NAME, --from YEAR or --self-evaluation ID)")
    if args.name is not None and not args.name.strip():
        return _usage("项目名称 NAME 不能为空 (empty project name)")
    _need_dir(args.content, "内容 (content) ")
    config, _ = load_config(args.content)
    try:
        if args.from_year is not None:
            written, kept = new_year(args.content, args.year, args.from_year, force=args.force)
            print(f"已从 {args.from_year} 年复制 {len(written)} 个项目到 {args.content / str(args.year)}"
                  f"（id 不变，年度、时效日期和注释里的“{args.from_year}年度”“（{args.from_year} 年）”已改为 {args.year}）")
            _kept_mentions(kept, args.from_year, args.year)
            if config and config.profile(args.year).key != config.profile(args.from_year).key:
                print(f"注意：{args.year} 年使用 {config.profile(args.year).key} 指标体系，"
                      f"{args.from_year} 年使用 {config.profile(args.from_year).key}；请在 site.yaml 中核对")
        else:
            profile = config.profile(args.year) if config else PROFILES["classic"]
            path = new_project(args.content, args.year, args.name, args.id, config, profile, force=args.force)
            print(f"已创建 (created) {path}")
    except ScaffoldError as exc:
        return _usage(str(exc))
    return EXIT_OK


def _year_site(args: argparse.Namespace) -> tuple[Any, Any]:
    """The content folder's site.yaml (None without one) and the taxonomy of ``args.year``: what a
    scaffold of that year is written in."""
    from .config import load_config
    from .taxonomy import PROFILES

    _need_dir(args.content, "内容 (content) ")
    config, _ = load_config(args.content)
    return config, config.profile(args.year) if config else PROFILES["classic"]


def _new_evaluation(args: argparse.Namespace) -> int:
    """perfsite new YEAR --self-evaluation ID: the year-end self-evaluation of a target table."""
    from .evaluation import DEFAULT_WEIGHTS
    from .scaffold import ScaffoldError, new_evaluation

    if args.name is not None or args.from_year is not None or args.id is not None:
        return _usage("--self-evaluation ID 不与项目名称 NAME、--from、--id 同用：自评表的项目就是目标表 ID "
                      "(--self-evaluation takes no NAME, --from or --id)")
    config, profile = _year_site(args)
    try:
        weights = config.weights(args.year) if config else DEFAULT_WEIGHTS
        path = new_evaluation(args.content, args.year, args.self_evaluation, profile, weights, force=args.force)
    except ScaffoldError as exc:
        return _usage(str(exc))
    print(f"已创建自评表 (created) {path}：填写每个（填写…），再运行 perfsite check")
    return EXIT_OK


def _new_department(args: argparse.Namespace) -> int:
    """perfsite new YEAR --department [--name 部门名称]: the department's 整体支出绩效目标表."""
    from .scaffold import ScaffoldError, new_department

    if args.name is not None or args.from_year is not None or args.id is not None:
        return _usage("--department 不与项目名称 NAME、--from、--id 同用；部门名称用 --name 指定 "
                      "(--department takes no NAME, --from or --id; give the department with --name)")
    config, profile = _year_site(args)
    try:
        path = new_department(args.content, args.year, args.department_name, config, profile)
    except ScaffoldError as exc:
        return _usage(str(exc))
    print(f"已创建部门整体支出绩效目标表 (created) {path}：年度主要任务取自本年度的项目；"
          "填写每个（填写…），再运行 perfsite check")
    return EXIT_OK


def _kept_mentions(kept: list[tuple[Path, int, str]], old: int, new: int, shown: int = 20) -> None:
    """Where a copied file still names last year, as it was: perhaps last year's, perhaps not."""
    if not kept:
        return
    print(f"注意：复制的文件中有 {len(kept)} 行仍提到 {old}，照原样保留（可能说的是上一年）；"
          f"说的若是本年度，请改为 {new} (kept as written: check these lines)")
    for path, line, text in kept[:shown]:
        print(f"  {path}:{line}: {text}")
    if len(kept) > shown:
        print(f"  …… 另有 {len(kept) - shown} 行")


def cmd_init(args: argparse.Namespace) -> int:
    from . import newsite

    year = args.year or newsite.default_year()
    unit = args.unit or newsite.DEFAULT_UNIT
    title = args.title or f"{unit}项目支出绩效目标公开"
    try:
        if args.git:
            newsite.need_git()
        files = newsite.plan(title, unit, args.url or newsite.DEFAULT_URL, year)
        written = newsite.create(args.directory, files, force=args.force)
    except newsite.NewSiteError as exc:
        return _usage(str(exc))
    print(f"已创建新网站 (new site created)：{args.directory}（{len(written)} 个文件 files）")
    for path in written:
        print(f"  {path}")
    if args.git or (args.directory / ".git").exists():
        problem = newsite.setup_git(args.directory, init=args.git)
        if problem:
            print(f"perfsite: 警告 (warning): git 设置失败 (git setup failed)：{problem}\n"
                  f"  = 提示 (hint): 在 {args.directory} 中运行 {newsite.GIT_CONFIG_LINE}", file=sys.stderr)
        else:
            print(f"git：已设置语义比较 (diff driver set)：{newsite.GIT_CONFIG_LINE}")
    else:
        print(f"git：建立仓库 (git init) 后，在其中运行一次（每个副本都要运行，不能提交）：\n  {newsite.GIT_CONFIG_LINE}")
    unset = [name for name, given in (("发布单位 (--unit)", args.unit), ("网址 (--url)", args.url)) if not given]
    if unset:
        print(f"注意 (note)：content/site.yaml 中的{'和'.join(unset)}是示例值，请改为本单位的 (placeholders: set yours)")
    print(f"下一步 (next)：cd {args.directory} && perfsite check && perfsite serve（说明见 README.md）")
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from .fmt import format_paths

    paths = args.paths or [args.content]
    missing = [p for p in paths if not p.exists()]
    if missing:
        return _usage(f"找不到 {missing[0]} (not found)")
    jobs = _jobs(args)
    result = format_paths(paths, check=args.check, content_root=args.content, jobs=jobs)
    _print_diagnostics(result.diagnostics)
    verb = "需要格式化 (would reformat)" if args.check else "已格式化 (reformatted)"
    for path in result.changed:
        print(f"{verb} {path}")
    if args.check and result.changed:
        print(f"{len(result.changed)} 个文件不是规范格式；运行 perfsite fmt 修正", file=sys.stderr)
        return EXIT_CONTENT
    if result.diagnostics:
        return EXIT_CONTENT
    if not result.changed:
        print("全部文件已是规范格式 (all files already formatted)")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .importers import run

    planned, errors = run.plan(args.files, chosen=args.format, year=args.year, out=args.out, content=args.content,
                               draft=args.draft)
    for error in errors:
        print(f"perfsite: 错误 (error): {error}", file=sys.stderr)
    if errors:
        print("导入失败 (import failed)：没有写入任何文件 (nothing written)", file=sys.stderr)
        return EXIT_CONTENT
    guesses = 0
    for p in planned:
        lines = p.guess_lines
        guesses += len(lines)
        print(f"{p.item.origin} → {p.path}（{p.item.title}；{len(lines)} 处推测 guesses）")
        print(f"  {run.summary(p.item)}")
        for number, message in lines:
            print(f"  {p.path}:{number}: 推测 (guess) {message}")
        for d in p.diagnostics:
            print("  " + d.format().replace("\n", "\n  "), file=sys.stderr)
    print(f"共 {len(planned)} 个项目，{guesses} 处推测需要人工核对 ({len(planned)} projects, {guesses} guesses to review)")
    if args.dry_run:
        print("试运行 (dry run)：没有写入文件")
    else:
        refusals = run.write(planned, args.force)
        for refusal in refusals:
            print(f"perfsite: 错误 (error): {refusal}", file=sys.stderr)
        if refusals:
            return EXIT_CONTENT
        print(f"已写入 {len(planned)} 个文件 (written)")
    return EXIT_CONTENT if run.has_errors(planned) else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .builder import schema_files

    from .atomic import write_files

    files = {args.output / name: text for name, text in schema_files().items()}
    write_files(files)
    for path in files:
        print(f"已写入 (wrote) {path}")
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors worded as every other usage error of the CLI."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 错误 (error): {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="perfsite",
        description="项目支出绩效目标表静态网站生成器。\n"
                    "A static site generator for project expenditure performance-target tables.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="退出状态 (exit status)：0 成功 success，1 内容有错误 content errors，2 用法错误 wrong usage",
    )
    parser.add_argument("--version", action="version", version=f"perfsite {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令 (command)")

    def command(name: str, func: Callable[[argparse.Namespace], int], line: str,
                description: str) -> argparse.ArgumentParser:
        """A subcommand: a one-line help for the list, and a description in both languages whose
        line breaks are kept."""
        p = sub.add_parser(name, help=line, description=description,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    def content_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                       help="内容目录 content directory（默认 default: content/）")

    def templates_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--templates", type=Path, default=None, metavar="DIR",
                       help="本站模板目录，其中的文件覆盖内置主题的同名文件 the site's templates, each file "
                            "overriding the packaged theme's（默认 default: templates/，可以没有 may be absent）")

    def strict_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--strict", action="store_true",
                       help="把警告当作错误 treat warnings as errors")

    def jobs_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                       help="并行进程数 worker processes（默认 CPU 核数 default: the core count）")

    p = command("build", cmd_build, "检查并生成网站 validate and build the site",
                "检查全部内容，无错误时生成网站到输出目录；有错误时输出目录保持不变。\n"
                "Validate all content and, if there is no error, build the site; "
                "on any error the output directory is left as it was.")
    content_opt(p)
    templates_opt(p)
    p.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                   help="输出目录 output directory（默认 default: output/）")
    strict_opt(p)
    p.add_argument("--no-search", action="store_true", help="不生成全文搜索索引 skip the pagefind search index")
    p.add_argument("--pdf", action="store_true",
                   help="同时生成 PDF 附件（每个项目、每个部门每年度；较慢，需要 WeasyPrint），与 site.yaml 的 "
                        "pdf: true 相同 also build the PDF attachments, as pdf: true in site.yaml does")
    jobs_opt(p)
    p.add_argument("--watch", "-w", action="store_true",
                   help="生成后继续监视内容和模板，每次保存后增量重新生成到输出目录，按 Ctrl-C 停止 "
                        "keep watching content and templates and rebuild the output on every save "
                        "(Ctrl-C stops; exit 1 if an error stands then)")

    p = command("check", cmd_check, "只检查内容 validate content only",
                "检查全部内容文件并列出所有问题（file:line:col）。\n"
                "Validate every content file and list every problem (file:line:col).")
    content_opt(p)
    strict_opt(p)
    jobs_opt(p)
    p.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                   help="上次构建的输出目录：读它旁边的缓存，只检查此后改过的文件 "
                        "the last build's output, whose cache spares re-reading unchanged files（默认 default: output/）")

    p = command("serve", cmd_serve, "本地实时预览 live preview with reload on save",
                "生成网站并在本机提供预览；保存内容或模板后自动重新生成并刷新浏览器，"
                "有错误时浏览器显示错误页。\n"
                "Build the site and serve a live preview on this machine; every save rebuilds "
                "what changed and reloads the browser, and errors are shown in the browser.")
    content_opt(p)
    templates_opt(p)
    p.add_argument("--host", type=_host_arg, default="127.0.0.1",
                   help="监听地址 address to listen on（默认仅本机 default loopback only: 127.0.0.1）")
    p.add_argument("--port", type=_port_arg, default=None,
                   help="端口 port（默认 8000，被占用时自动换下一个；0 = 任选空闲端口 any free port）")
    p.add_argument("--open", action="store_true", help="在浏览器中打开 open in a browser")
    jobs_opt(p)

    p = command("new", cmd_new, "新建项目或新年度 scaffold a project or a new year",
                "perfsite new 2023 项目名称：新建一个项目文件（带占位符）。\n"
                "perfsite new 2023 --from 2022：把 2022 年的全部项目复制为 2023 年（id 不变，"
                "年度与时效日期改为新年度），再逐项修改。\n"
                "perfsite new 2022 --self-evaluation ID：为 2022 年目标表 ID 新建项目支出绩效自评表"
                "（content/2022/自评/ID.yaml，指标取自目标表，实际完成值和得分待填）。\n"
                "perfsite new 2023 --department [--name 部门名称]：新建部门(单位)整体支出绩效目标表"
                "（content/2023/部门/<部门>.yaml，年度主要任务按本年度该部门的项目预填，金额换算为万元）。\n"
                "Scaffold one project file, start a year as a copy of another, scaffold the "
                "year-end self-evaluation of a target table, or the department's own table (its tasks "
                "pre-filled from the year's projects).")
    p.add_argument("year", type=_year_arg, metavar="YEAR", help="年度 budget year")
    p.add_argument("name", nargs="?", metavar="NAME", help="项目名称 project name")
    p.add_argument("--from", dest="from_year", type=_year_arg, metavar="OLDYEAR", help="复制此年度 copy this year")
    p.add_argument("--id", help="项目 id（默认由名称生成）project id (default: derived from NAME)")
    p.add_argument("--self-evaluation", metavar="ID",
                   help="为目标表 ID 新建自评表 content/YEAR/自评/ID.yaml "
                        "scaffold the self-evaluation of target table ID")
    p.add_argument("--department", action="store_true",
                   help="新建部门整体支出绩效目标表 content/YEAR/部门/<部门>.yaml（不覆盖已有文件）"
                        "scaffold the department's own table (never overwrites)")
    p.add_argument("--name", dest="department_name", metavar="部门名称",
                   help="与 --department 同用：部门名称（默认：本年度项目唯一的主管部门）"
                        "with --department: the department (default: the one the year's projects name)")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 overwrite existing files")
    content_opt(p)

    p = command("init", cmd_init, "新建网站目录 start a new site in a new folder",
                "在 DIR 中建立一个新网站：content/site.yaml、一个示例项目、schema/ 中的 JSON Schema、"
                "VS Code 设置、.gitattributes、.gitignore 和中文 README。\n"
                "DIR 须为空目录（或不存在；只有 .git 也算空）；--force 允许写入非空目录，但已有的文件绝不覆盖："
                "只要有一个要写的文件已存在，就什么也不写并列出它们（退出状态 2）。\n"
                "Create a new site in DIR: site config, one example project, JSON Schemas, editor "
                "settings, git attributes and ignores, and a README for staff. DIR must be empty (but for .git) or "
                "missing; --force allows a non-empty DIR, but never overwrites a file: if any exists, "
                "nothing is written.")
    p.add_argument("directory", type=Path, metavar="DIR", help="新网站的目录 the new site's folder")
    p.add_argument("--unit", metavar="单位名称", help="发布单位全称 the publishing unit（默认 default: 示例单位）")
    p.add_argument("--title", metavar="网站标题", help="网站名称 site title（默认 default: <单位名称>项目支出绩效目标公开）")
    p.add_argument("--url", metavar="网址", help="网站正式地址 the site's URL（默认 default: https://example.gov.cn/xxgk/jxmb/）")
    p.add_argument("--year", type=_year_arg, metavar="YEAR", help="示例项目的年度 the example's budget year（默认 default: 今年 this year）")
    p.add_argument("--git", action="store_true",
                   help="运行 git init 并设置语义比较 run git init and set the diff driver "
                        "（DIR 已是 git 仓库时自动设置 set anyway when DIR is already a repository）")
    p.add_argument("--force", action="store_true",
                   help="允许非空目录，已有文件不覆盖 allow a non-empty DIR; existing files are never overwritten")

    p = command("fmt", cmd_fmt, "规范格式 canonical formatting of content files",
                "把内容文件改写为规范格式（字段按表样顺序、块格式、中文原样、易误读的值加引号），"
                "保留注释；重复运行结果不变。--check 只列出需要改写的文件并以 1 退出。\n"
                "Rewrite content files into one canonical form, keeping comments; "
                "--check lists files that would change and exits 1.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATHS",
                   help="文件或目录 files or directories（默认 default: --content）")
    p.add_argument("--check", action="store_true", help="只检查不改写 check only, exit 1 if any would change")
    content_opt(p)
    jobs_opt(p)

    p = command("import", cmd_import, "导入预算系统导出表、Excel 表样或 PDF 文本 import existing disclosures",
                "把预算管理一体化系统导出的明细表（.xlsx/.csv）、Excel 表样（每个工作表一个项目）"
                "或从 PDF 提取的文本转换为规范的 YAML 内容文件；项目支出绩效自评表（表样或明细导出）"
                "写到 content/<年度>/自评/。每处推测都列在报告中，"
                "并作为注释写在对应位置，供人工核对。已存在的文件不会被覆盖（除非 --force）。\n"
                "Import budget-system exports, Excel forms or PDF-extracted text into canonical YAML "
                "(self-evaluations into content/<year>/自评/); "
                "every guess is reported and left as a comment at its row.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="要导入的文件 files to import")
    p.add_argument("--year", type=_year_arg, help="预算年度（表中没有时必填）budget year")
    p.add_argument("--out", type=Path, metavar="DIR", help="写到此目录（默认 content/<年度>/）output directory")
    p.add_argument("--format", choices=IMPORT_FORMATS, default="auto",
                   help="输入格式（默认按扩展名判断）input format (default: auto)")
    p.add_argument("--dry-run", action="store_true", help="只显示结果不写文件 report only, write nothing")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 overwrite existing files")
    p.add_argument("--draft", action="store_true",
                   help="有单元格放不进字段的表也写出，作为草稿：每个放不进的单元格写成“# 导入提示”注释，"
                        "人工补全之前 perfsite check 不通过 write a table that could not be fully placed as a "
                        "draft that check refuses until fixed")
    content_opt(p)

    p = command("diff", cmd_diff, "比较两个年度/目录/文件/git 版本 semantic diff of content",
                "逐项比较两份内容：项目增删改名、资金变化、年度目标（逐字）、指标增删改与移动。\n"
                "OLD 和 NEW 可以是年度（2022）、目录、文件，或 git 版本（HEAD~1、标签、REV:路径）。\n"
                "Semantic diff; OLD and NEW may be years, directories, files or git revisions.")
    p.add_argument("old", metavar="OLD", help="旧版本 old side")
    p.add_argument("new", metavar="NEW", help="新版本 new side")
    content_opt(p)
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="输出格式 output format（默认 default: text）")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="彩色输出 colour（默认 default: auto = 终端时 on a terminal）")
    p.add_argument("--exit-code", action="store_true", help="有差异时退出状态为 1 exit 1 when there are differences")
    jobs_opt(p)

    p = command("diff-driver", cmd_diff_driver, "git 外部比较程序 git external diff driver (see README)",
                "供 git 调用：git config diff.perfsite.command 'perfsite diff-driver'。\n"
                "Called by git as an external diff driver (see README).")
    for name in ("path", "old_file", "old_hex", "old_mode", "new_file", "new_hex", "new_mode"):
        p.add_argument(name)
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=argparse.SUPPRESS)

    p = command("schema", cmd_schema, "写出 JSON Schema write the JSON Schemas for editors",
                "写出项目文件和 site.yaml 的 JSON Schema，供编辑器补全和提示。\n"
                "Write the JSON Schemas of project files and site.yaml for editor completion.")
    p.add_argument("--output", type=Path, default=Path("schema"), metavar="DIR",
                   help="写到此目录 write into this directory（默认 default: schema/）")
    return parser


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing more to say, to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # the machine's state, not a bug: a full disk, a limit, a permission
        message, hint = os_problem(exc)
        print(f"perfsite: 错误 (error): {message}" + (f"\n  = 提示 (hint): {hint}" if hint else ""), file=sys.stderr)
        return 1
    except MemoryError:
        print("perfsite: 错误 (error): 内存不足 (out of memory)\n"
              "  = 提示 (hint): 关闭其他程序，或用 --jobs 1；检查 ulimit -v", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in perfsite, not in the user's content
        if os.environ.get("PERFSITE_DEBUG"):
            raise
        print(f"perfsite: 内部错误 (internal error): {type(exc).__name__}: {exc}\n"
              "  = 提示 (hint): 这是 perfsite 的缺陷，请附上命令和内容文件报告；"
              "设置 PERFSITE_DEBUG=1 可显示完整调用栈", file=sys.stderr)
        return 3
