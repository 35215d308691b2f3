"""``check --batch``: every line is judged exactly as a single ``check --json`` would be.

A batch line must never read "ready" where the single check of the same patient, with the
same flags, would not. The single check each line is compared with is
``check --json --answers LINE.json [--answers-flags] [--override ...]``: the line plays
the part of the answers file, and the flags keep their meaning, so ``--answer`` beats the
line as it beats a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import NOW, TODAY, Run, flat, gate, json_answers, ready_patient, without
from xrntx_guide.batch import INLINE_BELOW, Job, check_lines
from xrntx_guide.errors import ExitCode, UserError
from xrntx_guide.output.check import check_result
from xrntx_guide.output.schemas import BatchError, CheckResult, error_fields
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.presets import evaluate_presets, gather, parse_answers, parse_overrides

UDS_OVERRIDE = "urine_drug_screen=assay_unavailable: no fentanyl assay on site"
AGE_OVERRIDE = "age=clinical_judgement: seen with a parent"


def batch(run: Run, lines: Sequence[str], *extra: str) -> Any:
    return run("check", "--now", NOW, "--batch", "-", *extra, input="\n".join(lines))


def single(run: Run, tmp_path: Path, answers: Mapping[str, Any], *extra: str) -> Any:
    """The single check of one line's answers: the line as an answers file."""
    path = tmp_path / "line.json"
    path.write_text(json.dumps(json_answers(answers)), encoding="utf-8")
    return run("check", "--json", "--now", NOW, "--answers", str(path), *extra)


# -- --override in a batch --------------------------------------------------------------------


def test_batch_honours_an_override_as_a_single_check_does(run: Run) -> None:
    line = json.dumps({"id": "a", **json_answers(ready_patient(uds_fentanyl="not_done"))})
    result = batch(run, [line], "--override", UDS_OVERRIDE)

    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "ready"
    assert gate(data, "urine_drug_screen")["outcome"] == "overridden"


def test_batch_override_of_an_unknown_gate_is_a_usage_error_before_any_line(run: Run) -> None:
    line = json.dumps(json_answers(ready_patient()))
    result = batch(run, [line, line], "--override", "urine_drug_scren=clinical_judgement: x")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "'urine_drug_screen'" in result.stderr  # the same suggestion a single check makes


def test_batch_override_of_a_gate_that_is_never_a_stop_is_a_usage_error_before_any_line(
    run: Run,
) -> None:
    line = json.dumps(json_answers(ready_patient()))
    result = batch(run, [line], "--override", "opioid_free_interval=clinical_judgement: x")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "only stop gates can" in flat(result.stderr)


def test_batch_override_of_a_gate_failing_as_a_contraindication_makes_that_line_an_error(
    run: Run, tmp_path: Path
) -> None:
    """A single check refuses the override (exit 2, nothing on stdout); in a batch that
    refusal is the line's error, with the same message, and the lines after go on."""
    positive = ready_patient(uds_fentanyl="positive")
    lines = [
        json.dumps({"id": "pos", **json_answers(positive)}),
        json.dumps({"id": "nd", **json_answers(ready_patient(uds_fentanyl="not_done"))}),
    ]
    result = batch(run, lines, "--override", UDS_OVERRIDE)
    alone = single(run, tmp_path, positive, "--override", UDS_OVERRIDE)

    assert result.exit_code == ExitCode.USAGE, result.output
    assert alone.exit_code == ExitCode.USAGE, alone.output
    first, second = (json.loads(text) for text in result.stdout.splitlines())
    bad = BatchError.model_validate(first)
    assert (bad.id, bad.line, bad.code) == ("pos", 1, "override_refused")
    assert "contraindication cannot be overridden" in bad.message
    assert flat(bad.message) in flat(alone.stderr)
    assert second["status"] == "ready"


