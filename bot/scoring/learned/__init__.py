"""The learned move classifier beside the rules.

One logistic regression per move over word 1-2 grams and character 2-4 grams of the reply,
word grams of its questions, word grams of the buyer's previous line and the rule detector's
own outputs, stacked into one matrix so a reply is scored with one sparse dot product (numpy
only at run time). Per move, cross-validation on the training files chose its C, its
threshold and whether the model, the rules or either of them decides (``tuning.json``).
Every model detection quotes the words of the reply that carry most of its score: each
feature's contribution shared out over the characters it came from, summed per word
(``explain``).

Modules: ``features`` (grams, vocabulary, the feature vector), ``places`` (where in the reply
each gram came from), ``model`` (the stacked
weights, saved as .npz), ``train`` (fitting and cross-validated tuning, scikit-learn),
``explain`` (evidence spans), ``detector`` (``LearnedDetector``), ``store`` (the model of this
checkout's data: keyed by its hash, cached, built on first use) and ``comparison`` (rules vs
model vs combined, learning curve). Import from this package, not from the modules.
"""

from __future__ import annotations

from bot.scoring.learned.detector import LearnedDetector
from bot.scoring.learned.model import LinearModel
from bot.scoring.learned.store import (
    ProductDetector,
    build,
    cache_dir,
    cached_model,
    data_key,
    load_training,
    model_path,
    product_detector,
    training_files,
    warm_up,
)
from bot.scoring.learned.train import Corpus, fit, read_tuning, tune

__all__ = [
    "Corpus",
    "LearnedDetector",
    "LinearModel",
    "ProductDetector",
    "build",
    "cache_dir",
    "cached_model",
    "data_key",
    "fit",
    "load_training",
    "model_path",
    "product_detector",
    "read_tuning",
    "training_files",
    "tune",
    "warm_up",
]
