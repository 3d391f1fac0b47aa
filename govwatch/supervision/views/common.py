"""What the supervision pages share: paging that keeps the filters, links into the case list."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property

from govwatch.accounts.permissions import MANAGE_TEMPLATES, may
from govwatch.core.keyset import COUNT_LIMIT

PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """Pages whose total is counted up to COUNT_LIMIT rows only (`capped` beyond it).

    Counting every evaluation of a province (three million) to print "共 N 条" costs more than the
    page itself; past the limit the list says "10,000+" and pages up to it. Filters narrow a list
    to what a person reads. `counted`, when given, is the same rows written so that the database
    counts them through an index (see evaluation_list).
    """

    def __init__(self, object_list, per_page, counted: QuerySet | None = None) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        rows = self.counted if self.counted is not None else self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        counted = rows.order_by().values("pk")[: COUNT_LIMIT + 1].count()
        self.capped = counted > COUNT_LIMIT
        return min(counted, COUNT_LIMIT)

    capped = False


@dataclass(frozen=True)
class Listing:
    """One page of rows and the links to its neighbours, keeping every other GET parameter."""

    page: Page
    first: str | None
    previous: str | None
    next: str | None
    last: str | None


def page_context(request: HttpRequest, section: str, **values) -> dict:
    """The context every supervision page has: the main navigation entry and its own tabs."""
    return {
        "nav": "supervision",
        "section": section,
        "can_manage_texts": may(request.user, MANAGE_TEMPLATES),
        **values,
    }


def paginate(
    request: HttpRequest,
    rows,
    param: str = "page",
    per_page: int = PAGE_SIZE,
    counted: QuerySet | None = None,
) -> Listing:
    # The parameter is named so that two lists on one page (the inbox) page independently.
    page = CappedPaginator(rows, per_page, counted).get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    has_prev, has_next = page.has_previous(), page.has_next()
    return Listing(
        page=page,
        first=link(1) if has_prev else None,
        previous=link(page.previous_page_number()) if has_prev else None,
        next=link(page.next_page_number()) if has_next else None,
        last=link(page.paginator.num_pages) if has_next else None,
    )


def case_list_url(card: str = "", unit_code: str = "", item_code: str = "") -> str:
    """The web case list filtered as a board figure counts: by card, unit subtree and item."""
    params = {k: v for k, v in (("card", card), ("unit", unit_code), ("item", item_code)) if v}
    return reverse("case-list") + ("?" + urlencode(params) if params else "")
