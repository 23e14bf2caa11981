"""Follow the money, per fiscal year: what came in, what went out, on what, and what is known.

Every figure is an exact :class:`~decimal.Decimal` with the records it sums; an amount that is
not stated is counted apart (:attr:`Sum.unknown`), never summed as zero. The funds' accounts
(what they received, spent and kept) are the funds' own books; plans, approved budgets,
installments, reported spending and money returned come from the plans, projects and reports.
A scope (the whole portal, a region, province, district or sub-district, an issue, a fund) has
one :class:`Flow` per fiscal year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fundsite.validate.graph import FundNode, PlanNode, ProjectNode, ReportNode, SiteGraph
from fundsite.validate.models import Finance

ZERO = Decimal("0.00")  # sums of amounts keep two decimals: "0.00", never "0"


@dataclass(frozen=True, slots=True)
class Sum:
    """A sum of amounts: the total of those stated, how many were, how many were not."""

    total: Decimal = ZERO
    known: int = 0
    unknown: int = 0

    @property
    def count(self) -> int:
        return self.known + self.unknown

    @property
    def complete(self) -> bool:
        """Every amount is stated: the total is the whole."""
        return self.unknown == 0

    @staticmethod
    def of(amounts: Iterable[Decimal | None]) -> Sum:
        every = amounts if isinstance(amounts, list) else list(amounts)
        stated = [amount for amount in every if amount is not None]
        # summed in order from ZERO, as a loop would: in C, the portal's pages sum millions
        return Sum(sum(stated, ZERO), len(stated), len(every) - len(stated))


@dataclass(frozen=True, slots=True)
class Accounts:
    """The funds' books for one fiscal year, summed over the funds that kept them."""

    funds: int  # funds in the scope
    reporting: int  # of them, those with accounts for the year
    carried_forward: Decimal = ZERO
    nhso: Decimal = ZERO
    local: Decimal = ZERO
    other: Decimal = ZERO
    spent: Decimal = ZERO
    balance: Decimal = ZERO
    population: int = 0  # of the reporting funds that state it
    population_funds: int = 0

    @property
    def income(self) -> Decimal:
        return self.nhso + self.local + self.other

    @property
    def available(self) -> Decimal:
        """Carried forward plus the year's income: what the funds could spend."""
        return self.carried_forward + self.income

    @property
    def complete(self) -> bool:
        return self.reporting == self.funds

    @property
    def per_person(self) -> Decimal | None:
        """The year's income per person, over the reporting funds that state a population
        (None unless every reporting fund does: a partial ratio would mislead)."""
        if not self.population or self.population_funds != self.reporting:
            return None
        return (self.income / self.population).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def share_spent(self) -> Decimal | None:
        """Spent as a percentage of what was available (carried forward + income)."""
        if not self.available:
            return None
        return (self.spent * 100 / self.available).quantize(Decimal("0.1"), ROUND_HALF_UP)


#: What a year's accounts must state to count: what came in and what went out (a carried
#: forward or balance left out is zero, as ``check``'s balance rule reads them).
ACCOUNTS_STATE = frozenset({"income", "spent"})


def finance_of(fund: FundNode, fiscal_year: int) -> Finance | None:
    """A fund's accounts for one fiscal year, if it stated them (income and spending: an
    entry without them is not summed as zeros, the fund counts as without accounts)."""
    for finance in fund.record.finances:
        if finance.fiscal_year == fiscal_year:
            return finance if finance.model_fields_set >= ACCOUNTS_STATE else None
    return None


def accounts(funds: Sequence[FundNode], fiscal_year: int) -> Accounts:
    """The books of ``funds`` for one fiscal year (a balance not written is the computed one,
    which ``check`` makes equal to the written one when both exist)."""
    books = [(f, fin) for f in funds if (fin := finance_of(f, fiscal_year)) is not None]
    people = [f.record.population for f, _ in books if f.record.population is not None]
    return Accounts(
        funds=len(funds),
        reporting=len(books),
        carried_forward=sum((b.carried_forward for _, b in books), ZERO),
        nhso=sum((b.income.nhso for _, b in books), ZERO),
        local=sum((b.income.local for _, b in books), ZERO),
        other=sum((b.income.other for _, b in books), ZERO),
        spent=sum((b.spent for _, b in books), ZERO),
        balance=sum(
            (b.expected_balance if b.balance is None else b.balance for _, b in books), ZERO
        ),
        population=sum(people),
        population_funds=len(people),
    )


def returned_of(project: ProjectNode) -> Decimal | None:
    """Money a project gave back to its fund at close, if stated."""
    return getattr(project.record, "returned", None)


def installment_amounts(projects: Iterable[ProjectNode]) -> list[Decimal | None]:
    """Each installment's amount; one whose amount is not written is not stated."""
    return [
        inst.amount if "amount" in inst.model_fields_set else None
        for project in projects
        for inst in project.record.installments
    ]


