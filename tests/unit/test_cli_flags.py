"""Every out-of-range command-line flag is a usage error naming the flag (exit 2), never a traceback
later on (``approve --qps inf`` once ended in one)."""

from __future__ import annotations

import pytest

from desktop.__main__ import main


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["approve", "1", "--qps", "inf"], "--qps"),
        (["approve", "1", "--qps", "nan"], "--qps"),
        (["approve", "1", "--qps", "1e9"], "--qps"),
        (["approve", "1", "--qps", "0"], "--qps"),
        (["approve", "1", "--qps", "-5"], "--qps"),
        (["approve", "1", "--settle", "nan"], "--settle"),
        (["approve", "1", "--settle", "inf"], "--settle"),
        (["approve", "1", "--patience", "nan"], "--patience"),
        (["approve", "1", "--patience", "-1"], "--patience"),
        (["approve", "1", "--patience", "1e9"], "--patience"),
        (["approve", "1", "--shop", "99999999999999999999999"], "--shop"),
        (["approve", "1", "--address-id", "1.5"], "--address-id"),
        (["approve", "99999999999999999999999"], "refund id"),
        (["approve", "0"], "refund id"),
        (["reject", "1", "--reason-code", "inf"], "--reason-code"),
        (["reject", "1", "--reason-code", "-1"], "--reason-code"),
        (["check", "--days", "inf"], "days"),
        (["check", "--data-dir", ""], "data folder"),
        (["sandbox", "--port", "70000"], "--port"),
        (["sandbox", "--port", "-1"], "--port"),
        (["sandbox", "--qps", "0"], "--qps"),
        (["--data-dir", "", "check"], "data folder"),
    ],
)
def test_bad_flags_are_usage_errors_naming_the_flag(capsys, argv, named):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_a_data_dir_that_is_a_file_is_refused(capsys, tmp_path):
    file = tmp_path / "a-file"
    file.write_text("x")
    with pytest.raises(SystemExit) as info:
        main(["check", "--data-dir", str(file)])
    assert info.value.code == 2 and "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("qps", ["0.5", "20", "100", "200"])
def test_qps_in_range_is_accepted(qps):
    from desktop.__main__ import build_parser

    args = build_parser().parse_args(["approve", "1", "--qps", qps])
    assert args.qps == float(qps)