def test_batch_binds_each_override_to_its_own_line(run: Run, guide: Guide) -> None:
    """An override is bound to the fingerprint of the gate's inputs on *this* line: a
    different assay not done on another line is overridden for that line, not refused
    because the first line's fingerprint differs, and never carried across."""
    lines = [
        json.dumps({"id": 1, **json_answers(ready_patient(uds_fentanyl="not_done"))}),
        json.dumps({"id": 2, **json_answers(ready_patient(uds_oxycodone="not_done"))}),
        json.dumps({"id": 3, **json_answers(ready_patient())}),
    ]
    result = batch(run, lines, "--override", UDS_OVERRIDE)

    assert result.exit_code == ExitCode.OK, result.output
    out = [json.loads(text) for text in result.stdout.splitlines()]
    assert [o["status"] for o in out] == ["ready", "ready", "ready"]
    assert [gate(o, "urine_drug_screen")["outcome"] for o in out] == [
        "overridden",
        "overridden",
        "pass",
    ]


# -- precedence ------------------------------------------------------------------------------


def test_an_answer_flag_beats_the_line_in_a_batch(run: Run) -> None:
    line = json.dumps({"id": "a", **json_answers(ready_patient(age=34))})
    result = batch(run, [line], "--answer", "age=15")

    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "needs_override"
    assert data["blocking"] == ["age"]
    assert "15" in gate(data, "age")["reason"]


def test_the_line_beats_an_answers_file_in_a_batch(run: Run, tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps({"age": 15, "consent": True}), encoding="utf-8")
    line = json.dumps({"id": "a", **json_answers(ready_patient(age=34, consent=None))})
    result = batch(run, [line], "--answers", str(shared))

    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "ready", data
    assert gate(data, "age")["outcome"] == "pass"


# -- every line equals its single check -----------------------------------------------------

# The supervised rapid pathway on its third day, without a site table.
RAPID_PATIENT = without(
    ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=2),
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
    ),
    "cows_total",  # the day record rates the visit day: the gates read its latest rating
)
RAPID_DAYS = [
    {
        "day": n,
        "date": (TODAY - dt.timedelta(days=3 - n)).isoformat(),
        "given": "as the site's protocol directs",
        "tolerated": True,
        "cows": [{"time": "09:00", "total": 1}],
    }
    for n in (1, 2, 3)
]

# (answers of the line, extra flags for both the batch and the single check)
CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("ready", ready_patient(), ()),
    ("too_soon", ready_patient(last_opioid_use=TODAY - dt.timedelta(days=3)), ()),
    ("needs_override", ready_patient(uds_fentanyl="not_done"), ()),
    ("overridden", ready_patient(uds_fentanyl="not_done"), ("--override", UDS_OVERRIDE)),
    ("override_unused", ready_patient(), ("--override", UDS_OVERRIDE)),
    (
        "override_refused",
        ready_patient(uds_fentanyl="positive"),
        ("--override", UDS_OVERRIDE),
    ),
    ("flag_beats_line", ready_patient(age=34), ("--answer", "age=15")),
    (
        "flag_and_override",
        ready_patient(age=34),
        ("--answer", "age=16", "--override", AGE_OVERRIDE),
    ),
    (
        "two_overrides",
        ready_patient(age=17, uds_methadone="not_done"),
        ("--override", AGE_OVERRIDE, "--override", UDS_OVERRIDE),
    ),
    ("flag_fills_a_gap", ready_patient(cows_total=None), ("--answer", "cows_total=7")),
    ("incomplete", ready_patient(consent=None), ("--explain",)),
    ("rapid_day_three", {**RAPID_PATIENT, "rapid_days": RAPID_DAYS}, ()),
    ("rapid_no_days", RAPID_PATIENT, ()),
    (
        "bad_flag_for_line",
        ready_patient(),
        ("--answer", f"last_opioid_use={TODAY + dt.timedelta(days=1)}"),
    ),
]


