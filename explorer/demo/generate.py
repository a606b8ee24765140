"""Generate the built-in demo: the FICTIONAL "Northshire Hospitals NHS Foundation Trust".

    python -m explorer.demo.generate [--out resources/demo] [--no-xlsx]

Reproducible (fixed seed). Writes, into ``resources/demo``:

* ``northshire_respondents_<year>.csv.gz`` — respondent-level results 2021-2025, each year in that
  year's own question numbering (answer codes; blank = no answer). The fastest form to load.
* ``Northshire-respondents-2024-2025.xlsx`` — the same 2024 and 2025 rows as a trust would receive
  them in a workbook: an "About" sheet, title rows above the header, one sheet per year, 99 = missing.
* ``NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx`` — an organisation-level workbook in the
  official benchmark-report layout (Notes sheet, one sheet per benchmarking group, ``<var>_<YYYY>`` and
  ``<var>_n_<YYYY>``, proportions 0-1, scores 0-10) for 122 fictional organisations incl. Northshire.

The data are simulated from a small latent model so that the charts say something true-to-life:
line-manager items move with trust and engagement; bullying from colleagues is higher in Surgery and
for ethnic-minority and disabled staff; morale dips in 2022 and recovers; Corporate x Medical and
Dental is always a cell of fewer than 11 respondents, and so is the small Research and Innovation
directorate; three local questions ask about senior managers.
Every organisation, name and number in it is invented.
"""

from __future__ import annotations

import argparse
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from explorer.core.questionbank import Item, QuestionBank, load_bank
from explorer.core.scoring import positive_flags, respondent_scores

SEED = 20251122
TRUST_ID = "XNH"
TRUST_NAME = "Northshire Hospitals NHS Foundation Trust"
FICTIONAL = "FICTIONAL DEMONSTRATION DATA - invented organisations and numbers, not real NHS Staff Survey results."
RESPONDENTS = {2021: 3350, 2022: 3080, 2023: 3720, 2024: 4010, 2025: 4290}
YEARS = tuple(RESPONDENTS)
BREAKDOWNS = ("Directorate", "Site", "Staff group")
XLSX_RESPONDENT_YEARS = (2024, 2025)
RESPONDENT_CSV = "northshire_respondents_{year}.csv.gz"
RESPONDENT_XLSX = "Northshire-respondents-2024-2025.xlsx"
BENCHMARK_XLSX = "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx"
ELIGIBLE_STAFF = 8700  # staff invited to take part each year (sets the response rate)
SMALL_CELL = ("Corporate", "Medical and Dental")
SMALL_CELL_SIZES = {2021: 6, 2022: 4, 2023: 7, 2024: 5, 2025: 8}
# a directorate too small to report on its own, so suppression shows even in a one-way breakdown
SMALL_DIRECTORATE = "Research and Innovation"
SMALL_DIRECTORATE_SIZES = {2021: 7, 2022: 6, 2023: 9, 2024: 8, 2025: 9}
SMALL_DIRECTORATE_GROUPS = ("Add Prof Scientific and Technic", "Administrative and Clerical", "Healthcare Scientists")

DIRECTORATES = {
    "Medicine": 0.27, "Surgery": 0.22, "Women and Children": 0.14,
    "Clinical Support Services": 0.16, "Corporate": 0.11, "Estates and Facilities": 0.10,
}
STAFF_GROUPS = (
    "Nursing and Midwifery Registered", "Additional Clinical Services", "Medical and Dental",
    "Allied Health Professionals", "Healthcare Scientists", "Add Prof Scientific and Technic",
    "Administrative and Clerical", "Estates and Ancillary",
)
# share of each ESR staff group within each directorate (rows sum to 1)
STAFF_MIX = {
    "Medicine":                  (0.36, 0.22, 0.14, 0.08, 0.02, 0.03, 0.15, 0.00),
    "Surgery":                   (0.34, 0.20, 0.18, 0.06, 0.01, 0.03, 0.16, 0.02),
    "Women and Children":        (0.47, 0.18, 0.14, 0.03, 0.02, 0.02, 0.14, 0.00),
    "Clinical Support Services": (0.05, 0.15, 0.02, 0.25, 0.17, 0.18, 0.18, 0.00),
    "Corporate":                 (0.05, 0.00, 0.00, 0.00, 0.00, 0.04, 0.88, 0.03),
    "Estates and Facilities":    (0.00, 0.02, 0.00, 0.00, 0.00, 0.03, 0.25, 0.70),
}
SITES = ("Northshire General Hospital", "Eastbrook Community Hospital", "Riverside Treatment Centre")
SITE_MIX = {
    "Medicine": (0.70, 0.30, 0.00), "Surgery": (0.55, 0.05, 0.40), "Women and Children": (0.85, 0.15, 0.00),
    "Clinical Support Services": (0.60, 0.25, 0.15), "Corporate": (0.90, 0.10, 0.00),
    "Estates and Facilities": (0.60, 0.25, 0.15),
}
# national mix of staff groups in acute trusts, the target of the occupational-group weighting
NATIONAL_MIX = dict(zip(STAFF_GROUPS, (0.27, 0.22, 0.11, 0.07, 0.02, 0.05, 0.20, 0.06)))

# occupation (q35 keys) within each staff group
OCCUPATIONS = {
    "Nursing and Midwifery Registered": {"nurse_adult": 0.72, "nurse_children": 0.08, "midwife": 0.10,
                                         "nurse_other": 0.07, "nurse_district": 0.03},
    "Additional Clinical Services": {"healthcare_assistant": 0.76, "support_ahp": 0.14, "support_healthcare_scientist": 0.10},
    "Medical and Dental": {"medical_consultant": 0.44, "medical_training": 0.40, "medical_sas": 0.11, "medical_other": 0.05},
    "Allied Health Professionals": {"occupational_therapy": 0.20, "physiotherapy": 0.33, "radiography": 0.27,
                                    "speech_language_therapy": 0.05, "other_ahp": 0.15},
    "Healthcare Scientists": {"healthcare_scientist": 0.82, "support_healthcare_scientist": 0.18},
    "Add Prof Scientific and Technic": {"pharmacy": 0.70, "clinical_psychology": 0.10, "healthcare_scientist": 0.20},
    "Administrative and Clerical": {"admin_clerical": 0.60, "central_functions": 0.30, "general_management": 0.10},
    "Estates and Ancillary": {"maintenance_ancillary": 0.95, "other": 0.05},
}
# keys that a year's occupation scale lacks fall back to these
OCCUPATION_FALLBACK = {"medical_sas": "medical_other", "speech_language_therapy": "other_ahp"}

