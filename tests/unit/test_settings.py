"""Settings and the policy file: partial overrides, clear errors, no placeholder secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tousu.analysis import BUNDLED_MODEL
from tousu.settings import PolicyFileError, Settings, load_policy


def test_a_policy_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("urgency:\n  batch_window_minutes: 30\nsla:\n  warn_before_hours: 2\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.urgency.batch_window_minutes == 30 and policy.urgency.batch_min_ordinary == 11
    assert policy.sla.warn_before_hours == 2 and policy.sla.default.reply_hours == 48


@pytest.mark.parametrize(
    "text",
    [
        "urgency:\n  batch_window_minutes: -5\n",
        "urgency: [\n",
        "surprise: 1\n",
        "sla:\n  channel_calendar: {hall: nowhere}\n",
        "urgency:\n  batch_window_minutes: 30\n  batch_window_minutes: 60\n",  # which one was meant?
    ],
)
def test_a_bad_policy_file_names_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"policy\.yaml"):
        load_policy(path)


def test_a_policy_file_names_an_industry_of_the_knowledge_base(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("industry: retail\n", encoding="utf-8")
    assert load_policy(path).industry == "retail"
    path.write_text("industry: bank\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"policy\.yaml.*'bank'.*retail"):
        load_policy(path)


def test_placeholder_secrets_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(secret_key="changeme")


def test_the_bundled_analyzer_model_is_the_default_and_none_means_the_rules_alone(monkeypatch) -> None:
    assert Settings().model_path == BUNDLED_MODEL and BUNDLED_MODEL.exists()
    monkeypatch.setenv("TOUSU_MODEL_PATH", "none")
    assert Settings().model_path is None
    monkeypatch.setenv("TOUSU_MODEL_PATH", "/srv/models/ours.npz")
    assert Settings().model_path == Path("/srv/models/ours.npz")
