"""The site config (``content/site.yaml``): who publishes, where, and which taxonomy and form each year uses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Iterable

from pydantic import (AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, create_model,
                      field_validator, model_validator)

from .diagnostics import Diagnostic, Level, display_path
from .forms import CLASSIC, FORMS
from .evaluation import BUDGET, DEFAULT_WEIGHTS
from .disclosure import PATTERN_FIELDS, Metadata, Table, catalogue, check_pattern, problems
from .model import DATE_FIELDS, Amount, Dates, FormSpec, Project, diagnostics_from
from .source import Source, load_file
from .taxonomy import PROFILES, Profile
from .values import fmt_amount

CONFIG_NAME = "site.yaml"
ProfileKey = Annotated[str, Field(json_schema_extra={"enum": list(PROFILES)})]


def _year_keys(value: dict[str, Any]) -> dict[str, Any]:
    for year in value:
        if not (year.isdigit() and len(year) == 4):
            raise ValueError(f"年度「{year}」应为四位数字")
    return value


class _ByYear(BaseModel):
    """A choice made per budget year: a default, and the years that differ from it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    @field_validator("years", check_fields=False)
    @classmethod
    def _four_digits(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _year_keys(value)

    def of(self, year: int) -> Any:
        return self.years.get(str(year), self.default)  # type: ignore[attr-defined]


def _check_profile(key: str) -> str:
    if key not in PROFILES:
        raise ValueError(f"未知的指标体系「{key}」，可选：{'、'.join(PROFILES)}")
    return key


class Taxonomy(_ByYear):
    default: Annotated[ProfileKey, AfterValidator(_check_profile)] = Field(
        "classic", alias="默认", description="未单独指定的年度使用的指标体系")
    years: dict[str, Annotated[ProfileKey, AfterValidator(_check_profile)]] = Field(
        default_factory=dict, alias="年度", description="按年度指定：年度: classic 或 2021")


class Forms(_ByYear):
    default: FormSpec = Field(CLASSIC, alias="默认", description="未单独指定的年度使用的表样")
    years: dict[str, FormSpec] = Field(default_factory=dict, alias="年度",
                                       description="按年度指定：年度: " + " 或 ".join(FORMS) + "，或栏目列表")


def _weights(value: dict[str, Decimal]) -> dict[str, Decimal]:
    known = (BUDGET, *dict.fromkeys(name for profile in PROFILES.values() for name in profile.tree))
    for name in value:
        if name not in known:
            raise ValueError(f"「{name}」不是预算执行或一级指标；可用：{'、'.join(known)}")
    total = sum(value.values(), Decimal(0))
    if total != 100:
        raise ValueError(f"分值合计 {fmt_amount(total)}，应为 100")
    return value


Weights = Annotated[dict[str, Amount], AfterValidator(_weights)]


class Scoring(_ByYear):
    """The points of a self-evaluation's 预算执行 and 一级 categories (财预〔2020〕10号's by default)."""

    default: Weights = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS), alias="默认", description=(
        "未单独指定的年度的分值，默认 预算执行 10、产出 50、效益 30、满意度 10（2021 体系的成本计入产出）"))
    years: dict[str, Weights] = Field(default_factory=dict, alias="年度", description="按年度指定：年度: {预算执行: 10, 产出: 50, …}")


_YEAR_DATES = {"approved": "该年度各表的批复日期（YYYY-MM-DD）", "published": "该年度各表的公开日期（YYYY-MM-DD）",
               "disclosure_note": "该年度各表未载明日期或逾期公开的原因"}
# A year's dates are the fields a project file gives, under the same keys; a file's own win.
YearDates = create_model(
    "YearDates", __config__=ConfigDict(extra="forbid", frozen=True, populate_by_name=False),
    **{name: (Project.model_fields[name].annotation,
              Field(None, alias=Project.model_fields[name].alias, description=_YEAR_DATES[name]))
       for name in DATE_FIELDS})


