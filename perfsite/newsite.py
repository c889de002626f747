"""``perfsite init``: a new site's files, the folder a budget unit starts from.

Everything is planned as text first (site config, one example project that validates with no
error or warning, the JSON Schemas, editor settings, git attributes and ignores, a README for
staff), then written only if none of it is already there: nothing existing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

from pydantic import ValidationError

from .atomic import write_files
from .config import CONFIG_NAME, SiteConfig

DEFAULT_UNIT = "示例单位"
DEFAULT_URL = "https://example.gov.cn/xxgk/jxmb/"
EXAMPLE_ID = "xinxi-gongkai"
GIT_CONFIG = ("diff.perfsite.command", "perfsite diff-driver")
GIT_CONFIG_LINE = f'git config {GIT_CONFIG[0]} "{GIT_CONFIG[1]}"'  # double quotes: sh, cmd and PowerShell
THEME_HINT = ("python -c \"import perfsite, os; "
              "print(os.path.join(os.path.dirname(perfsite.__file__), 'theme'))\"")


class NewSiteError(Exception):
    """Nothing was written; the message says why."""


def _q(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _canonical(text: str, name: str, kind: str) -> str:
    """The text as ``perfsite fmt`` writes it, so that a new site passes ``fmt --check``."""
    from .fmt import format_text

    out, _ = format_text(text, name, kind)  # type: ignore[arg-type]
    if out is None:  # a bug here, not the user's input: every value is quoted above
        raise NewSiteError(f"内部错误：生成的 {name} 无法解析 (generated file does not parse)")
    return out


def site_yaml(title: str, unit: str, url: str) -> str:
    return _canonical(f"""\
# 网站配置。各字段的说明见 schema/site.schema.json（在 VS Code 中悬停字段名可见）。
网站名称: {_q(title)}
发布单位: {_q(unit)}
# 网站正式地址（可带子路径）；改为贵单位网站上的实际地址
网址: {_q(url)}
语言: zh-CN
# 指标体系：classic（财预〔2015〕88号）或 2021（财预〔2021〕101号）；可在“年度”下按年指定，如 '2025': 2021
指标体系:
  默认: classic
# 政府信息公开目录信息：发布机构（默认为发布单位）、索引号格式，和各年度的批复日期、公开日期
# （项目文件未填时采用；公开日期应在批复后 20 日内）。例：
# 公开:
#   机构代码: 'XXXXXXXXXXXXXXXXXX'
#   索引号: '{{机构代码}}/{{年度}}-{{序号:03}}'
#   年度:
#     '2025': {{批复日期: '2025-02-10', 公开日期: '2025-02-24'}}
""", CONFIG_NAME, "site")


def example_project(year: int, unit: str) -> str:
    """A small real table (classic profile): 资金 adds up, cost ceilings add up to 资金总额, dates
    fall within the year, no placeholder left: it builds with no error and no warning."""
    return _canonical(f"""\
# 填写样例：{year} 年度项目支出绩效目标表（金额单位：万元）。
# 照此填写本单位的项目（perfsite new {year} 项目名称），之后删除本文件。
id: {EXAMPLE_ID}
年度: {year}
项目名称: 政府信息公开工作经费
主管部门及代码: {_q(unit)}
实施单位: {_q(unit)}
项目属性: 延续项目
项目期: 一年
# 真实的表写批复日期和公开日期（或在 site.yaml 的“公开”中为全年填写）；样例不是公开件，只写说明
公开说明: 填写样例，不是真实公开的表
资金:
  单位: 万元
  资金来源: 财政资金
  # 资金总额 = 财政拨款 + 其他资金；财政拨款 = 上级补助 + 本级安排
  资金总额: 12
  财政拨款: 12
  上级补助: 0
  本级安排: 12
  其他资金: 0
年度目标:
  - 目标1：按时、准确、完整公开本单位预算、决算和项目支出绩效目标，保障公众的知情权和监督权。
  - 目标2：做好门户网站信息公开栏目的运行维护，全年安全稳定运行。
绩效指标:
  产出:
    数量:
      - 三级指标: 主动公开政府信息条数
        指标值: ≥200条
      - 三级指标: 项目支出绩效目标公开率
        指标值: 100%
    质量:
      - 三级指标: 公开信息准确率
        指标值: ≥98%
    时效:
      - 三级指标: 预算及绩效目标公开时限
        指标值: {year}年3月31日
      - 三级指标: 工作完成时限
        指标值: {year}年12月31日
    成本:
      # 各项成本上限之和应等于资金总额
      - 三级指标: 网站运行维护费
        指标值: ≤8万元
      - 三级指标: 公开资料印制费
        指标值: ≤4万元
  效益:
    社会效益:
      - 三级指标: 公众获取政府信息的便利程度
        指标值: 明显提高
    可持续影响:
      - 三级指标: 信息公开工作制度化、规范化
        指标值: 长期坚持
  满意度:
    服务对象满意度:
      - 三级指标: 公众对信息公开工作的满意度
        指标值: ≥90%
