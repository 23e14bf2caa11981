"""``fundsite new``: records written from flags or prompts pass ``fundsite check``; nothing is
ever overwritten; wrong references and missing values stop with a message and no file."""

from __future__ import annotations

import io
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from fundsite.cli import main
from fundsite.validate import check_site

REPO = Path(__file__).resolve().parents[1]


class FakeTTY(io.StringIO):
    """Standard input that says it is a terminal, answering prompts line by line."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    """A copy of the example portal (content/ and data/ of the repository)."""
    root = tmp_path / "portal"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "data", root / "data")
    return root


@pytest.fixture
def new(portal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``fundsite new ARGS`` on the portal; stdin is not a terminal unless ``answers``."""

    def run(*args: str, answers: str | None = None) -> tuple[int, str, str]:
        stdin = FakeTTY(answers) if answers is not None else io.StringIO("")
        monkeypatch.setattr(sys, "stdin", stdin)
        capsys.readouterr()
        code = main(["new", args[0], str(portal), *args[1:]])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def errors_about(root: Path, path: Path) -> list[str]:
    rel = path.relative_to(root).as_posix()
    result = check_site(root, workers=1)
    return [
        f"{p.file}:{p.line} {p.code}"
        for p in result.problems
        if p.severity == "error" and p.file == rel
    ]


def front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def written(portal: Path, out: str) -> Path:
    path = Path(out.strip())
    assert path.is_file(), out
    assert path.is_relative_to(portal)
    return path


# ---- flags ---------------------------------------------------------------------------------------


def test_report_from_flags(new, portal):
    code, out, err = new(
        "report",
        "--project",
        "68-L5218-4-01",
        "--date",
        "2025-05-02",
        "--title",
        "ประชุม: คณะกรรมการกองทุน ครั้งที่ 2/2568",
        "--kind",
        "meeting",
        "--participants",
        "21",
        "--spent",
        "1,500",
    )
    assert code == 0, err
    path = written(portal, out)
    assert path == portal / "content/reports/2025/2025-05-02-68-l5218-4-01.md"
    data = front(path)
    assert data["id"] == path.stem
    assert data["title"] == "ประชุม: คณะกรรมการกองทุน ครั้งที่ 2/2568"
    assert data["participants"] == 21
    assert str(data["date"]) == "2025-05-02"
    text = path.read_text(encoding="utf-8")
    assert "# reporter:" in text  # optional fields are there, commented out
    assert "# photos:" in text
    assert "สร้างไฟล์นี้แล้ว" in err
    assert errors_about(portal, path) == []


def test_fund_from_flags(new, portal):
    code, out, err = new(
        "fund",
        "--id",
        "L9001",
        "--kind",
        "local",
        "--name",
        "กองทุนหลักประกันสุขภาพ อบต.ทดสอบ",
        "--province",
        "สงขลา",
        "--district",
        "ระโนด",
        "--subdistrict",
        "ตะเครียะ",
    )
    assert code == 0, err
    path = written(portal, out)
    assert path == portal / "content/funds/L9001.md"
    assert front(path)["area"] == {
        "province": "สงขลา",
        "district": "ระโนด",
        "subdistrict": "ตะเครียะ",
    }
    assert errors_about(portal, path) == []
    assert not [p for p in check_site(portal).problems if p.file.endswith("L9001.md")]


def test_plan_from_flags_derives_its_id(new, portal):
    code, out, err = new(
        "plan",
        "--fund",
        "L5222",
        "--fiscal-year",
        "2569",
        "--issue",
        "tobacco",
        "--title",
        "แผนงานลดการสูบบุหรี่",
        "--budget",
        "20000",
    )
    assert code == 0, err
    path = written(portal, out)
    assert path == portal / "content/plans/L5222/L5222-2569-tobacco.md"
    assert front(path)["fiscal_year"] == 2569
    assert errors_about(portal, path) == []