LOCAL_QUESTIONS = {
    "Senior managers here try to involve staff in important decisions": YEARS,
    "Senior managers act on staff feedback": YEARS,
    "Communication between senior management and staff is effective": (2023, 2024, 2025),
}

# ----------------------------------------------------------------------------- latent model
YEAR_SHIFT = {  # in SD units; positive = more favourable
    "calm":  {2021: -0.05, 2022: -0.20, 2023: -0.10, 2024: 0.00, 2025: 0.05},
    "stay":  {2021: 0.00, 2022: -0.16, 2023: -0.06, 2024: 0.04, 2025: 0.08},
    "eng":   {2021: 0.00, 2022: -0.12, 2023: -0.04, 2024: 0.03, 2025: 0.05},
    "org":   {2021: 0.02, 2022: -0.12, 2023: -0.02, 2024: 0.04, 2025: 0.08},
    "lm":    {2021: 0.00, 2022: -0.03, 2023: 0.03, 2024: 0.06, 2025: 0.09},
    "pay":   {2021: 0.00, 2022: -0.30, 2023: -0.12, 2024: 0.00, 2025: 0.05},
}
DIR_SHIFT = {
    "coll":  {"Surgery": -0.55, "Estates and Facilities": -0.12},  # safety from colleague bullying
    "lm":    {"Corporate": 0.15, "Women and Children": 0.05, "Surgery": -0.10, "Estates and Facilities": -0.15},
    "calm":  {"Medicine": -0.25, "Surgery": -0.10, "Corporate": 0.30, "Clinical Support Services": 0.10},
    "org":   {"Corporate": 0.10, "Estates and Facilities": -0.10},
    "pub":   {"Medicine": -0.25},
}
GROUP_SHIFT = {
    "pub":  dict(zip(STAFF_GROUPS, (-0.45, -0.45, -0.15, 0.00, 0.60, 0.40, 0.45, 0.20))),
    "calm": dict(zip(STAFF_GROUPS, (-0.20, -0.10, -0.10, 0.00, 0.00, 0.00, 0.20, 0.10))),
}


@dataclass(frozen=True)
class ItemModel:
    """How one item is simulated: factor loadings and the answer distribution at the average."""

    loadings: dict[str, float]
    dist: tuple[float, ...]  # probability of each code of the substantive scale, in code order


def _agree(p: float) -> tuple[float, ...]:
    return ((1 - p) * 0.22, (1 - p) * 0.33, (1 - p) * 0.45, p * 0.65, p * 0.35)


def _often(p: float) -> tuple[float, ...]:
    return ((1 - p) * 0.20, (1 - p) * 0.35, (1 - p) * 0.45, p * 0.70, p * 0.30)


def _rarely(p: float) -> tuple[float, ...]:
    return (p * 0.30, p * 0.70, (1 - p) * 0.50, (1 - p) * 0.33, (1 - p) * 0.17)


def _incident(p: float) -> tuple[float, ...]:
    return (1 - p, p * 0.55, p * 0.22, p * 0.10, p * 0.13)


def _yes(p: float) -> tuple[float, ...]:
    return (p, 1 - p)


def _definitely(p: float) -> tuple[float, ...]:
    return (p, (1 - p) * 0.7, (1 - p) * 0.3)


def M(dist, **loadings) -> ItemModel:  # noqa: N802 - a compact table below
    return ItemModel(loadings=loadings, dist=tuple(dist))


