"""Which model goes with this checkout: keyed by the labelled data, built once, then cached.

The key is the sha256 of every byte a model depends on: the training files
(``eval/train/*.jsonl``), the rule files (their outputs are features), the move vocabulary,
``tuning.json``, the feature settings, this module's format version and scikit-learn's
version. A model is only ever read from the file of the current key, so a stale model is
never used: change one label and the next run builds (or ``roleplay train`` builds) anew.

Models live in ``$ROLEPLAY_CACHE`` (default ``$XDG_CACHE_HOME/roleplay`` or
``~/.cache/roleplay``) as ``<variant>-<key>.npz``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

from bot.content.library import default_content_root
from bot.scoring.detect import Detection, Detector, default_detector
from bot.scoring.detect.rule_files import RULES_DIR
from bot.scoring.evaluate import Example, load_examples
from bot.scoring.learned.detector import LearnedDetector
from bot.scoring.learned.features import FeatureConfig
from bot.scoring.learned.model import LinearModel
from bot.scoring.learned.train import TUNING_FILE, Corpus, fit, read_tuning
from bot.vocabulary import VOCABULARY_FILE

FORMAT_VERSION = 2  # 2: reply blocks normalised in one pass (same features, last-bit rounding)
TRAIN_DIR = Path("eval") / "train"
Announce = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cache_dir() -> Path:
    explicit = os.environ.get("ROLEPLAY_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "roleplay"


def training_files(root: Path | None = None) -> list[Path]:
    return sorted(((root or default_content_root()) / TRAIN_DIR).glob("*.jsonl"))


def load_training(root: Path | None = None) -> list[Example]:
    return [e for path in training_files(root) for e in load_examples(path)]


def data_key(
    root: Path | None = None, config: FeatureConfig | None = None, with_tuning: bool = True
) -> str:
    """sha256 of the labelled data and everything else a trained model depends on
    (``with_tuning=False``: all but tuning.json, which ``roleplay train --tune`` rewrites)."""
    digest = hashlib.sha256()
    try:
        sklearn = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        sklearn = "none"
    settings = {"format": FORMAT_VERSION, "features": (config or FeatureConfig()).as_dict()}
    digest.update(json.dumps({**settings, "sklearn": sklearn}, sort_keys=True).encode())
    inputs = [("train", p) for p in training_files(root)]
    inputs += [("rules", p) for p in sorted(RULES_DIR.glob("*.yaml"))]
    inputs.append(("vocabulary", VOCABULARY_FILE))
    if with_tuning:
        inputs.append(("tuning", TUNING_FILE))
    for kind, path in inputs:
        data = path.read_bytes() if path.exists() else b""
        digest.update(f"\0{kind}:{path.name}:{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def model_path(key: str, variant: str = "combined", fraction: float = 1.0) -> Path:
    suffix = "" if fraction == 1.0 else f"@{fraction:g}"
    return cache_dir() / f"{variant}{suffix}-{key}.npz"


def subset_rows(count: int, fraction: float) -> list[int]:
    """A fixed random share of the training rows (seeded, so always the same rows)."""
    import numpy as np

    order = np.random.RandomState(0).permutation(count)
    return sorted(int(i) for i in order[: round(fraction * count)])


def build(
    root: Path | None = None,
    variant: str = "combined",
    fraction: float = 1.0,
    corpus: Corpus | None = None,
) -> LinearModel:
    """Train the model of ``variant`` on (a share of) the checkout's training files."""
    if corpus is None:
        corpus = Corpus.build(load_training(root), default_detector())
    if fraction != 1.0:
        corpus = corpus.subset(subset_rows(len(corpus.examples), fraction))
    return fit(corpus, read_tuning()[variant], use_rules=variant == "combined")


def cached_model(
    root: Path | None = None,
    variant: str = "combined",
    fraction: float = 1.0,
    announce: Announce | None = _stderr,
    corpus: Corpus | None = None,
) -> LinearModel:
    """The model for the current data: read from the cache, or trained now and cached."""
    key = data_key(root)
    path = model_path(key, variant, fraction)
    if path.exists():
        try:
            return LinearModel.load(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)  # unreadable: build it again below
    if announce:
        share = "" if fraction == 1.0 else f" on {fraction:.0%} of the data"
        announce(f"roleplay: training the {variant} move model{share} (first use of this data)...")
    started = time.perf_counter()
    model = build(root, variant, fraction, corpus)
    if data_key(root) != key:  # a file was edited meanwhile: this model is not of its data
        if announce:
            announce("roleplay: the training data changed while the model was built; not cached")
        return model
    try:
        model.save(path)
    except OSError as exc:
        if announce:
            announce(f"roleplay: could not cache the model in {path.parent}: {exc}")
    if announce:
        announce(f"roleplay: move model trained in {time.perf_counter() - started:.1f} s")
    return model


_BUILDING = threading.Lock()


@cache
def _product_detector() -> Detector:
    if os.environ.get("ROLEPLAY_DETECTOR", "").lower() == "rules":
        return default_detector()
    if not training_files():
        _stderr("roleplay: no labelled training files found; scoring with the rules alone")
        return default_detector()
    return LearnedDetector(cached_model(), default_detector())


def product_detector() -> Detector:
    """The detector the product scores with: rules plus the learned model of this checkout.

    ``ROLEPLAY_DETECTOR=rules`` keeps the rules alone; so does a checkout without training
    files (with a warning), since then no model can be built from it. Built once per
    process; safe to call from a warm-up thread and a turn at the same time."""
    with _BUILDING:
        return _product_detector()


class ProductDetector:
    """``product_detector()``, built on the first reply instead of at start-up: a surface
    shows its first lines at once and may warm it up meanwhile (``warm_up``)."""

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        return product_detector().detect(reply, context)


def warm_up() -> None:
    """Build the product's detector on a background thread (compiling the rules and reading
    the model take a second or two) while the learner reads the briefing."""
    threading.Thread(target=product_detector, name="detector-warm-up", daemon=True).start()
