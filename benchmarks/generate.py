"""A deterministic generator of N realistic project files, shaped like the seed tables.

About 50 departments, 3 budget years, 20-35 indicators and 1-5 goals per project, cost ceilings
that add up to the fund total (so the content is valid and warning-free). Same N and seed, same
bytes. Usage: python benchmarks/generate.py N DIR
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = (2022, 2023, 2024)
TOPICS = ["道路养护", "城市照明", "环境卫生", "园林绿化", "住房保障", "农村供水", "公共安全", "应急管理", "文化惠民",
          "体育设施", "医疗服务", "养老服务", "就业培训", "信息化建设", "档案管理", "执法监督", "防汛抗旱", "森林防火",
          "质量监管", "统计调查"]
UNITS = ["住房和城乡建设局", "交通运输局", "教育局", "卫生健康局", "民政局", "农业农村局", "水务局", "自然资源局",
         "生态环境局", "市场监督管理局"]
PLACES = ["都匀市", "福泉市", "荔波县", "贵定县", "瓮安县"]
TEMPLATE_ROWS = {
    ("产出", "数量"): [("开展{t}专项检查", "≥{n}次"), ("{t}培训人数", "≥{n}人次"), ("完成{t}项目", "{n}个")],
    ("产出", "质量"): [("{t}验收合格率", "≥{p}%"), ("{t}工作质量", "良好"), ("{t}覆盖率", "全覆盖")],
    ("产出", "时效"): [("{t}完成时限", "{y}年12月31日"), ("{t}资金支付时限", "{y}年12月31日")],
    ("效益", "社会效益"): [("{t}服务水平", "显著提升"), ("群众获得感", "有所提高")],
    ("效益", "经济效益"): [("带动相关产业发展", "促进经济发展")],
    ("效益", "可持续影响"): [("{t}长效机制", "逐步建立")],
    ("满意度", "服务对象满意度"): [("服务对象满意度", "≥{p}%"), ("群众满意度", "≥{p}%")],
}


def departments() -> list[str]:
    return [f"{100 + i}-黔南州{PLACES[(i // len(UNITS)) % len(PLACES)]}{UNITS[i % len(UNITS)]}" for i in range(50)]


def _dates(index: int, year: int) -> list[str]:
    """批复日期 and 公开日期 within the 20 days allowed, from the index (the random values stay as they were)."""
    approved = dt.date(year, 1, 10 + index % 10)
    return [f"批复日期: {approved}", f"公开日期: {approved + dt.timedelta(days=index % 12)}"]


def project_text(index: int, year: int, rng: random.Random) -> tuple[str, str]:
    """Project ``index`` in ``year``: same id, name and department every year, values vary."""
    topic = TOPICS[index % len(TOPICS)]
    dept = departments()[index % 50]
    ident = f"p{index:06d}"
    total_cents = rng.randint(50_00, 500_00) * 100 // 100
    goals = [f"目标{g + 1}: 完成{topic}第{g + 1}阶段工作，提升服务质量和群众满意度。" for g in range(rng.randint(1, 5))]
    n_cost = rng.randint(2, 5)
    cuts = sorted(rng.sample(range(1, total_cents), n_cost - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total_cents])]
    rows: dict[tuple[str, str], list[tuple[str, str]]] = {}
    wanted = rng.randint(20, 35) - n_cost - 1
    keys = list(TEMPLATE_ROWS)
    i = 0
    while sum(len(v) for v in rows.values()) < wanted:
        key = keys[i % len(keys)]
        name, value = TEMPLATE_ROWS[key][(i // len(keys)) % len(TEMPLATE_ROWS[key])]
        rows.setdefault(key, []).append((f"{name.format(t=topic)}（{i + 1}）",
                                         value.format(n=rng.randint(1, 50), p=rng.choice([85, 90, 95]), y=year)))
        i += 1
    cost = [(f"{topic}第{c + 1}项工作经费", f"≤{Decimal(cents) / 100}万元") for c, cents in enumerate(parts)]
    cost.append(("项目或定额成本控制率", "100%"))
    total = Decimal(total_cents) / 100
    lines = [f"id: {ident}", f"年度: {year}", f"项目名称: {PLACES[index % 5]}{topic}工作经费（{index}）",
             f"主管部门及代码: {dept}", f"实施单位: {dept.split('-', 1)[1]}", *_dates(index, year),
             "资金:", "  资金来源: 财政资金",
             f"  资金总额: {total}", f"  财政拨款: {total}", "  上级补助: 0", f"  本级安排: {total}", "  其他资金: 0",
             "年度目标:", *[f"  - '{g}'" for g in goals], "绩效指标:"]
    order = [("产出", "数量"), ("产出", "质量"), ("产出", "时效"), ("产出", "成本"), ("效益", "经济效益"),
             ("效益", "社会效益"), ("效益", "可持续影响"), ("满意度", "服务对象满意度")]
    rows[("产出", "成本")] = cost
    last1 = None
    for key in order:
        if key not in rows:
            continue
        if key[0] != last1:
            lines.append(f"  {key[0]}:")
            last1 = key[0]
        lines.append(f"    {key[1]}:")
        for name, value in rows[key]:
            lines += [f"      - 三级指标: {name}", f"        指标值: '{value}'"]
    return ident, "\n".join(lines) + "\n"


def generate(n: int, target: Path, seed: int = 2022) -> Path:
    """Write a site directory with ``n`` projects spread over three years; returns it."""
    rng = random.Random(seed)
    content = target / "content"
    if content.exists():
        shutil.rmtree(content)
    for year in YEARS:
        (content / str(year)).mkdir(parents=True)
    (content / "site.yaml").write_text((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for number in range(n):  # each project runs for the three years, as real ones do
        index, year = number // len(YEARS), YEARS[number % len(YEARS)]
        ident, text = project_text(index, year, rng)
        (content / str(year) / f"{ident}.yaml").write_text(text, encoding="utf-8")
    if (target / "templates").exists():
        shutil.rmtree(target / "templates")
    # The whole theme as the site's own templates: a site that overrides every file, as the
    # benchmark's sites always were (and as the tests that edit a template need).
    shutil.copytree(ROOT / "perfsite" / "theme", target / "templates")
    return target


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