# % positive at the average (roughly national 2024 levels) and what drives each item
MODELS: dict[str, ItemModel] = {
    "motivation_look_forward": M(_often(0.55), eng=0.75), "motivation_enthusiastic": M(_often(0.68), eng=0.75),
    "motivation_time_passes": M(_often(0.70), eng=0.6),
    "work_know_responsibilities": M(_agree(0.87), lm=0.4, calm=0.3), "work_trusted": M(_agree(0.91), lm=0.5, org=0.2),
    "work_initiative": M(_agree(0.72), eng=0.65), "work_suggestions": M(_agree(0.72), eng=0.55, lm=0.25),
    "work_involved_changes": M(_agree(0.51), lm=0.45, eng=0.3), "work_make_improvements": M(_agree(0.55), eng=0.6),
    "work_conflicting_demands": M(_agree(0.45), calm=0.7), "work_materials": M(_agree(0.57), calm=0.5, org=0.2),
    "work_enough_staff": M(_agree(0.31), calm=0.7),
    "satisfaction_recognition": M(_agree(0.55), lm=0.6), "satisfaction_org_values_work": M(_agree(0.42), org=0.65),
    "satisfaction_pay": M(_agree(0.31), pay=0.7), "satisfaction_flexible_working": M(_agree(0.55), calm=0.4, lm=0.3),
    "pressure_unrealistic_time": M(_rarely(0.25), calm=0.75), "pressure_choice_how_to_work": M(_often(0.52), eng=0.5, calm=0.2),
    "pressure_relationships_strained": M(_rarely(0.48), team=0.45, coll=0.3),
    "role_makes_difference": M(_agree(0.90), eng=0.5), "balance_org_committed": M(_agree(0.45), org=0.6),
    "balance_achieve": M(_agree(0.55), calm=0.65), "balance_approach_manager_flexible": M(_agree(0.70), lm=0.7),
    "team_shared_objectives": M(_agree(0.78), team=0.65), "team_meets_effectiveness": M(_agree(0.60), team=0.6),
    "team_respect_from_colleagues": M(_agree(0.72), team=0.5, coll=0.35),
    "team_understand_roles": M(_agree(0.75), team=0.6), "team_enjoy_colleagues": M(_agree(0.84), team=0.6),
    "team_freedom": M(_agree(0.62), team=0.45, eng=0.25), "team_disagreements_constructive": M(_agree(0.56), team=0.6, coll=0.2),
    "team_valued": M(_agree(0.72), team=0.65), "team_attachment": M(_agree(0.72), team=0.6),
    "org_teams_work_well": M(_agree(0.58), org=0.6), "colleagues_kind": M(_agree(0.73), team=0.45, coll=0.3),
    "colleagues_polite": M(_agree(0.74), team=0.45, coll=0.35), "colleagues_appreciation": M(_agree(0.68), team=0.6),
    "manager_encourages": M(_agree(0.72), lm=0.85), "manager_clear_feedback": M(_agree(0.66), lm=0.8),
    "manager_asks_opinion": M(_agree(0.58), lm=0.8), "manager_interest_wellbeing": M(_agree(0.71), lm=0.85),
    "manager_values_work": M(_agree(0.73), lm=0.85), "manager_works_together": M(_agree(0.70), lm=0.85),
    "manager_listens": M(_agree(0.73), lm=0.85), "manager_cares": M(_agree(0.71), lm=0.85),
    "manager_takes_action": M(_agree(0.62), lm=0.8),
    "health_org_positive_action": M(_agree(0.60), org=0.65),
    "health_msk": M(_yes(0.32), calm=0.4), "health_work_stress": M(_yes(0.42), calm=0.6, lm=0.2),
    "health_presenteeism": M(_yes(0.56), calm=0.45), "health_manager_pressure": M(_yes(0.22), lm=0.55),
    "burnout_emotionally_exhausting": M(_often(0.34), calm=0.75), "burnout_burnt_out": M(_often(0.30), calm=0.8),
    "burnout_frustrated": M(_often(0.38), calm=0.55, org=0.25), "burnout_exhausted_thought": M(_often(0.22), calm=0.75),
    "burnout_worn_out": M(_often(0.42), calm=0.75), "burnout_every_hour_tiring": M(_often(0.16), calm=0.75),
    "burnout_no_energy_family": M(_often(0.28), calm=0.7),
    "violence_public": M(_incident(0.12), pub=0.8), "violence_managers": M(_incident(0.008), mgrsafe=0.6),
    "violence_colleagues": M(_incident(0.015), coll=0.6),
    "harassment_public": M(_incident(0.22), pub=0.8), "harassment_managers": M(_incident(0.07), mgrsafe=0.75),
    "harassment_colleagues": M(_incident(0.13), coll=0.8),
    "equal_career_progression": M((0.56, 0.20), equal=0.7),
    "discrimination_public": M(_yes(0.06), pub=0.5, bme=0.45), "discrimination_staff": M(_yes(0.06), coll=0.45, bme=0.4, mgrsafe=0.2),
    "sexual_behaviour_public": M(_incident(0.08), pub=0.7), "sexual_behaviour_staff": M(_incident(0.04), coll=0.65),
    "errors_seen": M(_yes(0.30), calm=0.45),
    "incident_treated_fairly": M(_agree(0.60), org=0.7), "incident_encouraged_to_report": M(_agree(0.88), org=0.6),
    "incident_action_taken": M(_agree(0.70), org=0.7), "incident_feedback": M(_agree(0.62), org=0.65),
    "concerns_secure_raising": M(_agree(0.72), org=0.5, lm=0.3), "concerns_confident_addressed": M(_agree(0.56), org=0.75),
    "org_respects_differences": M(_agree(0.70), org=0.55, equal=0.3), "food_nutritious": M(_often(0.28), calm=0.3, org=0.3),
    "appraisal_improve_job": M(_definitely(0.23), lm=0.6), "appraisal_clear_objectives": M(_definitely(0.32), lm=0.6),
    "appraisal_valued": M(_definitely(0.30), lm=0.55, org=0.2),
    "development_challenging_work": M(_agree(0.67), eng=0.6), "development_career": M(_agree(0.55), org=0.5, eng=0.3),
    "development_knowledge_skills": M(_agree(0.70), org=0.4, eng=0.35), "development_supported_potential": M(_agree(0.57), lm=0.5, org=0.3),
    "development_access_learning": M(_agree(0.64), org=0.6), "development_clinical_supervision": M(_agree(0.60), org=0.4, lm=0.3),
    "org_care_top_priority": M(_agree(0.75), org=0.7), "org_acts_on_patient_concerns": M(_agree(0.69), org=0.7),
    "org_recommend_work": M(_agree(0.58), org=0.55, eng=0.35), "org_recommend_care": M(_agree(0.65), org=0.7),
    "org_safe_to_speak_up": M(_agree(0.62), org=0.55, lm=0.3), "org_confident_address_concern": M(_agree(0.49), org=0.75),
    "leave_often_think": M(_agree(0.29), stay=0.85), "leave_look_for_job": M(_agree(0.22), stay=0.8),
    "leave_as_soon_as_possible": M(_agree(0.16), stay=0.8),
}
LOCAL_MODELS = {
    "Senior managers here try to involve staff in important decisions": M(_agree(0.46), org=0.8),
    "Senior managers act on staff feedback": M(_agree(0.40), org=0.8),
    "Communication between senior management and staff is effective": M(_agree(0.48), org=0.75),
}


def _favourability_order(item: Item, year: int, dist_len: int) -> list[int]:
    """Substantive codes from least to most favourable."""
    codes = list(item.scale(year).substantive_codes)[:dist_len]
    if item.recode is not None:
        points = item.recode.points
        worse_high = points.get(codes[0], 0.0) > points.get(codes[-1], 0.0)  # e.g. incidents: 5 = "More than 10"
        return sorted(codes, key=lambda c: (points.get(c, 5.0), -c if worse_high else c))
    positive = item.positive.positive if item.positive else frozenset()
    return sorted(codes, key=lambda c: ((c in positive) != item.lower_is_better, c))


def _ordinal(z: np.ndarray, dist: tuple[float, ...], order: list[int]) -> np.ndarray:
    """Cut a latent (favourable = high) into codes so that z ~ N(0,1) reproduces ``dist``."""
    dist_by_code = dict(zip(sorted(order), dist))
    probs = np.array([dist_by_code[c] for c in order], dtype=float)
    probs /= probs.sum()
    cuts = [NormalDist().inv_cdf(min(max(c, 1e-9), 1 - 1e-9)) for c in np.cumsum(probs)[:-1]]
    category = np.searchsorted(np.array(cuts), z)
    return np.asarray(order)[category]


def _choice(rng: np.random.Generator, options, probs, size: int) -> np.ndarray:
    probs = np.asarray(probs, dtype=float)
    return rng.choice(np.asarray(options, dtype=object), size=size, p=probs / probs.sum())