""", f"{year}/{EXAMPLE_ID}.yaml", "project")


GITATTRIBUTES = """\
# 内容文件用 perfsite 做语义比较（资金、目标、指标，而不是 YAML 行）。
# 每个仓库副本还要运行一次：git config diff.perfsite.command "perfsite diff-driver"
content/**/*.yaml diff=perfsite
"""

GITIGNORE = """\
# perfsite build 的结果，以及它放在 output/ 旁边的缓存、时间戳、日志、锁和临时目录
# (the build's output and the cache, stamp, journal, lock and staging dirs beside it).
# 用 --output 换了输出目录时，照样改这两行。
/output/
/.output.*
__pycache__/
"""

VSCODE_SETTINGS = json.dumps({
    "files.encoding": "utf8",
    "yaml.schemas": {
        "./schema/project.schema.json": ["content/*/**/*.yaml", "!content/*/自评/**/*.yaml", "!content/*/部门/**/*.yaml"],
        "./schema/evaluation.schema.json": ["content/*/自评/**/*.yaml"],
        "./schema/department.schema.json": ["content/*/部门/**/*.yaml"],
        "./schema/site.schema.json": ["content/site.yaml"],
    },
    "[yaml]": {"editor.insertSpaces": True, "editor.tabSize": 2},
}, ensure_ascii=False, indent=2) + "\n"

VSCODE_EXTENSIONS = json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"


def readme(title: str, unit: str, year: int) -> str:
    nxt = year + 1
    return f"""\
# {title}

{unit}项目支出绩效目标表的公开网站，用 perfsite 生成。每个项目一个文件：`content/<年度>/<项目 id>.yaml`；网站名称、发布单位和网址在 `content/site.yaml`。`content/{year}/{EXAMPLE_ID}.yaml` 是填写样例，照它填好本单位的项目后删除。

## 准备

- 安装 perfsite（Python 3.11 及以上），装好后 `perfsite --version` 应显示版本号。
- 用 VS Code 打开本目录，安装它推荐的 YAML 扩展（Red Hat）：编辑时有字段补全、说明和错误提示（依据 `schema/` 中的 JSON Schema；升级 perfsite 后运行 `perfsite schema` 更新它们）。文件一律用 UTF-8 保存，缩进用空格。

## 常用命令（在本目录中运行）

| 要做的事 | 命令 |
|---|---|
| 新建一个项目 | `perfsite new {year} 项目名称`，再把文件中的（…）和 ** 换成实际内容 |
| 检查全部内容 | `perfsite check`：列出每个问题的文件、行和列 |
| 本机预览 | `perfsite serve`：浏览器打开它显示的地址（如 http://127.0.0.1:8000/），保存后自动刷新；Ctrl-C 停止 |
| 生成网站 | `perfsite build`：结果在 `output/`，把其中全部文件上传到网站（`site.yaml` 中的网址） |
| 统一格式 | `perfsite fmt` |
| 开始新年度 | `perfsite new {nxt} --from {year}`：复制全部项目，id 不变，年度和时效日期改为 {nxt} 年，再逐项修改 |
| 查看变化 | `perfsite diff {year} {nxt}`；与上一次提交比较：`perfsite diff HEAD~1 HEAD` |

有任何错误时 `perfsite build` 不写任何文件，`output/` 保持上一次的样子。

## 用 git 保存历史

`.gitattributes` 和 `.gitignore` 已经写好（`output/` 及其旁边的缓存文件不提交）。git 的比较程序设置不能随仓库提交，每个仓库副本（包括每次 `git clone` 之后）都要运行一次：

```sh
{GIT_CONFIG_LINE}
```

之后 `git diff -- content` 和 `git log -p --ext-diff -- content` 显示资金、目标和指标的变化。

## 修改页面（模板）

perfsite 自带默认主题。要改某个页面，只把主题中的**那一个文件**复制到本目录的 `templates/` 中（同名、同子目录，如 `templates/base.html`、`templates/static/site.css`）再修改；没有复制的文件继续使用主题，升级 perfsite 时自动更新。主题所在的目录：

