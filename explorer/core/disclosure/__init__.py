"""Disclosure control: the one place that decides what may be shown. Every Results table is made
from it; nothing else in the program withholds or combines groups.

The guarantee (respondent-level data, for one file): no group of fewer than T respondents, or of
fewer than T answers to a question, can have its size or any figure about it worked out exactly
from any combination of the figures the program shows or exports — within a view, within an export,
and across any number of views (filters =, !=, A|B, several filters, one or two compare-by columns,
every lens, statistic and year). T is the threshold of the views combined: 11 for views at the
default, and the lowest threshold among views made at several (a higher threshold or the local rule
only ever combines more).

Mechanism (by construction, no history):
1. **Protected partitions** (:mod:`.families`, :mod:`.partition`). Per survey year, the
   respondents are split into blocks by their values in a *family* of columns — the organisation's
   own columns, or the people (equality) columns — pooling small values hierarchically ("Other
   staff groups (combined)") until every block has at least T respondents. Every filter and every
   compare-by is evaluated on these recoded values, so every figure is about a union of blocks.
2. **Per question** (:mod:`.measures`). For each question the partition is coarsened until every
   block also has, in every set of answers a figure counts in its n, none or at least T (the %
   base, the answers on the scale, and for the answer distribution everyone who answered, Don't
   know and Not applicable included), and under the local rule more than 3 positive and 3 negative
   answers. Each figure of that question is then a sum over whole blocks.
3. **Families are not combined.** A view uses columns of one family only. Figures from the two
   families can still be set side by side; :mod:`.crosscheck` certifies that no cut of the overlap
   graph weighs 1..T-1, which is exactly what combining them would need.
4. **Settings nest.** Thresholds form a chain: the partition at T is recoded from the *join* of the
   partitions at T-1 and of the respondent groups at T (:func:`.measures.join`), and the local rule's
   from the join of the partition without it and the local one at T-1. A recoding only combines, so
   every block at T (local rule or not) is a union of blocks at every lower threshold, down to the
   minimum threshold without the local rule.
5. **Filters read labels.** A filter selects a block only where it surely holds for the block's
   label (the values all its members share; a combined position is unknown, so `=` and `!=` both
   leave it out unless the filter names the combined group). A view never contains someone its
   filter excludes, and which blocks it holds depends on labels only — never on who is inside a
   block (that would tell whether a combination is empty). Either way a view is a union of blocks.
6. **Weights read labels too** (:meth:`explorer.core.engine.Prepared.block_weights`). A weighted
   figure counts each block with one weight: the file's weight for the block's group when its label
   names a value of every column the weights follow (the survey weights by occupation group), else
   the year's average over such blocks. Weights differing inside a block would make a weighted
   figure depend on its make-up, which can then be solved for. Equality-column views are unweighted.

7. **Words and other statistics.** Every text (reasons, notes, the catalog's lists of what is
   combined) is made from block labels and shown figures, never from who is inside a block; a year
   under the minimum threshold has no size anywhere. An association (drivers) is worked out over
   whole blocks of people who answered both questions (a partition of their own, at least T each).
   Tested on neighbouring files (tests/test_disclosure_neighbours.py): one respondent taken out, or
   moved inside their group, changes nothing it must not.

Proof sketch: every figure about a question in a year is a sum over a union of blocks (1, 2, 5, 6), so
any linear combination of figures of one family and setting is constant on blocks; a group in their
span is a union of blocks and holds at least T answers. Across settings (4), all blocks are unions
of the minimum setting's blocks, so the same holds with the minimum threshold. Two families: 0/1
combinations are differences of a union of blocks of one and a union nested in it, whose size is a
cut of the overlap graph — and there is none under T (3), checked at every setting. Different years
are different respondents. Changes, comparisons with the rest of the organisation and significance
are computed from shown figures only. Not disclosed either: whether a combination is empty or small
(an empty view says the same words for both; two-way views name only protected groups).

Published (aggregate) files carry their own figures: :mod:`.published` withholds what is below T
and what a table's total would reveal by subtraction.
"""

from __future__ import annotations

from explorer.core.disclosure.families import NOT_STATED, ORGANISATION, PEOPLE, Family, pooled_label
from explorer.core.disclosure.measures import MeasurePartition, coarsen, join, leaves, separated
from explorer.core.disclosure.partition import POOLED, Rule
from explorer.core.unverified import load_unverified

__all__ = ["NOT_STATED", "ORGANISATION", "PEOPLE", "POOLED", "Family", "MeasurePartition", "Rule", "coarsen",
           "leaves", "join", "separated", "pooled_label", "minimum_threshold", "local_rule_max", "rule",
           "reason_small", "reason_combined_or_small", "reason_parts", "reason_local",
           "reason_column_dropped", "reason_no_answers", "reason_no_answers_shown", "REASON_YEAR_TOO_SMALL"]


def minimum_threshold() -> int:
    """The smallest threshold allowed (11, a [V] fact kept in unverified.toml)."""
    return load_unverified().minimum_base


def local_rule_max() -> int:
    """The local rule: a % is hidden when positive or negative answers are at most this (3)."""
    return load_unverified().local_rule_max_count


def rule(threshold: int, local: bool = False) -> Rule:
    return Rule(threshold, local_rule_max() if local else None)


def reason_small(threshold: int) -> str:
    return f"fewer than {threshold} responses"


def reason_combined_or_small(threshold: int, pool: str) -> str:
    """Why a value of the file's is not shown on its own: the same words whether it is small itself
    or was combined to protect smaller groups (which it is would reveal its size)."""
    return f"fewer than {threshold} respondents, or combined to protect smaller groups; counted in '{pool}'"


def reason_parts(pool: str) -> str:
    """A group withheld for one question: the same words whether it has too few answers of its own
    or enough but was combined to protect a smaller group (which it is changes with the threshold,
    and would tell how many answered). A group where nobody answered says so instead
    (:func:`reason_no_answers`): it has nothing to protect, and it is withheld for no other group."""
    return f"too few answers to this question to show, or pooled with a smaller group to protect it; counted in '{pool}'"


def reason_local() -> str:
    return f"{local_rule_max()} or fewer positive or negative answers (local rule)"


def reason_column_dropped(column: str) -> str:
    return (f"not shown by {column} for this question this year: with the organisation's own breakdowns "
            "it could single out a small group")


def reason_no_answers() -> str:
    return "no answers from this group"


def reason_no_answers_shown() -> str:
    """A filtered selection's figure with no answers it may show: nobody answered, or those who did are
    counted in combined groups with others (which of the two is not said: that would tell who exists)."""
    return "no answers that can be shown for this selection (nobody answered, or too few to show without revealing them)"


REASON_YEAR_TOO_SMALL = "too few responses this year to show anything safely"