@pytest.mark.parametrize(("answers", "extra"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_batch_line_is_the_single_check_result(
    run: Run, tmp_path: Path, answers: dict[str, Any], extra: tuple[str, ...]
) -> None:
    alone = single(run, tmp_path, answers, *extra)
    result = batch(run, [json.dumps({"id": 7, **json_answers(answers)})], *extra)

    if alone.exit_code == ExitCode.USAGE and alone.stdout == "":
        # A refusal of the single check (before or after reading the answers) is either
        # the same refusal before any line, or this line's error with the same message.
        assert result.exit_code == ExitCode.USAGE, result.output
        if result.stdout:
            bad = BatchError.model_validate(json.loads(result.stdout))
            assert (bad.id, bad.line) == (7, 1)
            assert flat(bad.message) in flat(alone.stderr)
        return
    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads(result.stdout) == {"id": 7, "line": 1, **json.loads(alone.stdout)}


# -- many lines, in one process and in worker processes --------------------------------------

FLAGS = ["cows_total=1"]
OVERRIDES = [UDS_OVERRIDE, AGE_OVERRIDE]


def _many_answers(n: int) -> dict[str, Any]:
    """A patient that varies with ``n``: ready, too soon, under age, assays not done or
    positive (an override the line refuses), answers missing."""
    answers = ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=n % 17),
        age=(15, 17, 34, 60)[n % 4],
        cows_total=n % 9,
    )
    assay = ("uds_fentanyl", "uds_oxycodone", "uds_opiates")[n % 3]
    answers[assay] = ("negative", "not_done", "not_done", "positive", "negative")[n % 5]
    if n % 11 == 0:
        del answers["consent"]
    return answers


def _expected(guide: Guide, answers: Mapping[str, Any], ident: int) -> dict[str, Any]:
    """What a single ``check --json --answers LINE --answer FLAGS --override ...`` gives,
    through the core functions the single check calls; a refusal as the batch error."""
    try:
        presets = {
            **parse_answers(guide, json_answers(answers), "file", TODAY, None),
            **gather(guide, FLAGS, None, TODAY),
        }
        state = evaluate_presets(guide, presets, TODAY, parse_overrides(guide, OVERRIDES))
    except UserError as exc:
        return {
            "format_version": 1,
            "id": ident,
            "status": "error",
            "line": ident + 1,
            **error_fields(exc),
        }
    return {"id": ident, "line": ident + 1, **json.loads(json.dumps(check_result(state)))}


def test_a_large_batch_with_flags_and_overrides_matches_single_checks_in_every_process(
    guide: Guide,
) -> None:
    """Past INLINE_BELOW lines the batch runs in worker processes: every line, with the
    flags and overrides applied, is still the single check's result."""
    count = INLINE_BELOW + 41
    answers = [_many_answers(n) for n in range(count)]
    lines = [json.dumps({"id": n, **json_answers(a)}) for n, a in enumerate(answers)]
    job = Job(
        guide,
        TODAY,
        {},
        False,
        flags=gather(guide, FLAGS, None, TODAY),
        overrides=tuple(parse_overrides(guide, OVERRIDES)),
    )

    inline = list(check_lines(job, lines, workers=1))
    spread = list(check_lines(job, lines, workers=2))

    assert spread == inline
    out = [json.loads(text) for text, _ in spread]
    for n, (got, (_, bad)) in enumerate(zip(out, spread, strict=True)):
        want = _expected(guide, answers[n], n)
        if want["status"] == "error":
            assert bad and got == want, n
        else:
            assert not bad and got == want, n
    statuses = {o["status"] for o in out}
    assert statuses >= {"ready", "blocked", "needs_override", "incomplete", "error"}
    assert any(g["outcome"] == "overridden" for o in out if "gates" in o for g in o["gates"])


# -- error lines, bad bytes, dead workers ---------------------------------------------


def test_every_error_line_has_one_shape(run: Run) -> None:
    """status, line, key, code, message (and the id, and a hint): one format for every
    kind of bad line, in the published schema."""
    good = json.dumps({"id": "ok", **json_answers(ready_patient())})
    lines = [
        '{"id": 1, "visit": ',
        "[1, 2]",
        json.dumps({"id": 3, "agee": 34}),
        json.dumps({"id": 4, **json_answers(ready_patient(age="abc"))}),
        json.dumps({"id": 5, **json_answers(ready_patient(age=200))}),
        good,
    ]
    result = batch(run, lines)
    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(text) for text in result.stdout.splitlines()]
    errors = [BatchError.model_validate(o) for o in out[:5]]
    assert [(e.line, e.code, e.key) for e in errors] == [
        (1, "not_json", None),
        (2, "not_object", None),
        (3, "unknown_key", "agee"),
        (4, "invalid_answer", "age"),
        (5, "invalid_answer", "age"),
    ]
    assert all(
        set(o) == {"format_version", "id", "status", "line", "key", "code", "message", "hint"}
        for o in out[:5]
    )
    for e in errors:  # the line is a field of its own, never part of the message
        assert "line" not in e.message and e.message.strip() == e.message
    assert out[5]["status"] == "ready"


