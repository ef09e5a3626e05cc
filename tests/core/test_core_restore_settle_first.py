"""`kiosk restore` after a restore that was killed before its record: the earlier one is settled (recorded, its
series moved past the copy it set aside) before the new plan is read, so the plan printed — with or without
--dry-run — describes the file the restore replaces, not the state before the settling."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import restore as restore_mod
from tests.core.test_core_restore_journal import _killed_restore, _restores, _site


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_plan_is_read_after_the_killed_restore_is_settled(tmp_path, dry_run):
    db, file, backed, issued = _site(tmp_path)
    grown = {n for n in issued if issued[n] > backed.get(n, 0)}
    assert grown, "the second day issued numbers"
    _killed_restore(db, file, "before-record")    # the file now holds the backup's content, series rewound
    assert restore_mod.journal_path(db).exists()
    result = CliRunner().invoke(main, ["restore", "--db", str(db), *(["--dry-run"] if dry_run else ["--yes"]),
                                       str(file)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    out = result.output
    assert not restore_mod.journal_path(db).exists()
    # Settled: the series were moved past the copy set aside, so the plan shows the numbers issued after the
    # backup (unsettled, the rewound file showed none, and the plan described a state about to change).
    for name in grown:
        assert f"编号序列 {name}：{backed.get(name, 0) + 1} 至 {issued[name]} 号" in out, out
    assert "之前的一次恢复被中断，现已记录：" in out and "在记录前被中断" in out, out
    assert out.index("现已记录") < out.index("编号序列")
    outcomes = [r[0] for r in _restores(db)]
    # the dry run leaves the interruption recorded; the restore then replaces that file with the backup's
    assert outcomes == (["failed"] if dry_run else ["ok"]), outcomes
    assert all(restore_mod.series_of(db)[n] >= issued[n] for n in issued)


def test_an_english_site_is_told_in_english(tmp_path):
    db, file, _, _ = _site(tmp_path)
    _killed_restore(db, file, "before-record")
    en = tmp_path / "en.toml"
    en.write_text('[site]\nlanguage = "en"\n', "utf-8")
    out = CliRunner().invoke(main, ["restore", "--config", str(en), "--db", str(db), "--dry-run", str(file)]).output
    assert "an earlier restore was interrupted; it is recorded now:" in out and "was interrupted before" in out, out
    assert "dry run: nothing changed" in out, out
