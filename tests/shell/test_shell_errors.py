"""screens/errors.py without a running app: what staff read, what Kivy is told, what the log gets."""
from __future__ import annotations

import logging

import pytest
from kivy.base import ExceptionManager

from kiosk.core import i18n
from kiosk.core.errors import Refusal
from screens import errors


class FakeApp:
    lang = "zh_CN"

    def tr(self, msgid: str, lang: str | None = None) -> str:
        return i18n.gettext(msgid, lang or self.lang)


def test_a_refusal_is_shown_in_the_screens_language():
    assert errors.failure_text(FakeApp(), Refusal("sign in first")) == "请先登录"


def test_any_other_error_is_named_by_kind_never_by_its_text():
    text = errors.failure_text(FakeApp(), KeyError("王小明 13800138000"))
    assert text == "出现错误（KeyError）。前台系统仍在运行，详情已记入日志。"
    assert "13800138000" not in text


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(0)])
def test_stopping_the_app_is_never_swallowed(exc):
    reported = []
    assert errors.DeskExceptionHandler(reported.append).handle_exception(exc) == ExceptionManager.RAISE
    assert reported == []


def test_a_failing_report_still_answers_pass(caplog):
    def broken(exc):
        raise RuntimeError("toast broke")
    with caplog.at_level(logging.ERROR, logger="screens.errors"):
        assert errors.DeskExceptionHandler(broken).handle_exception(ValueError("x")) == ExceptionManager.PASS
    assert any(r.message == "handling an exception failed" for r in caplog.records)


def test_repeats_are_counted_within_the_window_and_logged_again_after(caplog):
    now = [0.0]
    reported = []
    handler = errors.DeskExceptionHandler(reported.append, monotonic=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="screens.errors"):
        for _ in range(100):
            assert handler.handle_exception(ValueError("every frame")) == ExceptionManager.PASS
        handler.handle_exception(TypeError("another"))
        now[0] = errors.REPEAT_WINDOW + 1
        handler.handle_exception(ValueError("every frame"))
    assert [type(e).__name__ for e in reported] == ["ValueError", "TypeError", "ValueError"]
    assert sum(1 for r in caplog.records if r.exc_info) == 3
    assert any(r.getMessage() == "ValueError repeated 99 more times" for r in caplog.records)


def test_memory_of_failures_is_bounded():
    handler = errors.DeskExceptionHandler(lambda exc: None)
    for n in range(errors.MAX_REMEMBERED * 3):
        handler.handle_exception(ValueError(f"distinct {n}"))
    assert len(handler._seen) <= errors.MAX_REMEMBERED