```sh
{THEME_HINT}
```
"""


def _check_options(title: str, unit: str, url: str, year: int) -> None:
    for label, value in (("--unit 单位名称", unit), ("--title 网站标题", title)):
        if not value.strip():
            raise NewSiteError(f"{label} 不能为空 (must not be empty)")
        if any(ch in value for ch in "\r\n"):
            raise NewSiteError(f"{label} 只能有一行 (must be one line)")
    if not 1990 <= year <= 2100:
        raise NewSiteError(f"--year 年度 {year} 不在 1990–2100 之间 (year out of range)")
    try:
        SiteConfig.model_validate({"网站名称": title, "发布单位": unit, "网址": url})
    except ValidationError:
        raise NewSiteError(f"--url 网址「{url}」不是有效的 http(s) 地址 (not a valid URL)，"
                           f"如 {DEFAULT_URL}") from None


def plan(title: str, unit: str, url: str, year: int) -> dict[str, str]:
    """Every file of a new site, by its path (with /) under the site's folder."""
    from .builder import schema_files  # what `perfsite schema` writes

    title, unit, url = title.strip(), unit.strip(), url.strip()
    _check_options(title, unit, url, year)
    files = {
        f"content/{CONFIG_NAME}": site_yaml(title, unit, url),
        f"content/{year}/{EXAMPLE_ID}.yaml": example_project(year, unit),
    }
    files.update({f"schema/{name}": text for name, text in schema_files().items()})
    files.update({
        ".vscode/settings.json": VSCODE_SETTINGS,
        ".vscode/extensions.json": VSCODE_EXTENSIONS,
        ".gitattributes": GITATTRIBUTES,
        ".gitignore": GITIGNORE,
        "README.md": readme(title, unit, year),
    })
    return files


def conflicts(directory: Path, files: dict[str, str]) -> list[str]:
    """The planned paths (or folders on their way) already taken in ``directory``."""
    taken = set()
    for rel in files:
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            path = directory.joinpath(*parts[:depth])
            if depth == len(parts) and (path.exists() or path.is_symlink()):
                taken.add("/".join(parts[:depth]))
            elif depth < len(parts) and (path.is_symlink() or (path.exists() and not path.is_dir())):
                taken.add("/".join(parts[:depth]))
                break
    return sorted(taken)


def create(directory: Path, files: dict[str, str], force: bool = False) -> list[Path]:
    """Write a new site into ``directory`` (made if missing). A folder holding anything but
    ``.git`` is refused unless ``force``; even then, no existing file is overwritten: if any
    planned file exists, nothing is written."""
    if directory.exists() and not directory.is_dir():
        raise NewSiteError(f"{directory} 已存在且不是目录 (exists and is not a directory)")
    if directory.is_dir():
        present = sorted(p.name for p in directory.iterdir() if p.name != ".git")
        if present and not force:
            shown = "、".join(present[:5]) + ("…" if len(present) > 5 else "")
            raise NewSiteError(f"{directory} 不是空目录 (not empty)：{shown}；换一个新目录，"
                               "或加 --force 写入（已有的文件不会被覆盖 existing files are never overwritten）")
        taken = conflicts(directory, files)
        if taken:
            listed = "\n".join(f"  {directory / rel}" for rel in taken)
            raise NewSiteError(f"以下文件已存在，什么也没有写入 (these exist; nothing written)：\n{listed}\n"
                               "  = 提示 (hint): 移走或改名这些文件后再运行 perfsite init")
    written = {directory / rel: text for rel, text in files.items()}
    try:
        write_files(written, overwrite=False)  # all or none, and never over a file that exists
    except OSError as exc:
        raise NewSiteError(f"无法写入 (cannot write) {exc.filename or directory}：{exc.strerror or exc}；"
                           "什么也没有写 (nothing written)") from None
    return list(written)


def default_year() -> int:
    """The budget year being published: this calendar year."""
    return dt.date.today().year


def need_git() -> None:
    if shutil.which("git") is None:
        raise NewSiteError("--git：找不到 git 命令 (git not found)；安装 git，或去掉 --git")


def setup_git(directory: Path, init: bool) -> str | None:
    """``git init`` (when ``init``) and the diff driver's config in ``directory``'s own
    repository; the error text if git failed (the site's files are written either way)."""
    commands = ([["git", "init", "-q", str(directory)]] if init else []) + \
               [["git", "-C", str(directory), "config", *GIT_CONFIG]]
    for command in commands:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{' '.join(command[:3])}：{exc}"
        if done.returncode:
            return f"{' '.join(command)}：{done.stderr.strip() or done.returncode}"
    return None