def test_a_line_that_is_not_utf8_is_an_error_line_and_the_run_goes_on(guide: Guide) -> None:
    good = json.dumps(json_answers(ready_patient())).encode()
    lines = [good, b'{"kit_lot": "\xff\xfe"}', good, b"\xef\xbb\xbf" + good]
    job = Job(guide, TODAY, {}, False)
    out = [json.loads(text) for text, _ in check_lines(job, lines)]
    assert [o["status"] for o in out] == ["ready", "error", "ready", "error"]
    assert out[1]["code"] == "not_utf8" and "0xff" in out[1]["message"]
    # A byte-order mark is taken only where editors write it: at the start of the file.
    first = [json.loads(text) for text, _ in check_lines(job, [b"\xef\xbb\xbf" + good])]
    assert first[0]["status"] == "ready"


def test_a_line_longer_than_the_limit_is_an_error_line_and_the_rest_goes_on(
    guide: Guide,
) -> None:
    import io

    from xrntx_guide.batch import read_lines

    good = json.dumps(json_answers(ready_patient())).encode()
    data = good + b"\n" + b" " * 5000 + b"\n" + good + b"\n"
    job = Job(guide, TODAY, {}, False)
    out = [json.loads(text) for text, _ in check_lines(job, read_lines(io.BytesIO(data), 1000))]
    assert [(o["status"], o.get("line")) for o in out] == [
        ("ready", 1),
        ("error", 2),
        ("ready", 3),
    ]
    assert out[1]["code"] == "too_long"


