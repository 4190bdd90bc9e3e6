"""Charts: one matplotlib figure per exercise kind, nothing drawn when there is nothing to show."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from matplotlib.figure import Figure

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.views.charts import ChartCache, _label, chart, png_bytes, png_data_uri
from workshop_kit.store.demo import demo_rows
from workshop_kit.store.responses import Response
from workshop_kit.summaries.cohort import summarise

CAT = default_catalogue()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo() -> list[Response]:
    return demo_rows(12, "c1", seed=5)


class TestChart:
    @pytest.mark.parametrize("ex_id", ["goal.ambition", "risk.appetite", "risk.support", "goal.statement", "week.time-budget", "system.map", "relationships.log", "empathy.map"])
    def test_each_kind_draws(self, demo, ex_id):
        """Scale, paired scale, pick, text (its frequent words), budget, grid and log answers each give a PNG figure."""
        fig = chart(summarise(CAT.exercise(ex_id), demo))
        assert isinstance(fig, Figure)
        assert png_bytes(fig).startswith(PNG_MAGIC)

    def test_nothing_for_private_text(self, demo):
        """A sensitive text exercise has no chart: its content is never shown."""
        assert chart(summarise(CAT.exercise("risk.limits"), demo)) is None

    def test_nothing_below_minimum(self, demo):
        """Too few answers: no chart, so no breakdown leaks through a picture."""
        few = [r for r in demo if r.exercise_id == "goal.ambition"][:2]
        assert chart(summarise(CAT.exercise("goal.ambition"), few)) is None

    def test_nothing_without_answers(self):
        """No answers: no chart."""
        assert chart(summarise(CAT.exercise("risk.domains"), [])) is None


class TestDataUri:
    def test_self_contained_png(self, demo):
        """The data URI holds the PNG itself, so a page needs nothing from outside."""
        uri = png_data_uri(summarise(CAT.exercise("goal.timeframe"), demo))
        assert uri.startswith("data:image/png;base64,")
        assert base64.b64decode(uri.split(",", 1)[1]).startswith(PNG_MAGIC)


class TestChartCache:
    def test_drawn_once_per_fingerprint(self, demo):
        """The same summary (even rebuilt from the same answers) is drawn once; changed answers are drawn again."""
        cache = ChartCache()
        ex = CAT.exercise("goal.ambition")
        first = cache.uri(summarise(ex, demo))
        again = cache.uri(summarise(ex, demo))
        assert first == again and first.startswith("data:image/png;base64,") and cache.drawn == 1
        fewer = [r for r in demo if r.participant != demo[0].participant]
        assert cache.uri(summarise(ex, fewer)) != first and cache.drawn == 2

    def test_nothing_to_draw_is_cached_too(self, demo):
        """A summary with no chart gives None, and is not worked out again."""
        cache = ChartCache()
        private = summarise(CAT.exercise("risk.limits"), demo)
        assert cache.uri(private) is None and cache.uri(private) is None and cache.drawn == 1

    def test_keeps_at_most_its_limit(self, demo):
        """The cache holds no more than ``keep`` charts, dropping the least recently used first."""
        cache = ChartCache(keep=2)
        ex = CAT.exercise("goal.ambition")
        rows = [r for r in demo if r.exercise_id == ex.id]  # three different summaries of it, however the demo is ordered
        a, b, c = (summarise(ex, rows[:k]) for k in (len(rows), len(rows) - 3, len(rows) - 6))
        assert len({repr(s) for s in (a, b, c)}) == 3
        cache.uri(a), cache.uri(b), cache.uri(a), cache.uri(c)
        assert len(cache) == 2 and cache.drawn == 3
        cache.uri(a)  # used recently: still held
        assert cache.drawn == 3
        cache.uri(b)  # dropped: drawn again
        assert cache.drawn == 4


class TestLabels:
    def test_dollar_signs_are_literal(self):
        """A $ in a label is drawn as a dollar sign, never parsed as mathtext."""
        assert _label("Save $5m") == r"Save \$5m"

    def test_own_entries_drawn_as_one_bar(self):
        """Participants' own pick entries are one 'Own entry' bar, so their words never reach a chart label."""
        t = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        rows = [Response(str(i), "c", f"p{i}", "risk.domains", ["$\\frac{1}{0}$ <b>x</b>"], t, "t") for i in range(3)]
        fig = chart(summarise(CAT.exercise("risk.domains"), rows))
        labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
        assert "Own entry" in labels and not any("frac" in label for label in labels)
        png_bytes(fig)
