"""Train and apply a Fellegi–Sunter model with Splink on DuckDB.

A `ModelSpec` says what to compare and how to find candidates; the same
training and scoring code serves Haven's records, the plain baseline and FEBRL.
A trained model is Splink's JSON: saved in the package, it is what the
real-time path and small inputs (too few rows to train on) score with.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import combinations
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from . import comparisons

logger = logging.getLogger(__name__)

# Below this many records there are too few pairs to estimate m and u: use the packaged model.
MIN_RECORDS_TO_TRAIN = 2_000
PACKAGED_MODEL = "haven_model.json"
# The term frequencies of the people the packaged model was trained on (real-time scoring).
PACKAGED_TERM_FREQUENCIES = "haven_tf.json"
# DuckDB spills to disk beyond this, which keeps a million-record run inside 8 GB.
DUCKDB_MEMORY_LIMIT = "3GB"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    comparisons: list[dict[str, Any]]
    blocking_rules: list[str]
    # Rules that admit almost no false matches, to estimate how common matches are.
    deterministic_rules: list[str]
    deterministic_recall: float
    # Each EM session blocks on some fields and so learns the m of the others.
    em_rules: list[str]
    link_type: str = "dedupe_only"
    # Pairs below this weight are not worth keeping, even for review.
    min_weight: float = 0.0
    retain: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        return {
            "link_type": self.link_type,
            "unique_id_column_name": "unique_id",
            "comparisons": self.comparisons,
            "blocking_rules_to_generate_predictions": self.blocking_rules,
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
            "additional_columns_to_retain": self.retain,
            "max_iterations": 20,
        }


def haven_spec() -> ModelSpec:
    return ModelSpec(
        name="haven",
        comparisons=comparisons.haven_comparisons(),
        blocking_rules=comparisons.haven_blocking_rules(),
        deterministic_rules=[
            "l.passport = r.passport",
            "l.tazkira = r.tazkira",
            "l.name_key = r.name_key AND l.dob_exact = r.dob_exact",
            "l.name_key = r.name_key AND l.father_key = r.father_key AND l.dob_year = r.dob_year",
        ],
        deterministic_recall=0.7,
        # Sessions whose pairs are mostly true matches, so EM has a clear match class:
        # name and father agree (teaches dates, sex, documents); documents agree
        # (teaches names and dates); an exact date and first name agree (teaches names).
        em_rules=[
            "l.name_cons = r.name_cons AND l.father_cons = r.father_cons",
            "l.tazkira = r.tazkira",
            "l.passport = r.passport",
            "l.dob_exact = r.dob_exact AND l.name_first = r.name_first",
        ],
    )


def _linker(frame: pd.DataFrame, settings: dict[str, Any], *, people_tf: bool = False) -> Any:
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect(":memory:")
    # Two cores, and a memory ceiling well under the machine's, so a large run spills, not dies.
    connection.execute("SET threads TO 2")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    db_api = DuckDBAPI(connection)
    table = db_api.register(frame)
    # Splink warns about every level EM could not see; model_clamp deals with those.
    logging.getLogger("splink").setLevel(logging.ERROR)
    linker = Linker(table, settings, log_level=None)
    if people_tf:
        for column, tf in people_term_frequencies(frame, settings).items():
            linker.table_management.register_term_frequency_lookup(db_api.register(tf), column)
    return linker


# Columns that, together, tell one person from another well enough to count people, not rows.
IDENTITY_COLUMNS = ("name_cons", "father_cons", "dob_year")


def people_term_frequencies(
    frame: pd.DataFrame, settings: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """Term frequencies counted over people, not rows.

    Splink counts rows, so a value looks common when one person was submitted five
    times, or when one household of eight (all with the same father's name) came in
    twice: the agreement of a person's own duplicates is then discounted as if it were
    a coincidence. Here each value is counted once per distinct (name, father, year),
    which is roughly once per person.
    """
    columns = {
        level["tf_adjustment_column"]
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    identity = [c for c in IDENTITY_COLUMNS if c in frame.columns]
    tables: dict[str, pd.DataFrame] = {}
    for column in sorted(columns):
        if column not in frame.columns:
            continue
        keys = [column, *(c for c in identity if c != column)]
        if len(keys) < 2:
            continue  # nothing to tell people apart by: Splink's own row counts
        people = frame.loc[frame[column].notna(), keys].drop_duplicates()
        if column in CONTAINMENT_COLUMNS:
            shares = containment_shares(people[column])
            tables[column] = pd.DataFrame(
                {column: list(shares), f"tf_{column}": list(shares.values())}
            )
            continue
        counts = people[column].value_counts()
        total = max(int(counts.sum()), 1)
        tables[column] = pd.DataFrame(
            {column: counts.index, f"tf_{column}": counts.to_numpy() / total}
        )
    return tables


# Columns of space-separated name tokens whose level is containment, not equality.
CONTAINMENT_COLUMNS = frozenset({"name_set"})
# Subsets of a name's first tokens enumerated: 2^8 - 1 at most, for a very long name.
_CONTAINMENT_TOKENS = 8


def containment_shares(values: Iterable[str]) -> dict[str, float]:
    """Per name (its tokens, space-separated), the share of people whose name contains it
    or is contained in it, and is not the same: the chance of the "one name contains the
    other" level for a stranger. "mmd" (Mohammad) is inside a quarter of men's names,
    "krm" (Karim) in few. One per person is counted at least, so no share is 0."""
    names = Counter(tuple(v.split()[:_CONTAINMENT_TOKENS]) for v in values)
    total = max(sum(names.values()), 1)
    inside: Counter[tuple[str, ...]] = Counter()  # people whose name has these tokens
    for tokens, n in names.items():
        for size in range(1, len(tokens) + 1):
            for part in combinations(tokens, size):
                inside[part] += n
    shares = {}
    for tokens, n in names.items():
        within = sum(
            names[part] for size in range(1, len(tokens)) for part in combinations(tokens, size)
        )
        shares[" ".join(tokens)] = max(inside[tokens] - n + within, 1) / total
    return shares


def model_train(frame: pd.DataFrame, spec: ModelSpec, *, seed: int = 1) -> dict[str, Any]:
    """Unsupervised training on the records themselves: no labels needed."""
    linker = _linker(frame, spec.settings())
    training = linker.training
    training.estimate_probability_two_random_records_match(
        spec.deterministic_rules, recall=spec.deterministic_recall
    )
    training.estimate_u_using_random_sampling(max_pairs=min(5e6, len(frame) * 500), seed=seed)
    for rule in spec.em_rules:
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, record_sample_proportion=1.0
            )
        except Exception as error:  # a session with no pairs must not stop the others
            logger.warning("EM session %s skipped: %s", rule, error)
    model: dict[str, Any] = linker.misc.save_model_to_json()
    return prior_from_candidates(frame, father_as_surname_given_name(model_clamp(model)))


# The prior found from the trained weights stays within this many bits of Splink's estimate.
_PRIOR_MAX_SHIFT = 3.0
_PRIOR_ITERATIONS = 30


def prior_from_candidates(frame: pd.DataFrame, model: dict[str, Any]) -> dict[str, Any]:
    """The chance that two random records match, as the trained weights count the matches.

    Splink's estimate divides the pairs the deterministic rules find by a recall assumed
    for them (`ModelSpec.deterministic_recall`, 0.7). How many matches those rules find
    depends on the data (documents, names written alike); on held-out data they found
    about a third, so every pair's weight was about a bit too low. Here the prior is the
    one the model itself implies: the expected number of matches among the candidate
    pairs (the sum of their match probabilities) over all pairs, iterated to its fixed
    point (EM for the prior alone, m and u held). Matches no blocking rule finds are not
    counted, so it errs low.
    """
    n = len(frame)
    if n < 2 or model.get("link_type") != "dedupe_only":
        return model
    linker = _linker(frame, model, people_tf=True)
    relation = linker.inference.predict().as_duckdbpyrelation()
    weights = relation.select("match_weight").fetchnumpy()["match_weight"].astype(float)
    start = float(model["probability_two_random_records_match"])
    # A pair's weight without the prior: its Bayes factor, in bits.
    factors = weights - math.log2(start / (1.0 - start))
    pairs = n * (n - 1) / 2
    p = start
    for _ in range(_PRIOR_ITERATIONS):
        matches = float(np.sum(1.0 / (1.0 + np.exp2(-(factors + math.log2(p / (1.0 - p)))))))
        p = min(max(matches / pairs, start / 2**_PRIOR_MAX_SHIFT), start * 2**_PRIOR_MAX_SHIFT)
    logger.info("prior %.3g (deterministic rules: %.3g)", p, start)
    model["probability_two_random_records_match"] = p
    return model


# No kind of disagreement is impossible in true matches (a renewed passport, a sex typed
# wrongly): an m this small caps any one field's veto at about -7.6 bits.
_M_FLOOR = 0.005
_U_FLOOR = 1e-6
_NEUTRAL_LEVELS = frozenset({comparisons.HOUSEHOLD_PHONE})
# Sampled "non-matching" pairs include true duplicates, which makes a shared document
# number look far more common by chance than it is; cap its u.
_DOCUMENT_U_CAP = 1e-5


def model_clamp(model: dict[str, Any]) -> dict[str, Any]:
    """Make a trained model safe to score with: floors, and levels never seen made neutral.

    EM leaves a level's m or u unset when no pair reached it; Splink would then use
    a default, which can be a strong weight for evidence the data never showed.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if level["label_for_charts"] in _NEUTRAL_LEVELS:
                m = u = None  # evidence of a household, not of a person
            if m is None or u is None:
                # Never observed: neutral (m = u), whatever the other estimate says.
                m = u = u if u is not None else (m if m is not None else _M_FLOOR)
            if level["label_for_charts"] == comparisons.SAME_DOCUMENT and m != u:
                u = min(float(u), _DOCUMENT_U_CAP)
            level["m_probability"] = max(float(m), _M_FLOOR if m != u else _U_FLOOR)
            level["u_probability"] = max(float(u), _U_FLOOR)
    return model


def father_as_surname_given_name(model: dict[str, Any]) -> dict[str, Any]:
    """The father level "father's name given as a surname" as evidence beyond the name's.

    It is reached only when one name contains the other (the extra part being the other
    record's father), and the name comparison has already counted that containment. Its
    m and u, estimated over all pairs, are those of both together: "Zakiah Mansoor" and
    "Zakiah, father Mansoor" were credited with the name inside the other (5 bits) and
    again with the whole pattern (11 bits). Divided by the containment level's m and u,
    they are the chance of the pattern among pairs whose names contain one another: the
    two levels together then weigh what the pattern does, once.
    """
    levels = {
        (comparison["output_column_name"], level["label_for_charts"]): level
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    }
    surname = levels.get(("father", comparisons.FATHER_AS_SURNAME))
    contains = levels.get(("name", comparisons.NAME_CONTAINS))
    if surname is None or contains is None or surname["m_probability"] == surname["u_probability"]:
        return model  # never observed, so neutral (model_clamp): nothing to divide
    for p in ("m_probability", "u_probability"):
        given, within = contains.get(p), surname.get(p)
        if given and within:
            surname[p] = min(1.0, max(float(within) / float(given), _U_FLOOR))
    return model


def packaged_model() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(PACKAGED_MODEL).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def packaged_term_frequencies() -> dict[str, list[list[Any]]]:
    """{column: [[value, share of people], ...]}: see realtime.TermFrequencies.from_json."""
    path = resources.files(__package__).joinpath(PACKAGED_TERM_FREQUENCIES)
    loaded: dict[str, list[list[Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def pairs_score(frame: pd.DataFrame, model: dict[str, Any], *, min_weight: float) -> pd.DataFrame:
    """Every candidate pair at or above `min_weight`: unique_id_l, unique_id_r, match_weight."""
    if len(frame) < 2:
        return pd.DataFrame({"unique_id_l": [], "unique_id_r": [], "match_weight": []})
    if len(frame) < MIN_RECORDS_TO_TRAIN:
        # Term frequencies from a handful of rows are noise: in a file of ten, the one
        # name written three times would look common. Use the average weights instead.
        model = without_term_frequencies(model)
    linker = _linker(frame, model, people_tf=len(frame) >= MIN_RECORDS_TO_TRAIN)
    predictions = linker.inference.predict(threshold_match_weight=min_weight)
    relation = predictions.as_duckdbpyrelation()
    scored: pd.DataFrame = relation.select("unique_id_l, unique_id_r, match_weight").df()
    return scored


def without_term_frequencies(model: dict[str, Any]) -> dict[str, Any]:
    stripped: dict[str, Any] = json.loads(json.dumps(model))
    for comparison in stripped["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    return stripped


def frame_build(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [{c: r[c] for c in columns} for r in records], columns=list(columns)
    )