def test_project_from_flags_takes_the_next_number(new, portal):
    args = (
        "--fund",
        "L5218",
        "--fiscal-year",
        "2568",
        "--support-type",
        "2",
        "--issue",
        "alcohol",
        "--title",
        "โครงการงานบุญปลอดเหล้า",
    )
    code, out, err = new("project", *args, "--budget", "12000", "--start", "1 ธ.ค. 2567")
    assert code == 0, err
    first = written(portal, out)
    assert first.name == "68-L5218-2-02.md"  # 68-L5218-2-01 exists in the example portal
    data = front(first)
    assert data["plan"] == "L5218-2568-alcohol"  # the fund's plan for that issue and year
    assert data["area"]["subdistrict"] == "คลองแดน"  # from the fund
    assert str(data["start"]) == "2024-12-01"
    code, out, err = new("project", *args)
    assert code == 0, err
    assert written(portal, out).name == "68-L5218-2-03.md"
    assert errors_about(portal, first) == []
    problems = check_site(portal).problems
    # a fresh project only warns about what is left to fill in
    assert {p.code for p in problems if p.file.endswith("68-L5218-2-02.md")} <= {
        "missing-recommended"
    }


def test_project_from_a_plan_alone(new, portal):
    code, out, err = new(
        "project", "--plan", "L7983-2568-elderly", "--support-type", "3", "--title", "โครงการ"
    )
    assert code == 0, err
    path = written(portal, out)
    assert path.name == "68-L7983-3-01.md"
    data = front(path)
    assert (data["fund"], data["issues"]) == ("L7983", ["elderly"])
    assert errors_about(portal, path) == []


def test_programme_project_needs_an_id(new, portal):
    code, _, err = new("project", "--fund", "ipp-psu", "--issue", "ncd", "--title", "x")
    assert code == 2
    assert "--id" in err
    code, out, err = new(
        "project", "--fund", "ipp-psu", "--issue", "ncd", "--title", "x", "--id", "ipp-new"
    )
    assert code == 0, err
    assert errors_about(portal, written(portal, out)) == []


# ---- prompts -------------------------------------------------------------------------------------


def test_report_from_prompts(new, portal):
    answers = "68-L5218-4-1\n68-L5218-4-01\n2568-05-03\n3 พ.ค. 2568\nประชุมติดตามผล\n"
    code, out, err = new("report", answers=answers)
    assert code == 0, err
    path = written(portal, out)
    assert path == portal / "content/reports/2025/2025-05-03-68-l5218-4-01.md"
    # a wrong answer is explained and asked again
    assert 'ไม่พบโครงการรหัส "68-L5218-4-1"' in err
    assert "68-L5218-4-01" in err.split("ไม่พบโครงการ")[1]  # the nearest id is suggested
    assert "2025-05-03" in err  # the CE date that 2568-05-03 probably meant
    assert front(path)["title"] == "ประชุมติดตามผล"
    assert errors_about(portal, path) == []