@dataclass
class Flow:
    """One fiscal year of a scope: its records and every figure summed from them."""

    fiscal_year: int
    funds: list[FundNode]
    plans: list[PlanNode]
    projects: list[ProjectNode]
    reports: list[ReportNode]
    accounts: Accounts | None  # None where books are not kept by scope (an issue)
    planned: Sum = field(init=False)
    approved: Sum = field(init=False)
    scheduled: Sum = field(init=False)
    reported: Sum = field(init=False)
    returned: Sum = field(init=False)

    def __post_init__(self) -> None:
        self.planned = Sum.of([p.record.budget for p in self.plans])
        self.approved = Sum.of([p.record.budget for p in self.projects])
        self.scheduled = Sum.of(installment_amounts(self.projects))
        self.reported = Sum.of([r.record.spent for r in self.reports])
        closed = [p for p in self.projects if p.record.status == "completed"]
        self.returned = Sum.of([returned_of(p) for p in closed])

    @property
    def unallocated(self) -> Decimal | None:
        """Planned but not (yet) approved for a project: only when both sums are whole."""
        if not (self.plans and self.planned.complete and self.approved.complete):
            return None
        in_plans = sum((p.budget for p in self.projects if p.plan is not None), ZERO)
        return self.planned.total - in_plans

    @property
    def spent_vs_approved(self) -> Decimal | None:
        """The funds' books' spending less the budgets approved that year (positive: the
        funds spent more than that year's projects, e.g. on earlier years' projects)."""
        if self.accounts is None or not self.accounts.reporting:
            return None
        return self.accounts.spent - self.approved.total


def years_of(
    funds: Iterable[FundNode], plans: Iterable[PlanNode], projects: Iterable[ProjectNode]
) -> list[int]:
    """Every fiscal year with accounts, plans or projects in a scope, newest first."""
    found: set[int] = set()
    for fund in funds:
        found.update(f.fiscal_year for f in fund.record.finances)
    found.update(p.record.fiscal_year for p in plans)
    found.update(p.fiscal_year for p in projects if p.fiscal_year)
    return sorted(found, reverse=True)


def flow(
    fiscal_year: int,
    funds: Sequence[FundNode],
    plans: Iterable[PlanNode],
    projects: Iterable[ProjectNode],
    books: bool = True,
) -> Flow:
    """The flow of one fiscal year over a scope's records (those of other years are left
    out); ``books=False`` where the funds' accounts do not belong to the scope (an issue)."""
    year_plans = [p for p in plans if p.record.fiscal_year == fiscal_year]
    year_projects = [p for p in projects if p.fiscal_year == fiscal_year]
    reports = [r for p in year_projects for r in p.reports]
    return Flow(
        fiscal_year,
        list(funds),
        year_plans,
        year_projects,
        reports,
        accounts(funds, fiscal_year) if books else None,
    )


def change(now: Decimal, before: Decimal | None) -> Decimal | None:
    """Percentage change from last year, None when last year is unknown or zero."""
    if before is None or before == 0:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Closing:
    """A completed project's budget, accounted for by reported spending and money returned."""

    budget: Decimal | None
    reported: Sum
    returned: Decimal | None

    @property
    def not_reported(self) -> Decimal | None:
        """The part of the budget no report and no return accounts for (ยังไม่รายงาน)."""
        if self.budget is None:
            return None
        rest = self.budget - self.reported.total - (self.returned or ZERO)
        return max(rest, ZERO)

    @property
    def over(self) -> Decimal | None:
        """Reported spending plus returned money above the budget."""
        if self.budget is None:
            return None
        extra = self.reported.total + (self.returned or ZERO) - self.budget
        return extra if extra > 0 else None


def closing(project: ProjectNode) -> Closing:
    return Closing(
        project.record.budget,
        Sum.of(r.record.spent for r in project.reports),
        returned_of(project),
    )


def scope_records(
    graph: SiteGraph, level: str, key: Any
) -> tuple[list[FundNode], list[PlanNode], list[ProjectNode]]:
    """The funds, plans and projects of an area, issue, fund or the whole portal."""
    if level == "all":
        return list(graph.funds.values()), list(graph.plans.values()), list(graph.projects.values())
    if level == "fund":
        fund = graph.funds[key]
        return [fund], list(fund.plans), list(fund.projects)
    if level == "issue":
        plans = graph.lookup("plans", "issue", key)
        projects = graph.lookup("projects", "issue", key)
        funds = _unique(p.fund for p in [*plans, *projects])
        return funds, plans, projects
    return (
        graph.lookup("funds", level, key),
        graph.lookup("plans", level, key),
        graph.lookup("projects", level, key),
    )


def _unique(funds: Iterable[FundNode]) -> list[FundNode]:
    seen: dict[int, FundNode] = {}
    for fund in funds:
        seen.setdefault(id(fund), fund)
    return sorted(seen.values(), key=lambda f: f.id)
