"""The site config (``content/site.yaml``): who publishes, where, and which taxonomy and form each year uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator

from .diagnostics import Diagnostic, Level, display_path
from .forms import CLASSIC, FORMS
from .model import FormSpec, diagnostics_from
from .source import load_file
from .taxonomy import PROFILES, Profile

CONFIG_NAME = "site.yaml"
ProfileKey = Annotated[str, Field(json_schema_extra={"enum": list(PROFILES)})]


class _ByYear(BaseModel):
    """A choice made per budget year: a default, and the years that differ from it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    @field_validator("years", check_fields=False)
    @classmethod
    def _four_digits(cls, value: dict[str, Any]) -> dict[str, Any]:
        for year in value:
            if not (year.isdigit() and len(year) == 4):
                raise ValueError(f"年度「{year}」应为四位数字")
        return value

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

    def profile(self, year: int) -> Profile:
        return PROFILES[self.taxonomy.of(year)]

    def form(self, year: int) -> str | tuple[str, ...]:
        return self.forms.of(year)

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
        return SiteConfig.model_validate(source.data), diags
    except ValidationError as exc:
        return None, diags + diagnostics_from(exc, source, [SiteConfig, Taxonomy, Forms])


def json_schema() -> dict[str, Any]:
    schema = SiteConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "perfsite 网站配置 (site.yaml)"
    return schema
