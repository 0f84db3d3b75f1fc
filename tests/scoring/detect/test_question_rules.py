"""Question rules (rules/questions.yaml): one case per phrasing family, not per dev sentence."""

from __future__ import annotations

import pytest

from bot.scoring.detect import MoveDetector
from tests.helpers.scoring import moves

# (buyer line, reply, moves that must all be detected)
POSITIVES = [
    # single-fact wh-questions are closed (convention 2), stranded preposition asks for a tool
    (
        "We run 6 warehouses.",
        "what are you scheduling pickers in at the moment?",
        {"closed_question"},
    ),
    ("", "ok, what month in Q1 are you aiming for?", {"closed_question"}),
    # situation: tools, volumes, who does what
    (
        "We run 6 warehouses.",
        "are they all on the same WMS?",
        {"situation_question", "popcorn_question"},
    ),
    ("Sure.", "cool. who owns the parts inventory?", {"situation_question", "popcorn_question"}),
    (
        "Sure.",
        "how many returns r u processing per week?",
        {"situation_question", "popcorn_question"},
    ),
    # problem: dissatisfaction, echoing the buyer's complaint, cause of a stated problem
    (
        "Our agents hate the ticketing tool.",
        "haha what do they hate most about it?",
        {"problem_question", "open_question"},
    ),
    ("Your tool looks complicated.", "which part looked complicated to you?", {"problem_question"}),
    ("Our churn went up this year.", "what do you think is driving it?", {"problem_question"}),
    ("It's too expensive.", "expensive compared to what you pay today?", {"problem_question"}),
    # implication: consequences of a problem on the table
    (
        "The migration is running 4 months late.",
        "what's that delay doing to your roadmap?",
        {"implication_question"},
    ),
    (
        "Techs show up without the right parts.",
        "what does a repeat visit cost you, ballpark?",
        {"implication_question", "popcorn_question"},
    ),
    (
        "Timesheets get approved late.",
        "and what's the knock-on for payroll?",
        {"implication_question"},
    ),
    # need-payoff in the buyer's own terms
    (
        "Onboarding takes 3 months.",
        "how would it help you if new hires ramped in 3 weeks?",
        {"need_payoff_question"},
    ),
    (
        "Approvals are slow.",
        "if approvals took hours, what would your team do with that time?",
        {"need_payoff_question"},
    ),
    (
        "The close takes 9 days.",
        "If it took 4, what it will mean for your team?",
        {"need_payoff_question"},
    ),
    # permission as a request of its own (convention 7)
    ("", "Tomas from Ledgerfox, honest cold call. got 2 mins?", {"permission_ask"}),
    (
        "Send me something.",
        "would you mind if I asked two quick questions first?",
        {"permission_ask"},
    ),
    ("I'm busy.", "is this an ok moment or should I call back?", {"permission_ask"}),
    # qualification: authority, criteria, what the decision maker will push back on, budget, timeline
    ("It's not just my call.", "sure, who else gets a say?", {"qualification_question"}),
    (
        "My director needs convincing.",
        "what do you reckon her main objection will be?",
        {"qualification_question"},
    ),
    (
        "I'm pitching to the exec team.",
        "what do you expect them to poke holes in?",
        {"qualification_question"},
    ),
    (
        "What would this cost?",
        "what range were you hoping to stay within?",
        {"qualification_question"},
    ),
    ("We'd need it before peak.", "by when would it need to be live?", {"qualification_question"}),
]


@pytest.mark.parametrize(("context", "reply", "expected"), POSITIVES)
def test_question_family_detected(
    detector: MoveDetector, context: str, reply: str, expected: set[str]
) -> None:
    assert expected <= moves(detector, reply, context)


# (buyer line, reply, move that must NOT be detected)
NEGATIVES = [
    # a time word inside a problem question does not make it situation
    (
        "We do returns by hand.",
        "what's the biggest pain with that right now?",
        "situation_question",
    ),
    # hypothetical consequence with no problem raised
    (
        "We have 12 sites.",
        "what would happen if one went offline for a week?",
        "implication_question",
    ),
    # the rep names the benefit and asks for interest
    (
        "Onboarding takes 3 months.",
        "if we got that to 3 weeks, would that be interesting?",
        "need_payoff_question",
    ),
    # "can I ask" glued onto one question is a politeness prefix
    ("Ok, shoot.", "can I ask what tool your planners use?", "permission_ask"),
    ("I'm listening.", "mind if I ask how you schedule shifts today?", "closed_question"),
    # rep's own timeline, logistics and channel checks
    (
        "When can you start?",
        "we can usually kick off within two weeks of signing.",
        "qualification_question",
    ),
    (
        "I can do Thursday.",
        "Thursday at 2 then? any problem if I bring our engineer?",
        "permission_ask",
    ),
    ("Sorry, bad line.", "no worries! can u hear me now?", "closed_question"),
    # rhetorical and echo questions get no form
    (
        "What do you do?",
        "We automate approvals. Who wants to keep typing invoices, right?",
        "closed_question",
    ),
    ("We already use Zentrix.", "Zentrix? lol ok", "closed_question"),
    # a paraphrase check is not a problem question
    ("IT is swamped.", "so you're saying IT bandwidth is the real blocker?", "problem_question"),
    # long abstract questions are not popcorn
    (
        "We do 500 deliveries a day.",
        "when you think about the whole chain from order intake to the door, where do you feel "
        "the biggest gaps in visibility are for your customers and your own team?",
        "popcorn_question",
    ),
    # small talk is not situation
    ("Just back from Lyon.", "oh nice, how are you feeling after the trip?", "situation_question"),
]


@pytest.mark.parametrize(("context", "reply", "move"), NEGATIVES)
def test_question_near_miss_not_detected(
    detector: MoveDetector, context: str, reply: str, move: str
) -> None:
    assert move not in moves(detector, reply, context)
