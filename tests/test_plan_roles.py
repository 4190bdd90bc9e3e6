"""The development plan reads what to highlight from the catalogue (``plan`` roles and ``plan_heading``),
not from exercise ids in code: a facilitator's copied catalogue with renamed ids and reworded prompts
gives the same plan, and a role given wrongly is refused with a plain message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workshop_kit.catalogue.model import CatalogueError, default_catalogue, load_catalogue
from workshop_kit.store.demo import make_demo_cohort
from workshop_kit.store.responses import ResponseStore
from workshop_kit.summaries.objectives import suggest_objectives
from workshop_kit.views.plan import build_plan
from workshop_kit.views.plan_documents import document_text, pdp_parts

TODAY = dt.date(2026, 2, 3)
RENAMED = {  # every exercise the plan reads, under a facilitator's own ids
    "goal.statement": "vision.big-goal",
    "goal.timeframe": "vision.when",
    "goal.ambition": "vision.how-bold",
    "goal.aims": "vision.who-for",
    "goal.people": "vision.allies",
    "risk.appetite": "risk.my-appetite",
    "brand.attributes": "brand.known-for",
    "brand.peer-value": "brand.peers",
    "brand.other-attributes": "brand.more",
    "system.map": "system.stakeholders",
    "relationships.log": "relationships.promises",
    "iwe.learning-commitment": "iwe.my-learning",
    "development.needs": "development.support",
    "development.comfort": "development.at-ease",
    "development.skills": "development.to-build",
    "plan.objectives": "pdp.my-objectives",
}


def copied_catalogue(tmp_path: Path, text: str | None = None) -> Path:
    """The kit's catalogue with the plan's exercises renamed and every prompt reworded."""
    if text is None:
        text = Path(default_catalogue().path).read_text(encoding="utf-8")
        for old, new in RENAMED.items():
            assert f'"{old}"' in text, old
            text = text.replace(f'"{old}"', f'"{new}"')
        text = text.replace('prompt = "', 'prompt = "In your own words: ')
    path = tmp_path / "copied.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_plans(tmp_path):
    """The same participant's answers in the kit's catalogue and in the renamed copy; a plan from each."""
    shipped = ResponseStore(tmp_path / "shipped.sqlite")
    make_demo_cohort(shipped, participants=3, cohort="north-2026", seed=7)
    who = shipped.participants("north-2026")[0]
    answers = shipped.my_answers(participant=who, cohort="north-2026")
    copied = ResponseStore(tmp_path / "copied.sqlite", catalogue=load_catalogue(copied_catalogue(tmp_path)))
    for exercise_id, response in answers.items():
        copied.save(RENAMED.get(exercise_id, exercise_id), response.answer, participant=who, cohort="north-2026")
    plans = [build_plan(s, who, "north-2026", today=TODAY) for s in (shipped, copied)]
    yield plans, answers, [s.catalogue for s in (shipped, copied)], [s.my_answers(participant=who, cohort="north-2026") for s in (shipped, copied)]
    shipped.close()
    copied.close()


def test_renamed_ids_keep_the_plan_whole(two_plans):
    """Every highlight, the objectives, the commitments and the needs come through the renamed catalogue unchanged."""
    (shipped, copied), answers, _, _ = two_plans
    headings = [h.label for h in shipped.highlights]
    assert headings == [
        "My appetite for risk", "How I will take managed risks", "The authority I actually hold", "My audacious goal",
        "The wider changes my goal needs, and my part", "What I bring", "People I need", "My key stakeholders",
        "My commitments", "What I want to be known for", "Skills I will build", "Support I need",
    ]
    assert sum(h.answered for h in shipped.highlights) >= 10, "the demo participant should answer most of what the plan reads"
    assert [(h.label, h.blocks, h.notebook) for h in copied.highlights] == [(h.label, h.blocks, h.notebook) for h in shipped.highlights]
    assert copied.objectives == shipped.objectives and copied.commitments == shipped.commitments and copied.needs == shipped.needs
    assert shipped.commitments and shipped.needs


def test_renamed_ids_draft_the_same_objectives(two_plans):
    _, _, catalogues, answers = two_plans
    drafts = [suggest_objectives(c, a, today=TODAY) for c, a in zip(catalogues, answers)]
    assert drafts[0] == drafts[1] and len(drafts[0]) >= 3


def test_the_appraisal_document_skips_what_it_shows_in_its_own_sections(two_plans):
    """Commitments and support needs have their own parts of the PDP, so "Where I am heading" does not repeat them."""
    (shipped, _), _, _, _ = two_plans
    text = document_text(pdp_parts(shipped))
    heading = text.index("4. Where I am heading")
    assert "My audacious goal" in text[heading:]
    assert "My commitments" not in text[heading:] and "Support I need" not in text[heading:]


def test_a_new_heading_in_the_catalogue_shows_in_the_plan(tmp_path):
    """A facilitator's plan_heading on an exercise the kit does not highlight puts its answer in the summary."""
    text = Path(default_catalogue().path).read_text(encoding="utf-8")
    text = text.replace('id = "risk.domains"\nsection = "risk"\nkind = "pick"\n', 'id = "risk.domains"\nsection = "risk"\nkind = "pick"\nplan_heading = "Where I take risks"\n')
    catalogue = load_catalogue(copied_catalogue(tmp_path, text))
    store = ResponseStore(tmp_path / "a.sqlite", catalogue=catalogue)
    picks = list(catalogue.exercise("risk.domains").options[:2])
    store.save("risk.domains", picks, participant="Sam Patel", cohort="north-2026")
    (highlight,) = [h for h in build_plan(store, "Sam Patel", "north-2026", today=TODAY).highlights if h.label == "Where I take risks"]
    assert highlight.blocks[0].items == tuple(picks)
    store.close()


@pytest.mark.parametrize(
    "change, message",
    [
        (('plan = "goal"\n', 'plan = "dream"\n'), "must be one of goal"),
        (('plan = "appetite"\n', 'plan = "goal"\n'), "is a text exercise; this one is a scale"),
        (('plan = "brand-other"\n', 'plan = "goal"\n'), "given to more than one exercise"),
        (('{ name = "deliverable",', '{ name = "promise",'), "this log has no deliverable"),
        (('plan_heading = "What I bring"\n', 'plan_heading = "' + "x" * 81 + '"\n'), "at most 80 characters"),
    ],
)
def test_a_wrong_role_is_refused_plainly(tmp_path, change, message):
    text = Path(default_catalogue().path).read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(copied_catalogue(tmp_path, text.replace(change[0], change[1], 1)))
