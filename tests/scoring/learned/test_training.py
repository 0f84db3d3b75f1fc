"""Training is deterministic, keyed by the data, and a changed data file means a new model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.scoring.detect import default_detector
from bot.scoring.evaluate import Example, evaluate
from bot.scoring.learned import (
    Corpus,
    LearnedDetector,
    LinearModel,
    cached_model,
    data_key,
    fit,
    model_path,
    read_tuning,
)
from bot.scoring.learned.train import _best_threshold, _beta


def test_same_data_same_model_same_scores(small_corpus: Corpus, tmp_path: Path) -> None:
    settings = read_tuning()["combined"]
    first = fit(small_corpus, settings, use_rules=True)
    second = fit(small_corpus, settings, use_rules=True)
    assert first.fingerprint() == second.fingerprint()
    first.save(tmp_path / "m.npz")
    loaded = LinearModel.load(tmp_path / "m.npz")
    assert loaded.fingerprint() == first.fingerprint()
    a, b = LearnedDetector(first, default_detector()), LearnedDetector(loaded, default_detector())
    for e in small_corpus.examples[:200]:
        assert a.detect(e.reply, e.buyer) == b.detect(e.reply, e.buyer)


def write_root(root: Path, examples: list[Example]) -> None:
    (root / "eval" / "train").mkdir(parents=True, exist_ok=True)
    rows = [
        {"id": e.id, "buyer": e.buyer, "reply": e.reply, "moves": sorted(e.moves)} for e in examples
    ]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    (root / "eval" / "train" / "data.jsonl").write_text(text, encoding="utf-8")


AUTHOR_LINES = [
    "zorblat the pipeline for me?",
    "could you zorblat the numbers first?",
    "happy to zorblat it with you",
    "we zorblat every deal on fridays",
    "let's zorblat the forecast together",
    "zorblat works for your team too",
    "ok so zorblat then?",
    "i can zorblat that for finance",
    "zorblat it and see",
    "would a quick zorblat help?",
]


def test_ten_new_examples_change_the_key_and_the_scores(
    small_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author adds ten replies for a move; the next run trains a new model (never the
    stale one) and the new phrase now finds that move."""
    monkeypatch.setenv("ROLEPLAY_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    write_root(root, small_corpus.examples)
    before_key = data_key(root)
    before = cached_model(root, announce=None)
    assert model_path(before_key).exists()
    probe = Example("probe", "zorblat the plan with me", "Tell me more.", frozenset({"rapport"}), 1)
    rules = default_detector()
    assert "rapport" not in {d.move for d in LearnedDetector(before, rules).detect(probe.reply)}

    added = [
        Example(f"a{i}", line, "", frozenset({"rapport"}), i) for i, line in enumerate(AUTHOR_LINES)
    ]
    write_root(root, small_corpus.examples + added)
    after_key = data_key(root)
    assert after_key != before_key and not model_path(after_key).exists()
    after = cached_model(root, announce=None)
    assert (
        after.fingerprint() != before.fingerprint() and after.trained_on == before.trained_on + 10
    )
    found = {d.move: d for d in LearnedDetector(after, rules).detect(probe.reply, probe.buyer)}
    assert "rapport" in found and "zorblat" in found["rapport"].evidence.quote
    assert evaluate([probe], LearnedDetector(after, rules)).scores["rapport"].tp == 1
    assert np.array_equal(cached_model(root, announce=None).weights, after.weights)  # cached


def test_a_damaged_cache_file_is_rebuilt(
    small_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLEPLAY_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    write_root(root, small_corpus.examples[:300])
    path = model_path(data_key(root))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    assert cached_model(root, announce=None).trained_on == 300


def test_a_file_edited_while_the_model_trains_does_not_get_that_model_cached(
    small_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author saves a training file after the key was taken and while the model builds:
    that model is cached under no key (not the old contents' key it was not built from), and
    the next run trains on the saved contents and caches them under their own key."""
    monkeypatch.setenv("ROLEPLAY_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    write_root(root, small_corpus.examples[:300])
    before_key = data_key(root)
    said: list[str] = []

    def author_saves_meanwhile(message: str) -> None:
        said.append(message)
        if "training" in message:  # announced just before the build starts
            write_root(root, small_corpus.examples[:310])

    assert cached_model(root, announce=author_saves_meanwhile).trained_on == 310
    assert "changed while the model was built" in said[-1]
    assert not model_path(before_key).exists() and not model_path(data_key(root)).exists()
    assert cached_model(root, announce=None).trained_on == 310
    assert model_path(data_key(root)).exists()


def test_mistakes_are_cut_for_precision_good_moves_for_f1() -> None:
    """Three positives, three negatives, two more positives: F1 takes all eight (5 of 8
    right, F1 0.77 against 0.75), F0.5 stops before the negatives (0.88 against 0.68)."""
    scores = np.array([5.0, 4.0, 3.0, 2.5, 2.2, 2.0, 1.5, 1.0, 0.0, -1.0])
    y = np.array([1, 1, 1, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
    f1_cut, _ = _best_threshold(scores, y)
    precise_cut, _ = _best_threshold(scores, y, beta=0.5)
    assert 0.0 < f1_cut < 1.0 and 2.5 < precise_cut < 3.0
    assert _beta("ask_their_price") == 0.5 and _beta("open_question") == 1.0