def test_a_worker_that_dies_stops_the_batch_with_a_message_never_a_hang(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed (the kernel's out-of-memory killer, say) used to leave the parent
    waiting for ever: the batch now stops, says how many lines were written and exits
    non-zero, the last line saying where it stopped."""

    import xrntx_guide.batch as batch_module

    real = batch_module.check_line
    doomed = INLINE_BELOW + 10

    def check_or_die(job: Job, number: int, line: Any) -> tuple[str, bool]:
        if number == doomed:
            os._exit(9)  # as a killed process ends: no clean-up, no result
        return real(job, number, line)

    monkeypatch.setattr(batch_module, "check_line", check_or_die)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the os the batch module reads
    line = json.dumps(json_answers(ready_patient()))
    path = tmp_path / "big.jsonl"
    path.write_text((line + "\n") * (2 * INLINE_BELOW), encoding="utf-8")

    result = run("check", "--now", NOW, "--batch", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(text) for text in result.stdout.splitlines()]
    written = len(out) - 1
    stopped = BatchError.model_validate(out[-1])
    assert stopped.code == "stopped" and stopped.line == written + 1 <= doomed
    assert all(o["status"] == "ready" for o in out[:-1])
    assert f"{written} lines were checked" in result.stderr
    assert "internal error" not in result.stderr


# -- the rapid pathway's record in a batch ------------------------------------------


def test_a_batch_line_with_rapid_days_has_the_single_checks_rapid_block(
    run: Run, tmp_path: Path
) -> None:
    line = json.dumps({"id": 1, **json_answers({**RAPID_PATIENT, "rapid_days": RAPID_DAYS})})
    data = json.loads(batch(run, [line]).stdout)
    assert data["rapid"]["day_reached"] == 3, data
    assert data["rapid"]["site_table"] is False
    assert "no day is confirmed as the protocol's injection day" in data["rapid"]["missing"]
    assert data["status"] != "ready"


def test_a_batch_line_reads_the_rapid_days_of_the_shared_answers_file(
    run: Run, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps({"rapid_days": RAPID_DAYS}), encoding="utf-8")
    line = json.dumps({"id": 2, **json_answers(RAPID_PATIENT)})
    result = batch(run, [line], "--answers", str(shared))
    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    both = tmp_path / "both.json"
    both.write_text(
        json.dumps({**json_answers(RAPID_PATIENT), "rapid_days": RAPID_DAYS}), encoding="utf-8"
    )
    alone = run("check", "--json", "--now", NOW, "--answers", str(both))
    assert data["rapid"] == json.loads(alone.stdout)["rapid"]
    assert data["rapid"]["day_reached"] == 3


def _strict_json(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN and Infinity are not JSON, so a reader refuses them."""

    def refuse(word: str) -> Any:
        raise ValueError(f"{word} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("ident", ["NaN", "Infinity", "-Infinity", "[1, NaN]"])
def test_a_non_finite_id_is_never_written_back_as_invalid_json(run: Run, ident: str) -> None:
    """Python reads ``NaN`` in a line's id; written back raw, the output is not JSON."""
    line = '{"id": ' + ident + ", " + json.dumps(json_answers(ready_patient()))[1:]
    result = batch(run, [line])
    out = _strict_json(result.stdout.splitlines()[0])
    assert out["id"] is None and out["code"] == "id_unwritable", out


# -- a key given twice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('{"age": 40, "age": 41}', "age"),
        ('{"consent": true, "age": 40, "consent": false, "age": 41}', "consent"),
        ('{"age": 40, "x": {"a": 1, "a": 2}}', "a"),
    ],
)
def test_a_key_given_twice_in_a_line_is_refused_naming_the_first_repeated(
    run: Run, line: str, key: str
) -> None:
    """Two values for one answer in one line: which one counts is not the program's to
    guess. The line is an error line naming the first key that comes again; the line
    after it is judged."""
    good = json.dumps(json_answers(ready_patient()))
    result = batch(run, [line, good])

    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert rows[0]["status"] == "error"
    assert rows[0]["code"] == "invalid_answer"
    assert f"the key {key!r} is given twice" in rows[0]["message"]
    assert rows[1]["status"] == "ready"


# -- the process around a batch ---------------------------------------------------------------


@pytest.mark.parametrize("set_aside", [False, True])
def test_a_batch_leaves_the_cycle_collector_as_it_found_it(guide: Guide, set_aside: bool) -> None:
    """A batch sets what lives for the whole run aside from the cycle collector while it
    runs; a program that runs a batch in-process and goes on (a test run, a script) gets
    its collector back as it was (nothing set aside, or what was), even when a line
    fails."""
    import gc

    from xrntx_guide.batch import run

    gc.freeze() if set_aside else gc.unfreeze()
    before = gc.get_freeze_count()
    out: list[str] = []
    good = json.dumps(json_answers(ready_patient()))
    failed = run(Job(guide, TODAY, {}, False), [good, "not json", good], out.append, workers=1)

    assert failed
    assert [json.loads(x)["status"] for x in out] == ["ready", "error", "ready"]
    assert gc.isenabled()
    # Nothing of the batch's left set aside: no more than before (what was set aside may
    # have been freed meanwhile, as anything may; a batch that kept its own would add).
    assert gc.get_freeze_count() <= before
    assert (before > 0) is set_aside
    assert (gc.get_freeze_count() > 0) is set_aside  # what was set aside stays so


def test_a_batch_of_lines_none_ready_exits_0_each_line_saying_its_status(run: Run) -> None:
    """The exit code says whether every line was judged (docs/scripting.md, Batch), not
    what the lines say: blocked and needs_override lines leave it 0, an error line 2."""
    blocked = json.dumps(json_answers(ready_patient(uds_fentanyl="positive")))
    override = json.dumps(json_answers(ready_patient(uds_fentanyl="not_done")))
    judged = batch(run, [blocked, override])
    assert judged.exit_code == ExitCode.OK, judged.output
    statuses = [json.loads(x)["status"] for x in judged.stdout.splitlines()]
    assert statuses == ["blocked", "needs_override"], statuses
    with_a_bad_line = batch(run, [blocked, "{"])
    assert with_a_bad_line.exit_code == ExitCode.USAGE, with_a_bad_line.output