# -------------------------------------------------------------------------- one year of data
def _people(year: int, rng: np.random.Generator) -> pd.DataFrame:
    n = RESPONDENTS[year]
    n_small, n_tiny = SMALL_CELL_SIZES[year], SMALL_DIRECTORATE_SIZES[year]
    dirs = list(DIRECTORATES)
    directorate = _choice(rng, dirs, list(DIRECTORATES.values()), n - n_small - n_tiny)
    group = np.empty(len(directorate), dtype=object)
    for d in dirs:
        mask = directorate == d
        group[mask] = _choice(rng, STAFF_GROUPS, STAFF_MIX[d], int(mask.sum()))
    # the deliberately small cell and directorate (always below the suppression threshold of 11)
    directorate = np.concatenate([directorate, np.full(n_small, SMALL_CELL[0], dtype=object),
                                  np.full(n_tiny, SMALL_DIRECTORATE, dtype=object)])
    group = np.concatenate([group, np.full(n_small, SMALL_CELL[1], dtype=object),
                            _choice(rng, SMALL_DIRECTORATE_GROUPS, [0.5, 0.3, 0.2], n_tiny)])
    order = rng.permutation(n)
    directorate, group = directorate[order], group[order]
    site = np.empty(n, dtype=object)
    site[directorate == SMALL_DIRECTORATE] = SITES[0]
    for d in dirs:
        mask = directorate == d
        site[mask] = _choice(rng, SITES, SITE_MIX[d], int(mask.sum()))
    return pd.DataFrame({"Directorate": directorate, "Site": site, "Staff group": group})


def _demographics(people: pd.DataFrame, year: int, rng: np.random.Generator, bank: QuestionBank) -> dict[str, np.ndarray]:
    n = len(people)
    group = people["Staff group"].to_numpy()
    out: dict[str, np.ndarray] = {}
    male_share = np.select([group == "Medical and Dental", group == "Estates and Ancillary",
                            group == "Nursing and Midwifery Registered"], [0.50, 0.48, 0.10], 0.20)
    u = rng.random(n)
    out["gender"] = np.where(u < 0.014, 9, np.where(u < 0.018, 3, np.where(u < 0.020, 4,
                             np.where(rng.random(n) < male_share, 2, 1))))
    out["gender_identity_same"] = _choice(rng, [1, 2, 9], [0.972, 0.004, 0.024], n)
    out["age"] = _choice(rng, [1, 2, 3, 4, 5, 6], [0.02, 0.21, 0.25, 0.23, 0.27, 0.02], n)
    # ethnicity: the share of ethnic-minority staff grows each year (international recruitment)
    bme_share = (0.22 + 0.025 * (year - 2021)) * np.select(
        [group == "Nursing and Midwifery Registered", group == "Medical and Dental", group == "Estates and Ancillary"],
        [1.45, 1.9, 0.6], 0.75)
    bme = rng.random(n) < bme_share
    white_keys = ["white_british", "white_irish", "white_gypsy_traveller", "white_other"]
    white_p = [0.86, 0.02, 0.002, 0.118]
    bme_keys = ["mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian", "mixed_other",
                "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese", "asian_filipino", "asian_other",
                "black_african", "black_caribbean", "black_other", "other_arab", "other_any"]
    bme_p = [0.02, 0.02, 0.03, 0.02, 0.26, 0.07, 0.02, 0.02, 0.14, 0.05, 0.25, 0.04, 0.02, 0.01, 0.02]
    keys = np.where(bme, _choice(rng, bme_keys, bme_p, n), _choice(rng, white_keys, white_p, n))
    scale = bank.item("ethnicity").scale(year)
    by_key = {o.key: o.code for o in scale.options}
    by_key.setdefault("asian_filipino", by_key["asian_other"])  # before 2025 Filipino staff tick "Any other Asian"
    out["ethnicity"] = np.array([by_key[k] for k in keys])
    out["_bme"] = bme.astype(float)
    out["sexual_orientation"] = _choice(rng, [1, 2, 3, 4, 5], [0.895, 0.022, 0.024, 0.005, 0.054], n)
    out["religion"] = _choice(rng, range(1, 10), [0.33, 0.48, 0.01, 0.04, 0.003, 0.055, 0.006, 0.02, 0.056], n)
    ltc = rng.random(n) < (0.22 + 0.012 * (year - 2021))
    out["long_term_condition"] = np.where(ltc, 1, 2)
    out["_ltc"] = ltc.astype(float)
    out["reasonable_adjustments"] = np.where(ltc, _choice(rng, [1, 2, 3], [0.42, 0.18, 0.40], n), 0)
    out["caring_children"] = np.where(rng.random(n) < 0.41, 1, 2)
    out["caring_others"] = np.where(rng.random(n) < 0.27, 1, 2)
    corporate = people["Directorate"].to_numpy() == "Corporate"
    out["work_from_home"] = np.where(corporate, _choice(rng, [1, 2, 3, 4, 5], [0.08, 0.07, 0.35, 0.35, 0.15], n),
                                     _choice(rng, [1, 2, 3, 4, 5], [0.78, 0.10, 0.08, 0.03, 0.01], n))
    out["tenure"] = _choice(rng, [1, 2, 3, 4, 5, 6], [0.08, 0.17, 0.21, 0.18, 0.12, 0.24], n)
    intl = np.where(bme & np.isin(group, ["Nursing and Midwifery Registered", "Medical and Dental"]), 0.55, 0.04)
    out["international_recruitment"] = np.where(rng.random(n) < 0.015, 9, np.where(rng.random(n) < intl, 1, 2))
    occ_scale = bank.item("occupation_group").scale(year)
    occ_by_key = {o.key: o.code for o in occ_scale.options}
    occ = np.zeros(n, dtype=int)
    for g, mix in OCCUPATIONS.items():
        mask = group == g
        chosen = _choice(rng, list(mix), list(mix.values()), int(mask.sum()))
        occ[mask] = [occ_by_key.get(k, occ_by_key.get(OCCUPATION_FALLBACK.get(k, ""), 0)) for k in chosen]
    out["occupation_group"] = occ
    return out


