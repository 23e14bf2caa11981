"""Stage 3 of the pipeline: the site graph → a list of pages, each a pure function of records."""

from fundsite.plan.pages import PagePlan, plan_site

__all__ = ["PagePlan", "plan_site"]
