"""The same model on Spark: Splink's SparkAPI, for when one machine's DuckDB is outgrown.

Splink saves models in DuckDB SQL; a handful of DuckDB list and string functions
are rewritten to their Spark SQL equivalents here (comparisons.py stays the one
definition). Local mode (`local[2]`) in tests and on a laptop; point
`HAVEN_SPARK_MASTER` at a cluster for real volumes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from typing import Any

import pandas as pd

from . import model

logger = logging.getLogger(__name__)

_REWRITES = (
    # DuckDB list_has_all(a, b): every element of b is in a.
    (re.compile(r"list_has_all\(\s*(\w+)\s*,\s*(\w+)\s*\)"), r"(size(array_except(\2, \1)) = 0)"),
    (
        re.compile(r"len\(\s*list_intersect\(\s*(\w+)\s*,\s*(\w+)\s*\)\s*\)"),
        r"size(array_intersect(\1, \2))",
    ),
    # DuckDB len() of a list is Spark's size() (Spark's length() takes strings only).
    (re.compile(r"\blen\(\s*(\w*tokens\w*)\s*\)"), r"size(\1)"),
    # Splink registers its Jaro–Winkler UDF (from the jar it ships) as jaro_winkler.
    (re.compile(r"jaro_winkler_similarity\("), "jaro_winkler("),
)


def java_available() -> bool:
    return bool(shutil.which("java") or os.environ.get("JAVA_HOME"))


def spark_sql(sql: str) -> str:
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)
    return sql


def settings_for_spark(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of Splink settings (or a saved model) with its SQL in Spark's dialect."""
    converted: dict[str, Any] = json.loads(json.dumps(settings))
    converted["sql_dialect"] = "spark"
    for comparison in converted["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = spark_sql(level["sql_condition"])
    rules = []
    for rule in converted.get("blocking_rules_to_generate_predictions", []):
        text = rule["blocking_rule"] if isinstance(rule, dict) else rule
        rules.append({"blocking_rule": spark_sql(text), "sql_dialect": "spark"})
    converted["blocking_rules_to_generate_predictions"] = rules
    return converted


def settings_from_spark(saved: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """A model trained on Spark, with the original DuckDB SQL back, so every path reads it."""
    restored: dict[str, Any] = json.loads(json.dumps(saved))
    restored["sql_dialect"] = original.get("sql_dialect", "duckdb")
    restored["blocking_rules_to_generate_predictions"] = original.get(
        "blocking_rules_to_generate_predictions", []
    )
    for comparison, source in zip(restored["comparisons"], original["comparisons"], strict=True):
        for level, level_source in zip(
            comparison["comparison_levels"], source["comparison_levels"], strict=True
        ):
            level["sql_condition"] = level_source["sql_condition"]
    return restored


_session: Any = None
# Below this many records, Spark runs Splink's queries interpreted (see spark_session).
SMALL_INPUT = 50_000


def spark_session(*, small: bool = False) -> Any:
    """One local Spark session per process, with Splink's similarity functions on its path."""
    global _session
    if _session is not None:
        return _session
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = (
        SparkSession.builder.master(os.environ.get("HAVEN_SPARK_MASTER", "local[2]"))
        .appName("haven-resolve")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("HAVEN_SPARK_PARTITIONS", "2"))
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("HAVEN_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if small or os.environ.get("HAVEN_SPARK_SMALL"):
        # Tests and small inputs: compiling code for each of Splink's many small queries
        # costs more than running them interpreted.
        builder = (
            builder.config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        )
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def _linker(frame: pd.DataFrame, settings: dict[str, Any]) -> Any:
    from splink import Linker, SparkAPI

    spark = spark_session(small=len(frame) < SMALL_INPUT)
    db_api = SparkAPI(  # type: ignore[no-untyped-call]  # splink's constructor is untyped
        spark_session=spark,
        break_lineage_method="persist",
        num_partitions_on_repartition=int(os.environ.get("HAVEN_SPARK_PARTITIONS", "2")),
    )
    logging.getLogger("splink").setLevel(logging.ERROR)
    table = db_api.register(spark.createDataFrame(frame))
    return Linker(table, settings_for_spark(settings), log_level=None)


def model_train(frame: pd.DataFrame, spec: model.ModelSpec, *, seed: int = 1) -> dict[str, Any]:
    """The same unsupervised training as model.model_train, run by Spark."""
    settings = spec.settings()
    linker = _linker(frame, settings)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [spark_sql(r) for r in spec.deterministic_rules], recall=spec.deterministic_recall
    )
    training.estimate_u_using_random_sampling(max_pairs=min(5e6, len(frame) * 500), seed=seed)
    for rule in spec.em_rules:
        try:
            training.estimate_parameters_using_expectation_maximisation(
                spark_sql(rule),
                estimate_without_term_frequencies=True,
                record_sample_proportion=1.0,
            )
        except Exception as error:  # a session with no pairs must not stop the others
            logger.warning("EM session %s skipped: %s", rule, error)
    saved: dict[str, Any] = linker.misc.save_model_to_json()
    original = {**settings, "comparisons": spec.comparisons}
    return model.model_clamp(settings_from_spark(saved, original))


def pairs_score(frame: pd.DataFrame, trained: dict[str, Any], *, min_weight: float) -> pd.DataFrame:
    """As model.pairs_score, on Spark: unique_id_l, unique_id_r, match_weight."""
    if len(frame) < 2:
        return pd.DataFrame({"unique_id_l": [], "unique_id_r": [], "match_weight": []})
    if len(frame) < model.MIN_RECORDS_TO_TRAIN:
        trained = model.without_term_frequencies(trained)
    linker = _linker(frame, trained)
    predictions = linker.inference.predict(threshold_match_weight=min_weight)
    spark_frame = predictions.as_spark_dataframe()
    scored: pd.DataFrame = spark_frame.select(
        "unique_id_l", "unique_id_r", "match_weight"
    ).toPandas()
    return scored