def _factors(people: pd.DataFrame, demo: dict[str, np.ndarray], year: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(people)
    d = people["Directorate"].to_numpy()
    g = people["Staff group"].to_numpy()

    def shift(table: dict[str, float], keys: np.ndarray) -> np.ndarray:
        return np.array([table.get(k, 0.0) for k in keys])

    def normal() -> np.ndarray:
        return rng.standard_normal(n)

    bme, ltc = demo["_bme"], demo["_ltc"]
    age = demo["age"]
    f: dict[str, np.ndarray] = {}
    f["team"] = normal()
    f["lm"] = 0.6 * f["team"] + 0.8 * normal() + shift(DIR_SHIFT["lm"], d) + YEAR_SHIFT["lm"][year]
    f["org"] = 0.45 * f["lm"] + 0.89 * normal() + shift(DIR_SHIFT["org"], d) + YEAR_SHIFT["org"][year]
    f["calm"] = normal() + shift(DIR_SHIFT["calm"], d) + shift(GROUP_SHIFT["calm"], g) + YEAR_SHIFT["calm"][year]
    f["eng"] = 0.45 * f["lm"] + 0.3 * f["org"] + 0.25 * f["calm"] + 0.78 * normal() + YEAR_SHIFT["eng"][year]
    f["stay"] = (0.45 * f["eng"] + 0.25 * f["lm"] + 0.2 * f["calm"] + 0.75 * normal() + YEAR_SHIFT["stay"][year]
                 + np.select([age <= 2, age == 5, age == 6], [-0.2, 0.1, 0.2], 0.0))
    f["coll"] = 0.25 * f["team"] + 0.95 * normal() + shift(DIR_SHIFT["coll"], d) - 0.45 * bme - 0.45 * ltc
    f["mgrsafe"] = 0.45 * f["lm"] + 0.85 * normal() - 0.3 * bme - 0.3 * ltc
    f["pub"] = normal() + shift(GROUP_SHIFT["pub"], g) + shift(DIR_SHIFT["pub"], d)
    f["equal"] = 0.5 * f["org"] + 0.8 * normal() - 0.55 * bme - 0.3 * ltc
    f["pay"] = 0.3 * f["org"] + 0.95 * normal() + YEAR_SHIFT["pay"][year]
    f["bme"] = -bme * 1.0  # favourable direction: discrimination on ethnic grounds falls on BME staff
    return f


def _latent(model: ItemModel, factors: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    n = len(next(iter(factors.values())))
    z = sum(w * factors[name] for name, w in model.loadings.items())
    explained = sum(w * w for w in model.loadings.values())
    return z + np.sqrt(max(0.2, 1.0 - explained)) * rng.standard_normal(n)


def _answers(people: pd.DataFrame, demo, factors, year: int, rng: np.random.Generator, bank: QuestionBank) -> dict[str, np.ndarray]:
    """Item id -> answer codes (float, NaN = no answer) for the core questions asked in ``year``."""
    n = len(people)
    g = people["Staff group"].to_numpy()
    a: dict[str, np.ndarray] = {}
    clinical = np.isin(g, STAFF_GROUPS[:6])
    for item in bank.items_in_year(year, kinds=("core",)):
        if item.id in MODELS:
            model = MODELS[item.id]
            order = _favourability_order(item, year, len(model.dist))
            a[item.id] = _ordinal(_latent(model, factors, rng), model.dist, order).astype(float)
    # questions answered from the job rather than attitudes
    contact = np.where(clinical, _choice(rng, [1, 2, 3], [0.88, 0.09, 0.03], n), _choice(rng, [1, 2, 3], [0.22, 0.30, 0.48], n))
    a["patient_contact"] = contact.astype(float)
    a["hours_contracted"] = np.where(rng.random(n) < np.where(g == "Additional Clinical Services", 0.38, 0.24), 1, 2).astype(float)
    a["hours_additional_paid"] = _choice(rng, [1, 2, 3, 4], [0.52, 0.26, 0.14, 0.08], n).astype(float)
    unpaid = np.where(g == "Medical and Dental", 0.30, 0.55)
    a["hours_additional_unpaid"] = np.where(rng.random(n) < unpaid, 1, _choice(rng, [2, 3, 4], [0.62, 0.25, 0.13], n)).astype(float)
    a["appraisal_had"] = np.where(rng.random(n) < 0.83 + 0.03 * (factors["lm"] > 0), 1, _choice(rng, [2, 3], [0.8, 0.2], n)).astype(float)
    leaving = a["leave_often_think"] >= 4
    a["leave_destination"] = np.where(
        leaving, _choice(rng, [1, 2, 3, 4, 5], [0.16, 0.38, 0.12, 0.16, 0.18], n),
        np.where(rng.random(n) < 0.85, 9, _choice(rng, [1, 2, 3, 4, 5], [0.3, 0.3, 0.1, 0.1, 0.2], n))).astype(float)
    if year in (2021, 2022):
        covid_ward = 0.45 if year == 2021 else 0.25
        a["covid_ward"] = np.where(clinical & (rng.random(n) < covid_ward), 1, 2).astype(float)
        a["covid_redeployed"] = np.where(rng.random(n) < (0.18 if year == 2021 else 0.07), 1, 2).astype(float)
        a["covid_remote"] = np.where(~clinical & (rng.random(n) < 0.55), 1, 2).astype(float)

    # routing and the "Not applicable" / "Don't know" options, as the questionnaire asks them
    a["role_makes_difference"][rng.random(n) < np.where(contact == 3, 0.12, 0.01)] = 9
    a["health_manager_pressure"][a["health_presenteeism"] != 1] = np.nan
    for kind in ("violence", "harassment"):
        any_incident = np.zeros(n, dtype=bool)
        for src in ("public", "managers", "colleagues"):
            any_incident |= a[f"{kind}_{src}"] >= 2
        share_reported = 0.70 if kind == "violence" else 0.48
        z = factors["org"] + rng.standard_normal(n)
        reported = z > NormalDist().inv_cdf(1 - share_reported)
        who = np.where(rng.random(n) < 0.7, 1, np.where(rng.random(n) < 0.8, 2, 6))
        answer = np.where(reported, who, np.where(rng.random(n) < 0.9, 3, 4))
        a[f"{kind}_reported"] = np.where(any_incident, answer, np.where(rng.random(n) < 0.9, 9, np.nan)).astype(float)
    dk_rate = np.where(clinical, 0.08, 0.18)
    for iid in ("incident_treated_fairly", "incident_encouraged_to_report", "incident_action_taken", "incident_feedback"):
        if iid in a:
            a[iid][rng.random(n) < dk_rate] = 9
    eq = a["equal_career_progression"]
    a["equal_career_progression"] = np.where(rng.random(n) < 0.24, 9, eq)
    for iid in ("appraisal_improve_job", "appraisal_clear_objectives", "appraisal_valued"):
        a[iid][a["appraisal_had"] != 1] = np.nan
    if "development_clinical_supervision" in a:
        a["development_clinical_supervision"][rng.random(n) < np.where(clinical, 0.10, 0.75)] = 9
    return a


def _discrimination_grounds(a, demo, year: int, rng: np.random.Generator, bank: QuestionBank) -> dict[int, np.ndarray]:
    n = len(demo["_bme"])
    routed = (a["discrimination_public"] == 1) | (a["discrimination_staff"] == 1)
    scale = bank.item("discrimination_grounds").scale(year)
    p = {"ethnic_background": 0.12 + 0.55 * demo["_bme"], "gender": np.full(n, 0.18), "sex": np.full(n, 0.12),
         "age": np.full(n, 0.20), "disability": 0.05 + 0.35 * demo["_ltc"], "religion": np.full(n, 0.06),
         "sexual_orientation": np.where(demo["sexual_orientation"] == 1, 0.02, 0.45), "other": np.full(n, 0.12)}
    grounds = {}
    for o in scale.options:
        prob = p.get(o.key, np.full(n, 0.03))
        grounds[o.code] = np.where(routed, (rng.random(n) < prob).astype(float), np.nan)
    # a routed respondent ticks at least one ground
    none = routed & (np.nansum(np.column_stack(list(grounds.values())), axis=1) == 0)
    grounds[scale.options[-1].code][none] = 1.0
    return grounds


def _missingness(frame: pd.DataFrame, question_columns: list[str], demographic_columns: list[str], rng) -> None:
    """Item non-response rising through the questionnaire, break-offs, and skipped background questions."""
    n = len(frame)
    k = len(question_columns)
    breakoff_at = np.where(rng.random(n) < 0.025, rng.integers(5, k, n), k + 1)
    for position, col in enumerate(question_columns):
        p = 0.006 + 0.02 * position / k
        drop = (rng.random(n) < p) | (position >= breakoff_at)
        frame.loc[drop, col] = np.nan
    for col in demographic_columns:
        drop = (rng.random(n) < 0.035) | (breakoff_at <= k)
        frame.loc[drop, col] = np.nan


def generate_year(year: int, seed: int = SEED, bank: QuestionBank | None = None) -> pd.DataFrame:
    """One year's respondent-level results, columns in that year's own question numbering."""
    bank = bank or load_bank()
    rng = np.random.default_rng([seed, year])
    people = _people(year, rng)
    demo = _demographics(people, year, rng, bank)
    factors = _factors(people, demo, year, rng)
    answers = _answers(people, demo, factors, year, rng, bank)
    grounds = _discrimination_grounds(answers, demo, year, rng, bank)

    columns: dict[str, np.ndarray] = {}
    question_cols: list[str] = []
    demographic_cols: list[str] = []
    for item in bank.items.values():
        if not item.asked_in(year):
            continue
        code = item.code(year)
        if item.id == "discrimination_grounds":
            for option_code, values in grounds.items():
                columns[f"{code}_{option_code}"] = values
                question_cols.append(f"{code}_{option_code}")
            continue
        if item.kind == "demographic":
            values = demo[item.id].astype(float)
            if item.id == "reasonable_adjustments":
                values[values == 0] = np.nan  # routed: only those with a long-term condition
            columns[code] = values
            demographic_cols.append(code)
        else:
            columns[code] = answers[item.id]
            question_cols.append(code)
    for wording, years in LOCAL_QUESTIONS.items():
        if year in years:
            columns[wording] = _ordinal(_latent(LOCAL_MODELS[wording], factors, rng), LOCAL_MODELS[wording].dist,
                                        [1, 2, 3, 4, 5]).astype(float)
            question_cols.append(wording)

    frame = pd.DataFrame(columns)
    _missingness(frame, question_cols, demographic_cols, rng)
    weights = _weights(people["Staff group"])
    ids = [f"NH{year % 100:02d}-{i:05d}" for i in rng.permutation(len(frame)) + 1]
    head = pd.DataFrame({"respondent_id": ids, **{b: people[b].to_numpy() for b in BREAKDOWNS}, "weight": weights})
    frame = pd.concat([head, frame], axis=1)
    for col in frame.columns[len(head.columns):]:
        frame[col] = frame[col].astype("Int16")
    return frame


def _weights(staff_group: pd.Series) -> np.ndarray:
    """Occupational-group weighting: each staff group weighted to the national acute-trust mix."""
    share = staff_group.value_counts(normalize=True)
    raw = staff_group.map(lambda g: NATIONAL_MIX[g] / share[g]).to_numpy(dtype=float)
    return np.round(raw / raw.mean(), 4)


def generate_respondents(seed: int = SEED) -> dict[int, pd.DataFrame]:
    bank = load_bank()
    return {year: generate_year(year, seed, bank) for year in YEARS}


# ------------------------------------------------------------------------ benchmark workbook
GROUPS = (  # sheet name, org_type_reporting_name, organisations, respondents range, culture shift
    ("Acute&Acute Community Trusts", "Acute and Acute & Community Trusts", 58, (1500, 7000), 0.0),
    ("Acute Specialist Trusts", "Acute Specialist Trusts", 9, (800, 3200), 0.35),
    ("MH&LD, MH, LD&Community Trusts", "Mental Health & Learning Disability and Mental Health, Learning Disability & Community Trusts", 18, (800, 3600), 0.10),
    ("Community Trusts", "Community Trusts", 9, (600, 2500), 0.25),
    ("Ambulance Trusts", "Ambulance Trusts", 7, (1000, 3500), -0.55),
    ("ICBs", "ICBs", 12, (150, 520), 0.45),
    ("Community Surgical Services", "Community Surgical Services", 4, (40, 220), 0.30),
    ("Social Enterprises", "Social Enterprises (Community, Mental Health)", 5, (100, 800), 0.20),
)
_NAME_A = ("Alder", "Bracken", "Cald", "Dun", "Elm", "Fern", "Gorse", "Heath", "Ivy", "Juniper", "Kestrel", "Lark",
           "Marl", "Nettle", "Oak", "Pine", "Quill", "Rowan", "Sedge", "Thorn", "Umber", "Vetch", "Willow", "Yarrow")
_NAME_B = ("mere", "ford", "wick", "marsh", "stow", "dale", "combe", "ley", "hurst", "holt")
_KIND_SUFFIX = {
    "Acute&Acute Community Trusts": ("Hospitals NHS Trust", "Hospitals NHS Foundation Trust", "University Hospitals NHS Trust"),
    "Acute Specialist Trusts": ("Heart and Lung Hospital NHS Foundation Trust", "Children's Hospital NHS Foundation Trust", "Eye Hospital NHS Foundation Trust"),
    "MH&LD, MH, LD&Community Trusts": ("Mental Health NHS Trust", "Partnership NHS Foundation Trust"),
    "Community Trusts": ("Community Health NHS Trust", "Community Healthcare NHS Trust"),
    "Ambulance Trusts": ("Ambulance Service NHS Trust", "Ambulance Service NHS Foundation Trust"),
    "ICBs": ("Integrated Care Board",),
    "Community Surgical Services": ("Surgical Services Ltd", "Community Surgery CIC"),
    "Social Enterprises": ("Community Interest Company", "Health CIC"),
}


def _org_names(rng: np.random.Generator) -> list[tuple[str, str, str, float, int]]:
    """(org_id, org_name, sheet, culture, respondents) for every fictional organisation."""
    used = {"Northshire"}
    orgs = [(TRUST_ID, TRUST_NAME, GROUPS[0][0], 0.0, 0)]
    counter = 0
    for sheet, _type, count, (lo, hi), _shift in GROUPS:
        for i in range(count - (1 if sheet == GROUPS[0][0] else 0)):
            while True:
                place = rng.choice(_NAME_A) + rng.choice(_NAME_B)
                if place not in used:
                    used.add(place)
                    break
            counter += 1
            org_id = f"X{counter // 36 + 1}{'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[counter % 36]}"
            orgs.append((org_id, f"{place} {rng.choice(_KIND_SUFFIX[sheet])}", sheet, float(rng.normal(0, 0.35)),
                         int(rng.integers(lo, hi))))
    return orgs


def _benchmark_variables(bank: QuestionBank) -> list[tuple[str, str, object]]:
    """(variable, kind, bank object) in the workbook's column order, named with current (2025) codes."""
    out: list[tuple[str, str, object]] = []
    for sid, score in bank.scores.items():
        out.append((sid, "score", score))
    out.append(("response_rate", "rate", None))
    for item in bank.items.values():
        if item.kind == "core" and item.positive is not None:
            out.append((item.version(item.years[-1]).benchmark_code, "question", item))
    for prefix in ("har_from_pat_eth_summary", "har_from_staff_eth_summary", "equal_eth_summary", "q16b_eth_summary"):
        for suffix in ("1", "2"):
            out.append((f"{prefix}_{suffix}", "wres", (prefix, suffix)))
    return out


def _weighted_share(flags: np.ndarray, weights: np.ndarray) -> tuple[float, int]:
    ok = ~np.isnan(flags)
    n = int(ok.sum())
    if n == 0:
        return float("nan"), 0
    return float(np.sum(flags[ok] * weights[ok]) / np.sum(weights[ok])), n


def northshire_benchmark_values(respondents: dict[int, pd.DataFrame], bank: QuestionBank) -> dict[tuple[str, int], tuple[float, int]]:
    """Northshire's own row of the benchmark workbook, computed (weighted) from its respondents."""
    values: dict[tuple[str, int], tuple[float, int]] = {}
    variables = _benchmark_variables(bank)
    for year, frame in respondents.items():
        w = frame["weight"].to_numpy(dtype=float)
        answers = {i.id: frame[i.code(year)] for i in bank.items.values() if i.asked_in(year) and i.code(year) in frame}
        scores = respondent_scores(answers, bank)
        eth = frame[bank.item("ethnicity").code(year)]
        summary = eth.map({o.code: o.summary for o in bank.item("ethnicity").scale(year).options})
        for var, kind, obj in variables:
            if kind == "score" and obj.id in scores:
                s = scores[obj.id].to_numpy()
                ok = ~np.isnan(s)
                values[(var, year)] = (float(np.sum(s[ok] * w[ok]) / np.sum(w[ok])), int(ok.sum()))
            elif kind == "question" and obj.asked_in(year):
                flags = positive_flags(frame[obj.code(year)], obj.positive, obj.scale(year).codes)
                values[(var, year)] = _weighted_share(flags, w)
            elif kind == "wres":
                prefix, suffix = obj
                group = bank.unverified.wres_suffix[suffix]
                if prefix == "har_from_staff_eth_summary":
                    b, c = (positive_flags(frame[bank.item(i).code(year)], bank.item(i).positive, bank.item(i).scale(year).codes)
                            for i in ("harassment_managers", "harassment_colleagues"))
                    flags = np.where(np.isnan(b) & np.isnan(c), np.nan, np.fmax(b, c))
                else:
                    iid = {"har_from_pat_eth_summary": "harassment_public", "equal_eth_summary": "equal_career_progression",
                           "q16b_eth_summary": "discrimination_staff"}[prefix]
                    it = bank.item(iid)
                    flags = positive_flags(frame[it.code(year)], it.positive, it.scale(year).codes)
                flags = np.where(summary.to_numpy() == group, flags, np.nan)
                values[(var, year)] = _weighted_share(flags, w)
    return values


def _response_rate(respondents: int, year: int, rng) -> float:
    return float(np.clip(rng.normal(0.46 + 0.01 * (year - 2021), 0.08), 0.18, 0.80))


def benchmark_frames(respondents: dict[int, pd.DataFrame], seed: int = SEED) -> tuple[dict[str, pd.DataFrame], list[tuple[str, str]]]:
    """Each benchmarking group's sheet as a DataFrame, and the Notes rows (variable, description)."""
    bank = load_bank()
    rng = np.random.default_rng([seed, 999])
    orgs = _org_names(rng)
    variables = _benchmark_variables(bank)
    own = northshire_benchmark_values(respondents, bank)
    # national averages to simulate the other organisations around: Northshire's (unweighted-free) values
    sheets: dict[str, list[dict]] = {g[0]: [] for g in GROUPS}
    group_shift = {g[0]: g[4] for g in GROUPS}
    type_name = {g[0]: g[1] for g in GROUPS}
    var_noise = {var: rng.normal(0, 1, len(orgs)) for var, _k, _o in variables}
    year_noise = rng.normal(0, 0.25, (len(orgs), len(YEARS)))
    for idx, (org_id, name, sheet, culture, size) in enumerate(orgs):
        row: dict[str, object] = {"org_id": org_id, "org_name": name, "org_type_reporting_name": type_name[sheet]}
        for var, kind, obj in variables:
            for y_i, year in enumerate(YEARS):
                asked = kind != "question" or obj.asked_in(year)
                if not asked or (sheet == "ICBs" and year == 2021):  # ICBs replaced CCGs in 2022
                    continue
                if org_id == TRUST_ID:
                    if kind == "rate":
                        value, n = round(RESPONDENTS[year] / ELIGIBLE_STAFF, 4), RESPONDENTS[year]
                    else:
                        value, n = own[(var, year)]
                else:
                    latent = culture + group_shift[sheet] + year_noise[idx, y_i] * 0.4 + 0.35 * var_noise[var][idx]
                    n_resp = int(size * (0.9 + 0.2 * rng.random()))
                    base_value, _ = own.get((var, year), (np.nan, 0))
                    if kind == "score":
                        value = float(np.clip(base_value + 0.35 * latent, 0, 10))
                        n = int(n_resp * 0.98)
                    elif kind == "rate":
                        value, n = _response_rate(n_resp, year, rng), n_resp
                    else:
                        item = obj if kind == "question" else None
                        sign = -1.0 if (item is not None and item.lower_is_better) or (kind == "wres" and not var.startswith("equal")) else 1.0
                        logit = np.log(base_value / (1 - base_value)) + sign * 0.3 * latent
                        value = float(1 / (1 + np.exp(-logit)))
                        share_asked = 0.97 if kind == "question" else 0.3
                        if kind == "question" and obj.id in ("violence_reported", "harassment_reported"):
                            share_asked = 0.2
                        n = int(n_resp * share_asked)
                    if n < 11:  # the national programme suppresses small bases
                        value, n = np.nan, n
                row[f"{var}_{year}"] = round(value, 6) if not np.isnan(value) else "*"
                row[f"{var}_n_{year}"] = n
        sheets[sheet].append(row)
    frames = {}
    for sheet, rows in sheets.items():
        frame = pd.DataFrame(rows)
        value_cols = [c for c in frame.columns if c not in ("org_id", "org_name", "org_type_reporting_name")]
        frames[sheet] = frame[["org_id", "org_name", "org_type_reporting_name", *value_cols]].sort_values("org_name", kind="stable")
    notes = _notes(variables, bank)
    return frames, notes


def _notes(variables, bank: QuestionBank) -> list[tuple[str, str]]:
    rows = []
    for var, kind, obj in variables:
        for year in YEARS:
            if kind == "score":
                text = f"Score out of 10 for {obj.name} ({var}) for year {year}"
            elif kind == "rate":
                text = f"Response rate for year {year}"
            elif kind == "question":
                if not obj.asked_in(year):
                    continue
                text = f"{obj.positive.label.replace('% ', '% of staff selecting ', 1)} - {obj.short} for year {year}"
            else:
                prefix, suffix = obj
                text = f"WRES {prefix} for {bank.unverified.wres_suffix[suffix]} staff for year {year}"
            rows.append((f"{var}_{year}", text))
            rows.append((f"{var}_n_{year}", f"Number of responses for {var} for year {year}"))
    return rows


# ------------------------------------------------------------------------------- writing
def write_respondent_csvs(respondents: dict[int, pd.DataFrame], out: Path) -> list[Path]:
    paths = []
    for year, frame in respondents.items():
        path = out / RESPONDENT_CSV.format(year=year)
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(buffer.getvalue().encode("utf-8"))
        paths.append(path)
    return paths


def write_respondent_xlsx(respondents: dict[int, pd.DataFrame], out: Path) -> Path:
    """The 2024 and 2025 rows as a provider's workbook: About sheet, title rows, 99 = missing."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    about = wb.create_sheet("About")
    about.append([f"{TRUST_NAME} - NHS Staff Survey respondent-level results"])
    about.append([FICTIONAL])
    about.append(["One sheet per survey year. Answers are questionnaire codes; 99 = no answer."])
    for year in XLSX_RESPONDENT_YEARS:
        frame = respondents[year]
        ws = wb.create_sheet(f"Staff Survey {year}")
        ws.append([f"{TRUST_NAME} - NHS Staff Survey {year}"])
        ws.append([FICTIONAL])
        ws.append([])
        ws.append(list(frame.columns))
        answer_cols = set(frame.columns[5:])
        records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        for record in records:
            ws.append([99 if (v is None and col in answer_cols) else v for col, v in zip(frame.columns, record)])
    path = out / RESPONDENT_XLSX
    wb.save(path)
    return path


def write_benchmark_xlsx(frames: dict[str, pd.DataFrame], notes: list[tuple[str, str]], out: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Notes")
    ws.append(["NHS Staff Survey benchmark report Excel data 2021-2025 (DEMO release v1)"])
    ws.append([FICTIONAL])
    ws.append(["Question results are proportions (0-1) of staff giving the answers described; scores are out of 10. "
               "Results are weighted by occupational group. '*' marks a suppressed value (fewer than 11 responses)."])
    ws.append([])
    ws.append(["Variable", "Description"])
    for var, text in notes:
        ws.append([var, text])
    groups = wb.create_sheet("Organisation Benchmark groups")
    groups.append(["org_id", "org_name", "Benchmarking group"])
    for sheet, frame in frames.items():
        for org_id, org_name in frame[["org_id", "org_name"]].itertuples(index=False):
            groups.append([org_id, org_name, sheet])
    for sheet, frame in frames.items():
        ws = wb.create_sheet(sheet)
        ws.append(list(frame.columns))
        for record in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
            ws.append(list(record))
    path = out / BENCHMARK_XLSX
    wb.save(path)
    return path


def generate(out: Path, seed: int = SEED, xlsx: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    respondents = generate_respondents(seed)
    paths = write_respondent_csvs(respondents, out)
    if xlsx:
        paths.append(write_respondent_xlsx(respondents, out))
        frames, notes = benchmark_frames(respondents, seed)
        paths.append(write_benchmark_xlsx(frames, notes, out))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.demo.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "resources" / "demo")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-xlsx", action="store_true", help="write only the CSV files (fast)")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed, xlsx=not args.no_xlsx):
        print(f"{path}  {path.stat().st_size / 1024:,.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
