"""Behaviour of the rule-based move detector, on phrasings written for these tests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.scoring.detect import Detection, MoveDetector, default_detector
from bot.vocabulary import vocabulary
from tests.helpers.scoring import moves, write_rules

# (buyer line, reply, move that must be detected)
POSITIVES = [
    (
        "We track leads in a shared inbox.",
        "How do leads get assigned to reps today?",
        "open_question",
    ),
    ("", "Walk me through what happens after a demo.", "open_question"),
    ("We use HubSpot.", "Are you on the enterprise plan?", "closed_question"),
    ("We have a few regions.", "Is it four regions or five?", "closed_question"),
    ("We have a support team.", "How many agents are on the late shift?", "popcorn_question"),
    ("We have a support team.", "Which tool do you use for ticketing?", "situation_question"),
    (
        "Renewals are a mess.",
        "What's the most frustrating part of renewals for you?",
        "problem_question",
    ),
    (
        "Our invoices are often paid late.",
        "What happens with your suppliers when payments slip?",
        "implication_question",
    ),
    (
        "Reps waste hours on data entry.",
        "If that time came back, what would it be worth to your team?",
        "need_payoff_question",
    ),
    (
        "I have a few minutes.",
        "Mind if I ask a couple of questions about your setup first?",
        "permission_ask",
    ),
    (
        "We're looking at options.",
        "Who else will be involved in signing this off?",
        "qualification_question",
    ),
    (
        "The handoff between teams keeps breaking.",
        "So the real issue is that nobody owns the handoff.",
        "paraphrase",
    ),
    (
        "We got burned by our last vendor.",
        "That's a fair concern, thanks for telling me.",
        "acknowledge",
    ),
    ("Our warehouse flooded last week.", "Ouch, that sounds stressful.", "acknowledge"),
    (
        "It's too pricey.",
        "Have you thought about it as cost per hire rather than per seat?",
        "alternative_view",
    ),
    (
        "We need a pilot first.",
        "We could start with one team. Does that address your concern?",
        "ask_feedback",
    ),
    (
        "What's in it for us?",
        "For your team that likely means cutting onboarding from 6 weeks to 3, about 40 hours "
        "saved per new hire.",
        "value_statement",
    ),
    (
        "Who else uses this?",
        "Oakridge Health had the same backlog and went from 5 days to 1 day on claims.",
        "reference_story",
    ),
    (
        "What do you offer?",
        "We have live chat, ticket routing, a knowledge base, CSAT surveys and an analytics suite.",
        "feature_dump",
    ),
    (
        "Clarivo is cheaper.",
        "Their quote leaves out training and support, so it isn't like for like.",
        "differentiate",
    ),
    ("We're also looking at Veloxa.", "Veloxa? Their product is garbage.", "attack_competitor"),
    ("Let's talk again.", "Would Tuesday at 3pm work for a 30-minute call?", "meeting_request"),
    (
        "I think that covers it.",
        "Let me recap: 40 seats, SSO required, live by June. Did I get that right?",
        "summary_check",
    ),
    (
        "I need to check with my boss.",
        "You need to decide today, I can't hold this price.",
        "pressure",
    ),
    ("I worry about the rollout.", "Don't worry, rollouts are never a problem.", "minimize"),
    ("My VP won't like this.", "Just tell him it's already budgeted.", "prescribe"),
    (
        "We're comparing vendors.",
        "If we get the terms right, would we be your chosen vendor?",
        "final_vendor_question",
    ),
    (
        "The price is the issue.",
        "Apart from price, is anything else holding this up?",
        "price_only_question",
    ),
    (
        "Get me to 30k.",
        "If we agree on 30k today, can you sign the contract today?",
        "sign_now_question",
    ),
    (
        "We want a discount.",
        "If you commit to a three-year term, I can take 10% off.",
        "conditional_concession",
    ),
    ("This is too expensive.", "Fine, I'll knock 15% off.", "unconditional_concession"),
    ("We need a better price.", "What price would work for you?", "ask_their_price"),
    (
        "He's not available.",
        "Could you help me figure out who handles vendor contracts?",
        "enlist_help",
    ),
    (
        "Who's calling?",
        "I'm Maya from Kestrel, I'm calling about how your team plans its sales forecast.",
        "state_reason",
    ),
    ("Is she expecting you?", "Yes, she's expecting my call.", "deception"),
    ("", "Congrats on the promotion! How's the new team?", "rapport"),
]


@pytest.mark.parametrize(("context", "reply", "move"), POSITIVES)
def test_detects_move(detector: MoveDetector, context: str, reply: str, move: str) -> None:
    assert move in moves(detector, reply, context)


# (buyer line, reply, move that must NOT be detected): near misses
NEGATIVES = [
    ("Morning!", "morning! how are you?", "open_question"),
    ("What can it do?", "Who doesn't want that, right?", "closed_question"),
    ("Thanks for the call.", "thanks", "acknowledge"),
    ("Please hold.", "sure, no problem", "acknowledge"),
    ("Your fee is high.", "I hear that a lot, but it's just how it is.", "acknowledge"),
    ("We have eight offices.", "So, what do you use for payroll?", "paraphrase"),
    ("Let's talk some time.", "Great, let's find a time in the next few weeks.", "meeting_request"),
    ("We'll decide soon.", "When can I show you the demo?", "meeting_request"),
    ("Let me check.", "No rush, take your time.", "pressure"),
    ("The fee seems high.", "Don't worry, I'll include the setup for free.", "minimize"),
    ("Is there room on price?", "We can't discount, pricing is fixed.", "unconditional_concession"),
    (
        "Is there room on price?",
        "If you want a discount you'd need to ask my manager.",
        "conditional_concession",
    ),
    ("Could I speak with Ana?", "Could I speak to the finance director please?", "enlist_help"),
    ("Sorry, which company?", "Brightpath.", "state_reason"),
    ("Has she spoken with you?", "No, she isn't expecting me, this is a cold call.", "deception"),
    ("Why you?", "We're the market leader and award-winning.", "value_statement"),
    ("Why you over Veloxa?", "Honestly we're just better.", "differentiate"),
    ("Why you over Veloxa?", "Honestly we're just better.", "attack_competitor"),
    ("We have a budget.", "What budget have you set aside for this?", "ask_their_price"),
    ("We decide on Friday.", "Who is making the final call on Friday?", "final_vendor_question"),
    ("Does it export to Excel?", "Yes, to Excel and CSV.", "feature_dump"),
    ("We have 12 sites.", "What would happen if one of them shut down?", "implication_question"),
    (
        "Reps do a lot of admin.",
        "If we could save your reps time, would you like a demo?",
        "need_payoff_question",
    ),
    ("Any questions?", "Can I ask what your renewal date is?", "permission_ask"),
    ("What's the plan?", "To recap what we do: billing, dunning and reporting.", "summary_check"),
]


@pytest.mark.parametrize(("context", "reply", "move"), NEGATIVES)
def test_near_miss_is_not_detected(
    detector: MoveDetector, context: str, reply: str, move: str
) -> None:
    assert move not in moves(detector, reply, context)


def test_no_move_replies(detector: MoveDetector) -> None:
    for reply in ["ok", "hmm", "👍", "hi", "test", "qwerty", "sorry wrong chat"]:
        assert detector.detect(reply, "Hello?") == ()


def test_one_detection_per_move_in_vocabulary_order(detector: MoveDetector) -> None:
    reply = (
        "Totally fair, and thanks for being upfront. How do you plan the rota today? "
        "And is it built in Excel? Could we look at it Thursday at 10?"
    )
    found = detector.detect(reply, "We're worried about the switch.")
    ids = [d.move for d in found]
    assert len(ids) == len(set(ids))
    order = vocabulary().ids
    assert ids == sorted(ids, key=order.index)
    assert {"open_question", "closed_question", "acknowledge", "meeting_request"} <= set(ids)


def test_evidence_spans_match_quotes_and_name_rules(detector: MoveDetector) -> None:
    replies = [
        "Oof — that SOUNDS miserable. Which part hurts most, chasing or fixing?",
        "İstanbul team? So the real issue is trust… “fair”?",
        "If you sign for two years, I can do 12% off. Would that work?",
        "Hi! I'm Leo from Quanta, calling because your team posted about ticket volume.",
    ]
    rule_ids = set()
    for reply in replies:
        for det in detector.detect(reply, "We have a problem with late invoices."):
            assert isinstance(det, Detection)
            ev = det.evidence
            assert 0 <= ev.start < ev.end <= len(reply)
            assert reply[ev.start : ev.end] == ev.quote
            assert "/" in ev.rule
            rule_ids.add(ev.rule.split("/")[0])
    assert rule_ids


def test_context_is_used(detector: MoveDetector) -> None:
    question = "What does that do to your cash flow?"
    assert "implication_question" in moves(
        detector, question, "Two suppliers moved us to prepayment."
    )
    assert "implication_question" not in moves(detector, question, "We have 12 warehouses.")


@pytest.mark.parametrize(
    "reply",
    [
        "",
        " ",
        "\x00\x01\x02\x1b[31m",
        "🙂🙂🙂" * 50,
        "مرحبا، هل يمكننا التحدث غدا؟",
        "שלום? \u202e reversed \u202c",
        "a" * 20_000,
        "1" * 20_000,
        ". " * 10_000,
        "?" * 20_000,
        "so the " * 3_000,
        "If you commit, I can, " * 1_000,
        "\n\n\r\t" * 5_000,
        "İ" * 1_000 + " Would Monday at 9 work?",
    ],
)
def test_never_raises(detector: MoveDetector, reply: str) -> None:
    found = detector.detect(reply, reply[:100])
    for det in found:
        assert reply[det.evidence.start : det.evidence.end] == det.evidence.quote


def test_random_garbage_is_deterministic(detector: MoveDetector) -> None:
    rng = random.Random(7)
    alphabet = "abc ?!.,'\n\tXYZ😀é—:"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert detector.detect(text) == detector.detect(text)


def test_default_detector_is_cached() -> None:
    assert default_detector() is default_detector()


def test_custom_rules_dir(tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path,
        """
lexicons:
  thanks: ['thanks', 'thank you']
rules:
  - id: acknowledge/thanks_for_point
    move: acknowledge
    patterns: ['\\b{@thanks} for (?:saying|sharing)\\b']
    context_requires: 'worr'
  - id: closed_question/any
    move: closed_question
    scope: question
    patterns: ['^\\W*(?:is|are)\\b']
  - id: ask_feedback/after_question
    move: ask_feedback
    patterns: ['\\bok\\b']
    requires_moves: [closed_question]
""",
    )
    det = MoveDetector.load(rules)
    assert [d.move for d in det.detect("Thanks for sharing that.", "I'm worried.")] == [
        "acknowledge"
    ]
    assert det.detect("Thanks for sharing that.", "Fine.") == ()
    found = det.detect("Is that ok?")
    assert [d.move for d in found] == ["closed_question", "ask_feedback"]
    assert found[0].evidence.rule == "closed_question/any"
    assert det.detect("ok then") == ()