def test_project_from_prompts_with_defaults(new, portal, monkeypatch):
    answers = iter(["L5217", "โครงการคัดกรองเบาหวาน", "ncd", "", "1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("fundsite.new.fiscal_year", lambda _d: 2568)  # the default year
    code, out, err = new("project", answers="")
    assert code == 0, err
    path = written(portal, out)
    assert path.name == "68-L5217-1-02.md"
    assert "[2568]: " in err  # Enter takes the shown default
    assert front(path)["plan"] == "L5217-2568-ncd"
    assert errors_about(portal, path) == []


def test_fund_and_plan_from_prompts(new, portal):
    code, out, err = new("fund", answers="L9002\n\nกองทุนหลักประกันสุขภาพ เทศบาลทดสอบ\n")
    assert code == 0, err
    fund = written(portal, out)
    assert front(fund)["kind"] == "local"  # the default
    code, out, err = new("plan", answers="L9002\n2568\nelderly\n\n")
    assert code == 0, err
    plan = written(portal, out)
    assert plan == portal / "content/plans/L9002/L9002-2568-elderly.md"
    assert front(plan)["title"] == "แผนงานผู้สูงอายุ"  # default title from the name
    assert errors_about(portal, fund) == []
    assert errors_about(portal, plan) == []


def test_end_of_input_cancels(new, portal):
    code, _, err = new("report", answers="68-L5218-4-01\n")
    assert code == 2
    assert "ยกเลิก" in err
    assert not list((portal / "content/reports").rglob("*-68-l5218-4-01.md"))


# ---- refusals ------------------------------------------------------------------------------------


def test_never_overwrites(new, portal):
    existing = portal / "content/reports/2025/2025-03-14-khlong-daen-committee-training.md"
    before = existing.read_bytes()
    code, out, err = new(
        "report",
        "--project",
        "68-L5218-4-01",
        "--date",
        "2025-03-14",
        "--title",
        "ทับ",
        "--slug",
        "Khlong Daen committee training",
    )
    assert code == 1
    assert out == ""
    assert "ไม่เขียนทับ" in err
    assert existing.read_bytes() == before
    code, _, err = new("fund", "--id", "L5218", "--kind", "local", "--name", "ซ้ำ")
    assert code == 1
    assert "L5218.md" in err
    code, _, _ = new(
        "plan", "--fund", "L5218", "--fiscal-year", "2568", "--issue", "alcohol", "--title", "ซ้ำ"
    )
    assert code == 1


def test_same_report_twice_is_refused(new, portal):
    args = ("--project", "62-ข-041", "--date", "1 มกราคม 2568", "--title", "ครั้งที่หนึ่ง")
    code, out, _ = new("report", *args)
    assert code == 0
    path = written(portal, out)
    assert path.name == "2025-01-01-62-041.md"  # the slug keeps the ASCII of the project id
    text = path.read_text(encoding="utf-8")
    code, out, err = new("report", *args[:-1], "ครั้งที่สอง")
    assert code == 1
    assert "--slug" in err
    assert path.read_text(encoding="utf-8") == text


def test_bad_references_say_what_exists(new, portal):
    code, out, err = new(
        "report", "--project", "68-L5218-4-1", "--date", "2025-01-01", "--title", "x"
    )
    assert (code, out) == (2, "")
    assert 'ไม่พบโครงการรหัส "68-L5218-4-1"' in err
    assert "68-L5218-4-01" in err
    code, _, err = new(
        "plan", "--fund", "L5128", "--fiscal-year", "2568", "--issue", "alcohl", "--title", "x"
    )
    assert code == 2
    assert 'ไม่พบกองทุนรหัส "L5128"' in err and "L5218" in err
    assert 'ไม่พบประเด็น "alcohl"' in err and "alcohol" in err
    code, _, err = new(
        "project",
        "--fund",
        "L5218",
        "--plan",
        "L5217-2568-ncd",
        "--support-type",
        "1",
        "--title",
        "x",
    )
    assert code == 2
    assert "L5217" in err and "ไม่ใช่กองทุน L5218" in err
    code, _, err = new(
        "fund",
        "--id",
        "L9003",
        "--kind",
        "local",
        "--name",
        "x",
        "--province",
        "สงขลา",
        "--subdistrict",
        "คลองแดง",
    )
    assert code == 2
    assert "คลองแดน" in err  # the nearest sub-district
    assert not (portal / "content/funds/L9003.md").exists()


def test_missing_values_without_a_terminal(new, portal):
    code, out, err = new("report", "--title", "x")
    assert (code, out) == (2, "")
    assert "ยังขาดข้อมูลที่จำเป็น" in err
    assert "--project" in err and "--date" in err
    assert "--title" not in err.split("เช่น")[0]
    code, _, err = new("plan", "--lang", "en")
    assert code == 2
    assert "required values are missing" in err
    for flag in ("--fund", "--fiscal-year", "--issue", "--title"):
        assert flag in err


def test_not_a_site(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["new", "report", str(tmp_path)]) == 2
    assert "ไม่ใช่โฟลเดอร์ของเว็บไซต์" in capsys.readouterr().err


# ---- Thai input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("22 พฤศจิกายน 2567", "2024-11-22"),
        ("1 ต.ค. 2567", "2024-10-01"),
        ("๑๕ ม.ค. ๒๕๖๘", "2025-01-15"),
        ("3 มี.ค. พ.ศ. 2568", "2025-03-03"),
        ("2025-02-28", "2025-02-28"),
    ],
)
def test_thai_dates(new, portal, typed, iso):
    code, out, err = new(
        "report", "--project", "68-L5218-4-01", "--date", typed, "--title", "กิจกรรม"
    )
    assert code == 0, err
    path = written(portal, out)
    assert str(front(path)["date"]) == iso
    assert path.parent.name == iso[:4]
    assert path.name.startswith(iso)
    assert errors_about(portal, path) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2568-01-15", "2025-01-15"), ("15 ม.ค. 2025", "15 ม.ค. 2568"), ("31 ก.พ. 2568", "ไม่มีวันที่")],
)
def test_wrong_dates_are_explained(new, typed, expected):
    code, _, err = new("report", "--project", "68-L5218-4-01", "--date", typed, "--title", "x")
    assert code == 2
    assert expected in err


