"""Fitting the move model from labelled replies, and choosing its settings by cross-validation.

``fit`` is deterministic: the vocabulary is sorted, liblinear is seeded, and the settings
(C, threshold and policy of each move) come from ``tuning.json`` beside this module, chosen by
``tune`` on the training files only (5-fold cross-validation, fixed seed), never on holdout.
scikit-learn is imported here only: scoring at run time needs numpy alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.scoring.detect import Detector
from bot.scoring.evaluate import Example
from bot.scoring.learned.features import FeatureConfig, Vocabulary, featurize
from bot.scoring.learned.model import NEVER, POLICIES, LinearModel
from bot.vocabulary import vocabulary

SEED = 0
FOLDS = 5
C_GRID = (2.0, 8.0, 32.0)
TUNING_FILE = Path(__file__).with_name("tuning.json")
VARIANTS = ("combined", "model")  # with the rules' outputs as features, and without


@dataclass(frozen=True)
class MoveSetting:
    C: float = 2.0
    threshold: float = 0.0
    policy: str = "union"


@dataclass
class Corpus:
    """Labelled replies with the rule detector's moves for each, and the label matrix."""

    examples: list[Example]
    rule_moves: list[tuple[str, ...]]
    moves: list[str]

    @classmethod
    def build(cls, examples: Sequence[Example], rules: Detector) -> Corpus:
        found = [tuple(d.move for d in rules.detect(e.reply, e.buyer)) for e in examples]
        return cls(list(examples), found, list(vocabulary().ids))

    def labels(self) -> np.ndarray:
        y = np.zeros((len(self.examples), len(self.moves)), dtype=np.int8)
        for i, e in enumerate(self.examples):
            for j, move in enumerate(self.moves):
                y[i, j] = move in e.moves
        return y

    def subset(self, rows: Sequence[int]) -> Corpus:
        return Corpus(
            [self.examples[i] for i in rows], [self.rule_moves[i] for i in rows], self.moves
        )


def read_tuning(path: Path = TUNING_FILE) -> dict[str, dict[str, MoveSetting]]:
    """Per variant, per move settings; a move missing from the file gets the defaults."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out: dict[str, dict[str, MoveSetting]] = {}
    for variant in VARIANTS:
        moves = raw.get(variant, {}).get("moves", {})
        out[variant] = {
            m: MoveSetting(s["C"], s["threshold"], s["policy"]) for m, s in moves.items()
        }
    return out


def design_matrix(vocab: Vocabulary, corpus: Corpus, use_rules: bool):  # -> scipy csr
    from scipy import sparse

    rows = [
        featurize(vocab, e.reply, e.buyer, found if use_rules else ())
        for e, found in zip(corpus.examples, corpus.rule_moves, strict=True)
    ]
    indptr = np.cumsum([0] + [len(r.columns) for r in rows])
    columns = np.concatenate([r.columns for r in rows]) if rows else np.zeros(0, np.int64)
    values = np.concatenate([r.values for r in rows]) if rows else np.zeros(0)
    return sparse.csr_matrix((values, columns, indptr), shape=(len(rows), len(vocab.names)))


def _classifier(c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c,
        solver="liblinear",
        dual=True,
        class_weight="balanced",
        max_iter=2000,
        random_state=SEED,
    )


def _fit_one(x, y: np.ndarray, c: float) -> tuple[np.ndarray, float] | None:
    if y.min() == y.max():  # no positive (or no negative) example: nothing to learn
        return None
    clf = _classifier(c).fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def _fit_all(x, y: np.ndarray, cs: Sequence[float | None]) -> list:
    """``_fit_one`` for every column of ``y`` (None: skip it), in two worker processes.
    Not threads: liblinear seeds one C-library random state per process, which threads would
    share (and race on); in a process each seeded fit is reproducible whatever the order."""
    from joblib import Parallel, delayed

    jobs = (delayed(_fit_one)(x, y[:, j], c) for j, c in enumerate(cs) if c is not None)
    done = iter(Parallel(n_jobs=2)(jobs))
    return [None if c is None else next(done) for c in cs]


def fit(
    corpus: Corpus,
    settings: dict[str, MoveSetting],
    use_rules: bool,
    config: FeatureConfig | None = None,
) -> LinearModel:
    """Train one model: a logistic regression per move over the corpus's features."""
    config = config or FeatureConfig()
    replies = [e.reply for e in corpus.examples]
    buyers = [e.buyer for e in corpus.examples]
    vocab = Vocabulary.build(replies, buyers, corpus.moves if use_rules else [], config)
    x = design_matrix(vocab, corpus, use_rules)
    y = corpus.labels()
    chosen = [settings.get(m, MoveSetting()) for m in corpus.moves]
    policies = [s.policy if use_rules else "model" for s in chosen]
    cs = [None if p == "rules" else s.C for p, s in zip(policies, chosen, strict=True)]
    weights = np.zeros((len(vocab.names), len(corpus.moves)), dtype=np.float32)
    bias = np.full(len(corpus.moves), NEVER)
    for j, result in enumerate(_fit_all(x, y, cs)):
        if result is not None:
            weights[:, j], bias[j] = result
    return LinearModel(
        vocab=vocab,
        moves=corpus.moves,
        weights=weights,
        bias=bias,
        thresholds=np.array([s.threshold for s in chosen]),
        policies=policies,
        uses_rules=use_rules,
        trained_on=len(corpus.examples),
    )


