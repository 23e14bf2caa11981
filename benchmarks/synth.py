"""Write a synthetic portal of any size: real gazetteer areas, Thai text, a real issue mix.

Deterministic by seed. Usage: ``python benchmarks/synth.py OUT --projects 50000 [--seed 1]``.
Funds get ~``projects / funds`` projects each over several fiscal years (2565–2568), with plans,
installments that add up, and reports (one per three projects by default).

The money follows the real flows: most funds (:data:`WITH_ACCOUNTS`) keep yearly accounts
(NHSO's ~45 baht per person, the local council's 30–60 % of it, interest; carried forward,
spent, and a balance that adds up). A project with a report is completed: its final report is
dated in the last installment's report window, it reports most of its budget spent, some give
the rest back (``returned``) and its objectives say what they achieved. Projects without a
report are approved, cancelled, not stated, or (a few) still in progress after their end. A few
budgets are unknown, a few report windows pass without a report and a few returned amounts do
not add up, so ``fundsite check`` warns about each at a realistic low rate once the data's date
is after 2025 (every period here ends by then; before, fewer windows have passed).
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import geothai

ISSUES = [
    ("alcohol", "เครื่องดื่มแอลกอฮอล์", "Alcohol"),
    ("tobacco", "ยาสูบ", "Tobacco"),
    ("elderly", "ผู้สูงอายุ", "Elderly care"),
    ("informal-workers", "แรงงานนอกระบบ", "Informal workers"),
    ("ncd", "โรคไม่ติดต่อเรื้อรัง", "Chronic disease"),
    ("mother-child", "แม่และเด็ก", "Mothers and children"),
    ("communicable-disease", "โรคติดต่อ", "Communicable disease"),
    ("physical-activity", "กิจกรรมทางกาย", "Physical activity"),
    ("fund-admin", "การบริหารจัดการกองทุน", "Fund administration"),
]
WEIGHTS = [8, 5, 16, 6, 18, 9, 10, 8, 20]
TITLES = {
    "alcohol": ["โครงการลดการดื่มสุราในงานบุญประเพณี", "โครงการชุมชนปลอดเหล้า"],
    "tobacco": ["โครงการบ้านปลอดบุหรี่", "โครงการเลิกบุหรี่เพื่อสุขภาพ"],
    "elderly": ["โครงการเยี่ยมบ้านผู้สูงอายุติดเตียง", "โครงการโรงเรียนผู้สูงอายุ"],
    "informal-workers": [
        "โครงการคัดกรองความเสี่ยงจากการทำงานของแรงงานนอกระบบ",
        "โครงการส่งเสริมความปลอดภัยของเกษตรกรจากสารเคมี",
    ],
    "ncd": ["โครงการคัดกรองเบาหวานและความดันโลหิตสูง", "โครงการปรับเปลี่ยนพฤติกรรมลดเสี่ยงโรคเรื้อรัง"],
    "mother-child": ["โครงการพัฒนาการเด็กปฐมวัย", "โครงการฝากครรภ์คุณภาพ"],
    "communicable-disease": ["โครงการป้องกันไข้เลือดออก", "โครงการควบคุมโรคติดต่อในชุมชน"],
    "physical-activity": ["โครงการออกกำลังกายเพื่อสุขภาพ", "โครงการลานกีฬาชุมชน"],
    "fund-admin": ["โครงการบริหารและพัฒนาศักยภาพกองทุน"],
}
BODY = (
    "## หลักการและเหตุผล\n\nชุมชน{place}มีปัญหาสุขภาพที่ต้องแก้ไขร่วมกัน คณะกรรมการกองทุน"
    "หลักประกันสุขภาพจึงสนับสนุนให้ดำเนิน{title} เพื่อให้ประชาชนมีสุขภาวะที่ดีขึ้น\n\n"
    "## กิจกรรม\n\n- ประชุมชี้แจง\n- ดำเนินกิจกรรมตามแผน\n- ติดตามประเมินผล\n"
)


#: Shares of funds and projects (drawn per record, so the counts vary a little by seed).
WITH_ACCOUNTS = 0.85  # funds that publish yearly accounts
UNKNOWN_BUDGET = 0.02  # projects whose budget is not written
RETURNED = 0.4  # completed projects that give money back
RETURNED_TOO_MUCH = 0.01  # of those, a returned amount that does not add up
ACHIEVED = 0.9  # completed projects whose objectives say what was achieved
MISSED_WINDOW = 0.05  # completed projects with a first report window and no report in it
#: Projects without a report: (status, share) in turn; the rest are approved.
NO_REPORT_STATUS = (("in-progress", 0.03), ("cancelled", 0.05), (None, 0.10))
PER_PERSON = Decimal(45)  # NHSO's yearly transfer per person (บาท/คน/ปี)
CENT = Decimal("0.01")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _percent(value: Decimal, percent: int) -> Decimal:
    return (value * percent / 100).quantize(CENT)


def _finances(rng: random.Random, population: int, years: list[int]) -> str:
    """A fund's accounts, year by year: each balance is the next year's carried forward."""
    rows = []
    carried = Decimal(rng.randrange(20, 101)) * population * PER_PERSON / 100
    for fy in years:
        people = population + rng.randrange(-population // 50, population // 50 + 1)
        nhso = PER_PERSON * people
        local = _percent(nhso, rng.randrange(30, 61))
        other = Decimal(rng.randrange(0, 300_000)) / 100 if rng.random() < 0.8 else Decimal(0)
        available = carried + nhso + local + other
        spent = _percent(available, rng.randrange(55, 96))
        balance = available - spent
        income = f"nhso: {_money(nhso)}, local: {_money(local)}"
        if other:  # no interest: left out (as editors do)
            income += f", other: {_money(other)}"
        rows.append(
            f"  - {{fiscal_year: {fy}, carried_forward: {_money(carried)}, income: {{{income}}},"
            f" spent: {_money(spent)}, balance: {_money(balance)}}}\n"
        )
        carried = balance
    return "finances:\n" + "".join(rows)


def write_site(
    out: Path, projects: int, seed: int = 1, reports_every: int = 3, funds: int | None = None
) -> dict[str, int]:
    """Write the synthetic site into ``out``; returns record counts.

    ``funds`` defaults to one per 40 projects. Beyond one fund per sub-district (7,436 in the
    gazetteer), the extra funds are municipal ones (เทศบาลตำบล) sharing a sub-district, as in
    Thailand, where ~7,700 funds cover ~7,400 sub-districts.
    """
    rng = random.Random(seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "data/site.yaml").write_text(
        "title: พอร์ทัลสังเคราะห์\nbase_url: https://example.org/synthetic/\n", encoding="utf-8"
    )
    issues = "".join(f"- {{id: {i}, name: {n}, name_en: {e}}}\n" for i, n, e in ISSUES)
    (out / "data/issues.yaml").write_text(issues, encoding="utf-8")
    regions = Path(__file__).resolve().parent.parent / "data" / "regions.yaml"
    (out / "data/regions.yaml").write_text(regions.read_text(encoding="utf-8"), encoding="utf-8")
    subdistricts = [
        s
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    n_funds = funds or max(1, min(len(subdistricts), projects // 40))
    chosen = rng.sample(subdistricts, min(n_funds, len(subdistricts)))
    municipal = len(chosen)  # funds from here on are municipal councils'
    while len(chosen) < n_funds:
        chosen += rng.sample(subdistricts, min(n_funds - len(chosen), len(subdistricts)))
    for folder in ("funds", "plans", "projects", "reports"):
        (out / "content" / folder).mkdir(parents=True, exist_ok=True)
    counts = {"funds": 0, "plans": 0, "projects": 0, "reports": 0}
    per_fund = projects // n_funds
    extra = projects - per_fund * n_funds
    for f_index, sub in enumerate(chosen):
        fund_id = f"L{1000 + f_index}"
        council = "อบต." if f_index < municipal else "เทศบาลตำบล"
        name = f"กองทุนหลักประกันสุขภาพ {council}{sub.name_th}"
        years = [2565, 2566, 2567, 2568]
        population = rng.randrange(2000, 20000)
        finances = _finances(rng, population, years) if rng.random() < WITH_ACCOUNTS else ""
        area = f'{{subdistrict: "{sub.code}"}}'
        (out / f"content/funds/{fund_id}.md").write_text(
            f"---\nid: {fund_id}\nkind: local\nname: {name}\norganization: {council}{sub.name_th}\n"
            f"area: {area}\npopulation: {population}\n{finances}---\n",
            encoding="utf-8",
        )
        counts["funds"] += 1
        plans: dict[tuple[int, str], str] = {}
        n_projects = per_fund + (1 if f_index < extra else 0)
        for n in range(n_projects):
            fy = years[n % len(years)]
            issue = rng.choices([i for i, _, _ in ISSUES], WEIGHTS)[0]
            key = (fy, issue)
            if key not in plans:
                plan_id = f"{fund_id}-{fy}-{issue}"
                plans[key] = plan_id
                plan_dir = out / "content/plans" / fund_id
                plan_dir.mkdir(exist_ok=True)
                (plan_dir / f"{plan_id}.md").write_text(
                    f"---\nid: {plan_id}\nfund: {fund_id}\nfiscal_year: {fy}\nissue: {issue}\n"
                    f"title: แผนงาน{dict((i, t) for i, t, _ in ISSUES)[issue]} ปี {fy}\n"
                    f"budget: {_money(Decimal(rng.randrange(50_000, 300_000)))}\n---\n",
                    encoding="utf-8",
                )
                counts["plans"] += 1
            support = 4 if issue == "fund-admin" else rng.choice([1, 2, 3])
            project_id = f"{fy % 100:02d}-{fund_id}-{support}-{n + 1:02d}"
            start = date(fy - 544, 10, 1) + timedelta(days=rng.randrange(0, 120))
            end = start + timedelta(days=rng.randrange(60, 240))
            mid = start + (end - start) // 2
            budget = Decimal(rng.randrange(5_000, 150_000))
            first = (budget * Decimal("0.6")).quantize(Decimal("1"))
            title = f"{rng.choice(TITLES[issue])} ตำบล{sub.name_th} ปี {fy}"
            planned = rng.randrange(20, 200)
            reported = n % reports_every == 0
            status = "completed" if reported else _no_report_status(rng)
            # the first installment pays for the first half, the second for the rest; the
            # final report window is around the end (the report of a completed project is
            # dated in it), a first window only sometimes (and then, here, missed)
            first_window = last_window = ""
            if reported or status == "in-progress":
                last_window = (
                    f", report_start: {(end - timedelta(days=14)).isoformat()}, report_end: "
                    f"{(end + timedelta(days=rng.randrange(15, 31))).isoformat()}"
                )
            if reported and rng.random() < MISSED_WINDOW:
                first_window = (
                    f", report_start: {(mid + timedelta(days=1)).isoformat()}, report_end: "
                    f"{(mid + timedelta(days=15)).isoformat()}"
                )
            achieved = ""
            if reported and rng.random() < ACHIEVED:
                achieved = f", achieved: {Decimal(rng.randrange(150, 321)) / 10}"
            spent = _percent(budget, rng.randrange(70, 101))
            returned = ""
            known_budget = rng.random() >= UNKNOWN_BUDGET
            if reported and known_budget and rng.random() < RETURNED:
                back = _percent(budget - spent, rng.randrange(0, 101))
                if rng.random() < RETURNED_TOO_MUCH:
                    back = budget - spent + rng.randrange(1, 1000)
                if back:
                    returned = f"returned: {_money(back)}\n"
            budget_line = f"budget: {_money(budget)}\n" if known_budget else ""
            status_line = f"status: {status}\n" if status else ""
            (out / f"content/projects/{project_id}.md").write_text(
                f"---\nid: {project_id}\ntitle: {title}\nfund: {fund_id}\nplan: {plans[key]}\n"
                f"support_type: {support}\napproved_on: {start.isoformat()}\n"
                f"start: {start.isoformat()}\nend: {end.isoformat()}\n{budget_line}"
                f"responsible: ผู้รับผิดชอบ {n + 1}\narea: {area}\ninstallments:\n"
                f"  - {{start: {start.isoformat()}, end: {mid.isoformat()}{first_window}, "
                f"amount: {_money(first)}}}\n"
                f"  - {{start: {(mid + timedelta(days=1)).isoformat()}, end: {end.isoformat()}"
                f"{last_window}, amount: {_money(budget - first)}}}\nobjectives:\n"
                f"  - {{text: ลดปัญหา{issue}, indicator: ร้อยละ, size: 30, target: 20{achieved}}}\n"
                f"target_groups:\n  - {{name: ประชาชนกลุ่มเสี่ยง, planned: {planned}, "
                f"attended: {planned - rng.randrange(0, 10)}}}\n{status_line}{returned}---\n"
                + BODY.format(place=sub.name_th, title=title),
                encoding="utf-8",
            )
            counts["projects"] += 1
            if reported:
                day = max(start, end - timedelta(days=rng.randrange(0, 15)))
                report_id = f"{day.isoformat()}-{project_id}"
                folder = out / "content/reports" / str(day.year)
                folder.mkdir(exist_ok=True)
                (folder / f"{report_id}.md").write_text(
                    f"---\nid: {report_id}\nproject: {project_id}\ntitle: รายงานกิจกรรม{title}\n"
                    f"date: {day.isoformat()}\nkind: activity\nreporter: อสม. ตำบล{sub.name_th}\n"
                    f"participants: {planned}\nspent: {_money(spent)}\n---\n"
                    f"## กิจกรรมที่ปฏิบัติ\n\nจัดกิจกรรมตามแผนในตำบล{sub.name_th}\n",
                    encoding="utf-8",
                )
                counts["reports"] += 1
    return counts


def _no_report_status(rng: random.Random) -> str | None:
    """The status of a project without a report (see :data:`NO_REPORT_STATUS`)."""
    draw = rng.random()
    for status, share in NO_REPORT_STATUS:
        if draw < share:
            return status
        draw -= share
    return "approved"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--funds", type=int, help="default: one per 40 projects")
    parser.add_argument("--reports-every", type=int, default=3, help="a report per N projects")
    args = parser.parse_args()
    print(write_site(args.out, args.projects, args.seed, args.reports_every, args.funds))


if __name__ == "__main__":
    main()