class Disclosure(BaseModel):
    """How the site's tables stand in the 政府信息公开目录: who publishes them, the unit's 索引号
    pattern, and each year's 批复日期 / 公开日期 for the tables that do not give their own."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    organ: str | None = Field(None, alias="发布机构", min_length=1, description="发布机构；不填则为发布单位")
    code: str | None = Field(None, alias="机构代码", min_length=1, description="机构代码（如统一社会信用代码），用于索引号")
    pattern: Annotated[str | None, AfterValidator(check_pattern)] = Field(None, alias="索引号", description=(
        "索引号格式，如 {机构代码}/{年度}-{序号:03}；可用 " + " ".join(f"{{{f}}}" for f in PATTERN_FIELDS)
        + "；不填则不编索引号（项目文件可写自己的索引号）"))
    years: dict[str, YearDates] = Field(default_factory=dict, alias="年度",  # type: ignore[valid-type]
                                        description="按年度：批复日期、公开日期、公开说明（项目文件未填时采用）")

    @field_validator("years")
    @classmethod
    def _four_digits(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _year_keys(value)

    @model_validator(mode="after")
    def _code_given(self) -> Disclosure:
        if self.pattern is not None and "{机构代码" in self.pattern and self.code is None:
            raise ValueError("索引号格式用到了 {机构代码}，但没有填写“机构代码”")
        return self

    def dates(self, year: int) -> Dates | None:
        found = self.years.get(str(year))
        return None if found is None else Dates(*(getattr(found, name) for name in DATE_FIELDS))


class SiteConfig(BaseModel):
    """Everything about the site that is not a project."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    title: str = Field(alias="网站名称", min_length=1, description="网站标题，显示在每页顶部")
    publisher: str = Field(alias="发布单位", min_length=1, description="发布单位全称")
    base_url: AnyHttpUrl = Field(alias="网址", description="网站正式地址（可带子路径），如 https://example.gov.cn/xxgk/jxmb/")
    language: str = Field("zh-CN", alias="语言", description="页面语言，默认 zh-CN")
    taxonomy: Taxonomy = Field(default_factory=Taxonomy, alias="指标体系",
                               description="各年度使用的指标体系：classic（财预〔2015〕88号）或 2021（财预〔2021〕101号）")

    forms: Forms = Field(default_factory=Forms, alias="表样",
                         description="各年度指标表的栏目（表样）：" + "、".join(FORMS) + "，或栏目列表；默认 classic")
    pdf: bool = Field(False, alias="pdf", description="是否同时生成 PDF 附件：每个项目一份、每个部门每年度一份"
                      "（A4，按打印样式；需要 WeasyPrint，生成较慢）；默认 false，也可用 perfsite build --pdf")

    disclosure: Disclosure = Field(default_factory=Disclosure, alias="公开", description=(
        "政府信息公开目录信息：发布机构、机构代码、索引号格式，各年度的批复日期与公开日期"))
    scoring: Scoring = Field(default_factory=Scoring, alias="自评分值", description=(
        "自评表的分值：预算执行与各一级指标，合计 100；可按年度设置"))

    @property
    def organ(self) -> str:
        """Who the pages name as 发布机构."""
        return self.disclosure.organ or self.publisher

    def catalogue(self, year: int, tables: Iterable[Table]) -> dict[str, Metadata]:
        """A year's tables by id with their 信息公开 metadata (disclosure.catalogue)."""
        d = self.disclosure
        return catalogue(tables, year, d.dates(year), self.organ, d.pattern, d.code)

    def profile(self, year: int) -> Profile:
        return PROFILES[self.taxonomy.of(year)]

    def form(self, year: int) -> str | tuple[str, ...]:
        return self.forms.of(year)

    def weights(self, year: int) -> dict[str, Decimal]:
        """A year's self-evaluation points: 预算执行 and each 一级 category."""
        return self.scoring.of(year)

    def url(self, path: str = "") -> str:
        """The absolute URL of a page of the site (canonical links, sitemap, feed)."""
        base = str(self.base_url)
        return (base if base.endswith("/") else base + "/") + path

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always ending in '/'."""
        path = self.base_url.path or "/"
        return path if path.endswith("/") else path + "/"


def load_config(content: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    path = content / CONFIG_NAME
    display = display_path(path)
    if not path.exists() and not path.is_symlink():
        return None, [Diagnostic(display, 0, 0, Level.ERROR, "E040", "找不到网站配置文件 site.yaml",
                                 f"在 {display_path(content)} 中创建 site.yaml（网站名称、发布单位、网址），见 README")]
    source, diags = load_file(path, display)
    if source is None:
        return None, diags
    if not isinstance(source.data, dict):
        return None, [source.diag((), Level.ERROR, "E006", "site.yaml 应为“字段: 值”的映射", "见 README 的示例")]
    try:
        config = SiteConfig.model_validate(source.data)
    except ValidationError as exc:
        return None, diags + diagnostics_from(exc, source, [SiteConfig, Taxonomy, Forms, Disclosure, YearDates, Scoring])
    return config, diags + _year_dates(config, source)


def _year_dates(config: SiteConfig, source: Source) -> list[Diagnostic]:
    """A year's 批复日期 and 公开日期, where site.yaml gives both, checked once here rather than in
    every table that takes them (rules.check_disclosure)."""
    out = []
    for year in config.disclosure.years:
        dates = config.disclosure.dates(int(year))
        if dates is None or dates.approved is None or dates.published is None:
            continue
        for found in problems(dates):
            out.append(source.diag(("公开", "年度", year, found.on), found.level, found.code, found.message,
                                   found.hint.replace("本文件", "site.yaml"), key=True))
    return out


def json_schema() -> dict[str, Any]:
    schema = SiteConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "perfsite 网站配置 (site.yaml)"
    return schema