# --- choosing the settings by cross-validation on the training data --------------------------


MISTAKE_BETA = 0.5  # a wrong penalty costs a rep's trust more than a missed one


def _beta(move: str) -> float:
    """F-beta each move's settings are chosen by: F1, or precision-weighted F0.5 for the
    mistakes (moves that cost points), so a good reply is seldom penalised."""
    return MISTAKE_BETA if vocabulary()[move].polarity == "bad" else 1.0


def _best_threshold(scores: np.ndarray, y: np.ndarray, beta: float = 1.0) -> tuple[float, float]:
    """The cut on out-of-fold scores with the best F-beta (midway between two distinct
    scores)."""
    if y.sum() == 0:
        return 1e9, 0.0
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    b2 = beta * beta
    f = (1 + b2) * tp / (np.arange(1, len(t) + 1) + b2 * t.sum())
    f = np.where(np.r_[s[1:] != s[:-1], True], f, -1.0)
    k = int(np.argmax(f))
    cut = (s[k] + s[k + 1]) / 2 if k + 1 < len(s) else s[k] - 1e-6
    return float(cut), float(f[k])


def _f_beta(predicted: np.ndarray, y: np.ndarray, beta: float = 1.0) -> float:
    tp = int((predicted & y).sum())
    b2 = beta * beta
    denom = int(predicted.sum()) + b2 * int(y.sum())
    return (1 + b2) * tp / denom if denom else 0.0


def out_of_fold_scores(
    corpus: Corpus, use_rules: bool, config: FeatureConfig
) -> dict[float, np.ndarray]:
    """Decision scores of every training reply from models that never saw it, per C."""
    from sklearn.model_selection import KFold

    y = corpus.labels()
    out = {c: np.zeros(y.shape) for c in C_GRID}
    for train_rows, test_rows in KFold(FOLDS, shuffle=True, random_state=SEED).split(y):
        part = corpus.subset(train_rows)
        vocab = Vocabulary.build(
            [e.reply for e in part.examples],
            [e.buyer for e in part.examples],
            corpus.moves if use_rules else [],
            config,
        )
        x_train = design_matrix(vocab, part, use_rules)
        x_test = design_matrix(vocab, corpus.subset(test_rows), use_rules)
        for c in C_GRID:
            results = _fit_all(x_train, y[train_rows], [c] * len(corpus.moves))
            for j, result in enumerate(results):
                if result is None:
                    out[c][test_rows, j] = NEVER
                else:
                    w, b = result
                    out[c][test_rows, j] = x_test @ w + b
    return out


def tune(corpus: Corpus, use_rules: bool, config: FeatureConfig | None = None) -> dict:
    """Per move: the C and threshold with the best out-of-fold F-beta (``_beta``), then
    (with rules) the policy among model, union and rules with the best out-of-fold F-beta
    (ties keep the rules). ``cv_f1`` records each policy's F1 at those settings."""
    config = config or FeatureConfig()
    oof = out_of_fold_scores(corpus, use_rules, config)
    y = corpus.labels().astype(bool)
    rules = np.array([[m in found for m in corpus.moves] for found in corpus.rule_moves])
    moves: dict[str, dict] = {}
    for j, move in enumerate(corpus.moves):
        beta = _beta(move)
        c, cut, _ = max(
            ((c, *_best_threshold(oof[c][:, j], y[:, j], beta)) for c in C_GRID),
            key=lambda r: r[2],
        )
        model = oof[c][:, j] > cut
        fired = {"model": model}
        if use_rules:
            fired |= {"union": model | rules[:, j], "rules": rules[:, j]}
        scored = {p: _f_beta(f, y[:, j], beta) for p, f in fired.items()}
        policy = max(reversed(POLICIES[: len(fired)]), key=scored.__getitem__)
        moves[move] = {
            "C": c,
            "threshold": round(cut, 6),
            "policy": policy,
            "chosen_by": f"F{beta:g}",
            "cv_f1": {p: round(_f_beta(f, y[:, j]), 4) for p, f in fired.items()},
        }
    return {"moves": moves}
