"""The learned detector beside the rules: the ``Detector`` the product scores replies with."""

from __future__ import annotations

import numpy as np

from bot.scoring.detect import Detection, Detector, Evidence
from bot.scoring.learned.explain import model_evidence, rule_spans
from bot.scoring.learned.features import featurize
from bot.scoring.learned.model import LinearModel
from bot.scoring.learned.places import ReplyPlaces


class LearnedDetector:
    """Scores a reply with ``model``; per move, its policy decides between model and rules.

    ``model``: the model alone fires the move. ``union``: the rule or the model. ``rules``:
    the rule alone. Where a rule fired for a move that is reported, the rule's detection
    (its span and id) is kept, so rule evidence reads as before; a move only the model found
    is quoted by ``model_evidence``. Without ``rules`` (a model trained without rule
    features) every move is the model's.
    """

    def __init__(self, model: LinearModel, rules: Detector | None) -> None:
        if model.uses_rules and rules is None:
            raise ValueError("this model reads the rules' outputs: give it the rule detector")
        self.model = model
        self.rules = rules if model.uses_rules else None
        self._from_rules = np.array([p != "model" for p in model.policies])
        self._rules_only = np.array([p == "rules" for p in model.policies])

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        """Moves found in ``reply`` (answering ``context``), in vocabulary order."""
        if not isinstance(reply, str) or not reply.strip():
            return ()
        context = context if isinstance(context, str) else ""
        rules = {d.move: d for d in self.rules.detect(reply, context)} if self.rules else {}
        features = featurize(self.model.vocab, reply, context, rules, keep_places=True)
        fires = (self.model.scores(features) > self.model.thresholds) & ~self._rules_only
        moves = self.model.moves
        kept = {
            j: rules[m]
            for j, m in enumerate(moves)
            if m in rules and (fires[j] or self._from_rules[j])
        }
        quoted = [j for j in range(len(moves)) if fires[j] and j not in kept]
        evidence: dict[int, Evidence | None] = {}
        if quoted:  # the moves only the model found: quote the words that carry their scores
            places = ReplyPlaces(self.model.vocab, reply, features, rule_spans(self.model, rules))
            weights = places.token_weights(self.model.contributions(features, quoted))
            for k, j in enumerate(quoted):
                evidence[j] = model_evidence(moves[j], reply, places, weights[:, k])
        found: list[Detection] = []
        for j, move in enumerate(moves):
            if j in kept:
                found.append(kept[j])
            elif (quote := evidence.get(j)) is not None:
                found.append(Detection(move, quote))
        return tuple(found)