def test_ce_fiscal_year_is_explained(new):
    code, _, err = new(
        "plan", "--fund", "L5218", "--fiscal-year", "2025", "--issue", "ncd", "--title", "x"
    )
    assert code == 2
    assert "2568" in err


def test_written_values_read_back_exactly():
    from fundsite.new import scalar

    for text in ("ประชุม: ครั้งที่ 1", "2568", "yes", "#1", "a #b", "[x]", "- x", "null", "ok"):
        assert yaml.safe_load(f"k: {scalar(text)}") == {"k": text}
        assert yaml.safe_load(f"k: [{scalar(text, flow=True)}]") == {"k": [text]}


# ---- the pre-commit hook (the workflows are tested in test_workflows.py) -------------------------


def test_pre_commit_hook():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "fundsite-check")
    assert hook["entry"] == "fundsite check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "content/projects/68-L5218-4-01.md")
    assert re.match(hook["files"], "data/issues.yaml")
    assert not re.match(hook["files"], "src/fundsite/cli.py")


# ---- one description of the fields: the models (fields_of), as the form editor reads them --------

#: Flags for a record of each kind, and the optional fields they (or what they name) fill in.
KIND_ARGS: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "fund": (("--id", "L9001", "--kind", "local", "--name", "กองทุนทดสอบ"), set()),
    "plan": (
        ("--fund", "L5222", "--fiscal-year", "2569", "--issue", "tobacco", "--title", "แผนงาน"),
        set(),
    ),
    "project": (
        (
            "--fund",
            "L5218",
            "--fiscal-year",
            "2568",
            "--support-type",
            "2",
            "--issue",
            "alcohol",
            "--title",
            "โครงการ",
        ),
        {"plan", "issues", "support_type", "area"},  # the plan and the area: the fund's
    ),
    "report": (("--project", "68-L5218-4-01", "--date", "2025-05-02", "--title", "ประชุม"), set()),
}


def fields_written(text: str) -> list[tuple[str, bool, str]]:
    """The top-level fields of a written file: (name, has a value, the comment above it)."""
    fields, comments = [], []
    for line in text.split("---\n")[1].splitlines():
        if m := re.match(r"(# )?([a-z_]+):(?: |$)", line):
            fields.append((m[2], m[1] is None, "\n".join(comments)))
            comments = []
        elif line.startswith("#"):
            comments.append(line)
    return fields


@pytest.mark.parametrize("kind", list(KIND_ARGS))
def test_every_field_is_written_under_its_model_label(new, portal, kind):
    """Every field of the kind's model, in the model's order, under its label and hint, with
    its choices and sub-fields; optional fields without a value are commented out."""
    from fundsite.validate.fields import fields_of
    from fundsite.validate.models import MODELS

    args, filled = KIND_ARGS[kind]
    code, out, err = new(kind, *args)
    assert code == 0, err
    path = written(portal, out)
    specs = fields_of(MODELS[kind])
    fields = fields_written(path.read_text(encoding="utf-8"))
    assert [name for name, _, _ in fields] == [spec.name for spec in specs]
    for (name, has_value, above), spec in zip(fields, specs, strict=True):
        head = f"# {spec.label_th}: {spec.hint_th}" if spec.hint_th else f"# {spec.label_th}"
        assert above.startswith(head) or f"\n{head}" in above, (name, above)
        for value, (th, _en) in spec.choices:
            assert f"#   {value} = {th}\n" in above + "\n", (name, value)
        for sub in spec.fields:
            assert f"{sub.name} = {sub.label_th}" in above, (name, sub.name)
        assert has_value == (spec.required or name in filled), name
    assert errors_about(portal, path) == []


