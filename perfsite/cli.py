"""Command line: arguments → one function per command → exit status. Nothing else lives here.

Exit status: 0 success, 1 content errors, 2 wrong usage (argparse's own convention).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic, summary

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.format(), file=sys.stderr)
    if diagnostics:
        print(summary(diagnostics), file=sys.stderr)


def _need_dir(path: Path, what: str) -> None:
    if not path.is_dir():
        raise SystemExit(_usage(f"找不到{what}目录 {path} (directory not found)"))


def _usage(message: str) -> int:
    print(f"perfsite: 错误 (error): {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_build(args: argparse.Namespace) -> int:
    from .builder import build

    _need_dir(args.content, "内容 (content) ")
    _need_dir(args.templates, "模板 (templates) ")
    started = time.perf_counter()
    result = build(args.content, args.templates, args.output, strict=args.strict)
    _print_diagnostics(result.diagnostics)
    if not result.ok:
        print(f"构建失败 (build failed)：{args.output} 保持不变 (left unchanged)", file=sys.stderr)
        return EXIT_CONTENT
    elapsed = time.perf_counter() - started
    print(f"已生成 {result.pages} 个页面、共 {result.files} 个文件 → {args.output}（{elapsed:.2f} 秒）"
          f" (built {result.pages} pages, {result.files} files)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .builder import check

    _need_dir(args.content, "内容 (content) ")
    content, diagnostics = check(args.content, strict=args.strict)
    _print_diagnostics(diagnostics)
    if any(d.level.value == "error" for d in diagnostics):
        return EXIT_CONTENT
    print(f"检查通过 (check passed)：{len(content.entries)} 个项目")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import Preview

    _need_dir(args.content, "内容 (content) ")
    _need_dir(args.templates, "模板 (templates) ")
    explicit = args.port is not None
    preview = Preview(args.content, args.templates, args.host, args.port if explicit else 8000,
                      explicit_port=explicit)
    return preview.run(open_browser=args.open)


def cmd_schema(args: argparse.Namespace) -> int:
    from .builder import schema_files

    args.output.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        (args.output / name).write_text(text, encoding="utf-8")
        print(f"已写入 (wrote) {args.output / name}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfsite",
        description="项目支出绩效目标表静态网站生成器。\n"
                    "A static site generator for project expenditure performance-target tables.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="退出状态 (exit status)：0 成功 success，1 内容有错误 content errors，2 用法错误 wrong usage",
    )
    parser.add_argument("--version", action="version", version=f"perfsite {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令 (command)")

    def content_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                       help="内容目录 content directory（默认 default: content/）")

    def strict_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--strict", action="store_true",
                       help="把警告当作错误 treat warnings as errors")

    p = sub.add_parser("build", help="检查并生成网站 validate and build the site",
                       description="检查全部内容，无错误时生成网站到输出目录；有错误时输出目录保持不变。\n"
                                   "Validate all content and, if there is no error, build the site; "
                                   "on any error the output directory is left as it was.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    content_opt(p)
    p.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                   help="模板目录 templates directory（默认 default: templates/）")
    p.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                   help="输出目录 output directory（默认 default: output/）")
    strict_opt(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="只检查内容 validate content only",
                       description="检查全部内容文件并列出所有问题（file:line:col）。\n"
                                   "Validate every content file and list every problem (file:line:col).",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    content_opt(p)
    strict_opt(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", help="本地实时预览 live preview with reload on save",
                       description="生成网站并在本机提供预览；保存内容或模板后自动重新生成并刷新浏览器，"
                                   "有错误时浏览器显示错误页。\n"
                                   "Build the site and serve a live preview on this machine; every save rebuilds "
                                   "what changed and reloads the browser, and errors are shown in the browser.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    content_opt(p)
    p.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                   help="模板目录 templates directory（默认 default: templates/）")
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址 address to listen on（默认仅本机 default loopback only: 127.0.0.1）")
    p.add_argument("--port", type=int, default=None,
                   help="端口 port（默认 8000，被占用时自动换下一个；0 = 任选空闲端口 any free port）")
    p.add_argument("--open", action="store_true", help="在浏览器中打开 open in a browser")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schema", help="写出 JSON Schema write the JSON Schemas for editors",
                       description="写出项目文件和 site.yaml 的 JSON Schema，供编辑器补全和提示。\n"
                                   "Write the JSON Schemas of project files and site.yaml for editor completion.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", type=Path, default=Path("schema"), metavar="DIR",
                   help="写到此目录 write into this directory（默认 default: schema/）")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
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
    except Exception as exc:  # a bug in perfsite, not in the user's content
        if os.environ.get("PERFSITE_DEBUG"):
            raise
        print(f"perfsite: 内部错误 (internal error): {type(exc).__name__}: {exc}\n"
              "  = 提示 (hint): 这是 perfsite 的缺陷，请附上命令和内容文件报告；"
              "设置 PERFSITE_DEBUG=1 可显示完整调用栈", file=sys.stderr)
        return 3
