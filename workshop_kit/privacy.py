"""Who may see what of the cohort's answers: the kit's minimum group sizes, in one place.

- **A participant** sees their own answers, and under a saved answer a comparison with the
  cohort once at least ``MIN_COHORT`` *other* people have answered.  The comparison reads the
  cohort's last *release*, which moves only when ``release_step()`` people's answers have
  changed since, so two readings never differ by one person's answer.
- **The facilitator's views** (dashboard, presenter, report, programme report) show a
  breakdown of an exercise only when at least ``MIN_GROUP`` people answered it; below that,
  a count and a note.  Exercises the catalogue marks ``sensitive`` show counts only, never
  what anyone wrote.  Names appear only on the facilitator's own screen, when they switch
  names on, and never on the projector.
- **The JupyterHub database** enforces the participant's rule itself (a participant's login
  can read only the cohort's release), so the same sizes are written into it at set-up.

docs/privacy.md says the same for an information-governance reader.
"""

from __future__ import annotations

MIN_COHORT = 5  # other people who must have answered before a participant sees a comparison
MIN_GROUP = 3  # people who must have answered before a cohort view shows an exercise's breakdown


def release_step(min_cohort: int = MIN_COHORT) -> int:
    """People whose answers must change before a comparison moves: one more than ``min_cohort``, as one may be the reader."""
    return min_cohort + 1