def test_labels_choices_and_questions_come_from_the_models(new, portal, monkeypatch):
    """Change a label, a hint and a choice on the models' side: the comments, the values
    --kind takes and the questions follow (no copy of them lives in fundsite.new)."""
    from dataclasses import replace

    from fundsite.validate import fields as fields_module
    from fundsite.validate.models import Report

    real = fields_module.fields_of
    kinds = (("meeting", ("การประชุม", "a meeting")), ("visit", ("ลงพื้นที่", "a site visit")))

    def edited(model):
        specs = real(model)
        if model is not Report:
            return specs
        changes = {
            "participants": {"label_th": "ผู้มาร่วมงาน (คน)", "hint_th": "นับทุกคนที่ลงชื่อ"},
            "kind": {"choices": kinds},
            "title": {"label_th": "หัวข้อรายงาน"},
        }
        return tuple(replace(s, **changes.get(s.name, {})) for s in specs)

    monkeypatch.setattr(fields_module, "fields_of", edited)
    args = ("--project", "68-L5218-4-01", "--date", "2025-05-02", "--title", "ประชุม")
    code, out, err = new("report", *args, "--kind", "visit")
    assert code == 0, err
    text = written(portal, out).read_text(encoding="utf-8")
    assert "\n# ผู้มาร่วมงาน (คน): นับทุกคนที่ลงชื่อ\n# participants:\n" in text
    assert "จำนวนผู้เข้าร่วม" not in text
    assert "\n#   meeting = การประชุม\n#   visit = ลงพื้นที่\nkind: visit\n" in text
    assert "training" not in text
    assert "\n# หัวข้อรายงาน: " in text

    code, _, err = new("report", *args, "--kind", "training")
    assert code == 2
    assert '"training" ใช้ไม่ได้: เลือกจาก meeting | visit' in err
    code, _, err = new("report", "--project", "68-L5218-4-01", "--date", "2025-05-02")
    assert code == 2
    assert "--title  หัวข้อรายงาน (title)" in err


def test_choice_flags_take_the_model_values(new, portal):
    """--support-type and --status: the values of the models' choices; Thai digits too."""
    from fundsite.validate.fields import fields_of
    from fundsite.validate.models import Project

    specs = {s.name: s for s in fields_of(Project)}
    args = ("--fund", "L5218", "--fiscal-year", "2568", "--issue", "alcohol", "--title", "x")
    code, _, err = new("project", *args, "--support-type", "6", "--status", "done")
    assert code == 2
    assert " | ".join(str(v) for v, _ in specs["support_type"].choices) in err
    assert " | ".join(v for v, _ in specs["status"].choices) in err
    code, out, err = new("project", *args, "--support-type", "๓", "--status", "in-progress")
    assert code == 0, err
    path = written(portal, out)
    assert path.name == "68-L5218-3-02.md"
    assert (front(path)["support_type"], front(path)["status"]) == (3, "in-progress")
    assert errors_about(portal, path) == []


def test_help_lists_the_model_choices_and_building_the_parser_stays_light(capsys):
    """``--help`` of a kind lists a choice field's values from the models; building the
    parser (which every fundsite command does) does not import them."""
    import subprocess

    from fundsite.validate.fields import fields_of
    from fundsite.validate.models import Report

    with pytest.raises(SystemExit):
        main(["new", "report", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    kind = next(s for s in fields_of(Report) if s.name == "kind")
    assert " | ".join(v for v, _ in kind.choices) in shown
    probe = (
        "import sys; from fundsite.cli import parser; parser(); "
        "print('fundsite.validate.models' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
