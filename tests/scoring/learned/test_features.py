"""Features: grams, the vocabulary, the feature vector."""

from __future__ import annotations

import pytest

from bot.scoring.learned.features import (
    RULE_WEIGHT,
    FeatureConfig,
    Vocabulary,
    char_grams,
    featurize,
    lowered,
    question_grams,
    word_grams,
)


def test_word_grams_are_unigrams_then_bigrams() -> None:
    assert word_grams("can u help?") == ["can", "u", "help", "?", "can u", "u help", "help ?"]


def test_char_grams_pad_the_text_with_spaces() -> None:
    assert char_grams("ab")[:3] == [" a", "ab", "b "]


def test_lowered_maps_back_when_lower_casing_changes_length() -> None:
    low, origin = lowered("İa")
    assert origin is not None and len(origin) == len(low) and origin[-1] == 1


def test_featurize_blocks_are_unit_length_and_rules_weigh_rule_weight() -> None:
    replies = ["Can I ask a question?", "Can I ask you?", "ok then", "ok"]
    config = FeatureConfig(word_min_df=1, char_min_df=1, buyer_min_df=1)
    vocab = Vocabulary.build(replies, ["Hi"] * 4, ["permission_ask"], config)
    f = featurize(vocab, "Can I ask?", "Hi", ["permission_ask"])
    blocks: dict[str, float] = {}
    for col, value in zip(f.columns, f.values, strict=True):
        block = vocab.names[col][:2]
        blocks[block] = blocks.get(block, 0.0) + value * value
    assert blocks["w:"] == pytest.approx(1.0) and blocks["c:"] == pytest.approx(1.0)
    assert blocks["b:"] == pytest.approx(0.25)  # the buyer line counts half
    assert blocks["r:"] == pytest.approx(RULE_WEIGHT**2)


def test_question_grams_stay_inside_sentences_that_ask() -> None:
    grams = question_grams("fine. how r u? ok")
    assert grams == ["how", "r", "u", "?", "how r", "r u", "u ?"]


@pytest.mark.parametrize(
    "reply",
    [
        "Thurs 3pm?",
        "thx 😀 see u thurs",
        "İstanbul, ﬁne?",
        "a",
        "tab\tand\nnewline",
        "thurs \ud83d",
    ],
)
def test_packed_character_grams_match_the_string_path(reply: str) -> None:
    """The numpy lookup of character grams finds exactly the grams the strings give."""
    corpus = ["Thurs 3pm works?", "see u thurs 😀", "istanbul office fine", "a tab"]
    config = FeatureConfig(word_min_df=1, char_min_df=1, buyer_min_df=1)
    vocab = Vocabulary.build(corpus, ["Hi"] * 4, [], config)
    f = featurize(vocab, reply, "Hi", [])
    chars = sorted(vocab.names[c][2:] for c in f.columns if vocab.names[c].startswith("c:"))
    expected = sorted({g for g in char_grams(lowered(reply)[0]) if g in vocab.chars})
    assert chars == expected and chars
