"""Classification of finished requests (rules doc §3): auto-approved (certain / likely) and the rest."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop.core.domain.classify import (
    RULE_HEURISTIC_TIMES,
    RULE_HISTORY_SYSTEM,
    RULE_NO_EVIDENCE,
    RULE_OBSERVED,
    RULE_STATUS,
    AutoApprovedStep,
    Classification,
    Outcome,
    classify,
    decide_closed_first_seen,
    is_system_agreement,
    is_system_role,
)
from desktop.core.domain.deadlines import Stage
from desktop.core.kuaishou.models import NegotiationComment, Refund
from desktop.core.rulesfile import load_default_rules

H = 3_600_000
T0 = 1_764_000_000_000
DL = T0 + 48 * H  # the platform deadline of the review


@dataclass
class Snap:
    status: int | None
    negotiate_status: int | None
    expire_time: int | None
    update_time: int | None
    seen_at: int


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


def pending(seen_at, *, status=10, expire=DL):
    return Snap(status, 1, expire, T0, seen_at)


def final(**kw) -> Refund:
    base = {"refund_id": 1, "handling_way": 10, "submit_time": T0, "expire_time": DL}
    base.update(kw)
    return Refund(**base)


# ------------------------------------------------------------------------------ observed rule
def test_seen_pending_past_the_deadline_then_refunded_is_certain(rules):
    history = [pending(T0 + H), pending(DL + 60_000), Snap(60, 2, DL, DL + 120_000, DL + 600_000)]
    c = classify(history, final(status=60, negotiate_status=2, negotiate_update_time=DL + 120_000), rules)
    assert (c.outcome, c.certainty, c.rule) == (Outcome.AUTO_APPROVED_OVERDUE, "certain", RULE_OBSERVED)
    assert (c.stage, c.deadline_ms, c.decided_at_ms, c.overdue_ms) == (
        Stage.REVIEW_REFUND_ONLY,
        DL,
        DL + 120_000,
        120_000,
    )
    assert c.kind == "refund_only" and c.actionable
    assert c.response_ms == 48 * H  # an auto-approval counts as the full limit


def test_seen_before_the_deadline_and_the_change_dated_after_it_is_certain(rules):
    history = [pending(T0 + H), Snap(60, 2, DL, DL + 5000, DL + 3 * H)]
    c = classify(history, final(status=60, negotiate_status=2), rules)
    assert (c.outcome, c.certainty, c.rule, c.overdue_ms) == (
        Outcome.AUTO_APPROVED_OVERDUE,
        "certain",
        RULE_OBSERVED,
        5000,
    )


def test_observed_handled_in_time(rules):
    history = [pending(T0 + H), Snap(60, 2, DL, T0 + 10 * H, T0 + 11 * H)]
    c = classify(history, final(status=60, negotiate_status=2, negotiate_update_time=T0 + 10 * H), rules)
    assert (c.outcome, c.rule, c.certainty) == (Outcome.HANDLED_IN_TIME, RULE_OBSERVED, None)
    assert c.first_action_ms == T0 + 10 * H and c.response_ms == 10 * H


def test_the_apps_own_action_is_never_an_auto_approval(rules):
    history = [pending(T0 + H), pending(DL + 1000), Snap(60, 2, DL, DL + 2000, DL + 3000)]
    c = classify(history, final(status=60, negotiate_status=2), rules, app_actions_ms=[DL - 10])
    assert c.outcome is Outcome.HANDLED_IN_TIME


def test_the_server_offset_is_applied_to_the_apps_observation_times(rules):
    # this machine is 2 min behind the server: seen at DL - 1 min local = DL + 1 min server
    history = [pending(DL - 60_000), Snap(60, 2, DL, None, DL + H)]
    c = classify(history, final(status=60, negotiate_status=2), rules, server_offset_ms=120_000)
    assert (c.outcome, c.rule) == (Outcome.AUTO_APPROVED_OVERDUE, RULE_OBSERVED)
    # without the correction the same observations prove nothing and the heuristic decides
    c = classify(history, final(status=60, negotiate_status=2), rules)
    assert (c.outcome, c.rule) == (Outcome.UNKNOWN, RULE_NO_EVIDENCE)


def test_a_return_auto_agreed_by_the_system_while_still_open(rules):
    history = [Snap(10, 1, DL, T0, T0 + H), Snap(30, 2, T0 + 300 * H, DL + 1, DL + H)]
    c = classify(history, final(handling_way=1, status=30, negotiate_status=2), rules)
    assert (c.outcome, c.certainty, c.stage, c.kind) == (
        Outcome.AUTO_APPROVED_OVERDUE,
        "certain",
        Stage.REVIEW_RETURN,
        "return_refund",
    )


def test_an_open_requests_auto_approved_step_is_its_one_step(rules):
    history = [Snap(10, 1, DL, T0, T0 + H), Snap(30, 2, T0 + 300 * H, DL + 1, DL + H)]
    c = classify(history, final(handling_way=1, status=30, negotiate_status=2), rules)
    assert c.steps == (AutoApprovedStep(Stage.REVIEW_RETURN, DL, DL + 1, RULE_OBSERVED, "certain"),)
    assert c.steps[0].at_ms == DL


def test_every_auto_approved_step_of_a_request_is_kept_oldest_first(rules):
    rdl = T0 + 200 * H  # the receipt deadline after the buyer shipped
    history = [
        Snap(10, 1, DL, T0, T0 + H),  # waiting for the review
        Snap(30, 2, T0 + 300 * H, DL, DL + H),  # agreed by the system at the deadline
        Snap(40, 2, rdl, T0 + 60 * H, T0 + 61 * H),  # the buyer shipped: confirm the receipt
        Snap(60, 2, rdl, rdl + 10, rdl + H),  # confirmed by the system
    ]
    c = classify(history, final(handling_way=1, status=60, negotiate_status=2, expire_time=rdl), rules)
    # the request's outcome is its first auto-approved step, as before
    assert (c.outcome, c.stage, c.deadline_ms, c.certainty) == (
        Outcome.AUTO_APPROVED_OVERDUE,
        Stage.REVIEW_RETURN,
        DL,
        "certain",
    )
    assert [(s.stage, s.deadline_ms, s.decided_at_ms, s.certainty) for s in c.steps] == [
        (Stage.REVIEW_RETURN, DL, DL, "certain"),
        (Stage.CONFIRM_RECEIPT, rdl, rdl + 10, "certain"),
    ]


def test_a_step_the_merchant_handled_is_not_an_auto_approved_step(rules):
    rdl = T0 + 200 * H
    history = [
        Snap(10, 1, DL, T0, T0 + H),
        Snap(30, 2, T0 + 300 * H, DL, DL + H),  # agreed by the system
        Snap(40, 2, rdl, T0 + 60 * H, T0 + 61 * H),
        Snap(60, 2, rdl, T0 + 70 * H, T0 + 71 * H),  # receipt confirmed by the merchant in time
    ]
    c = classify(history, final(handling_way=1, status=60, negotiate_status=2, expire_time=rdl), rules)
    assert [s.stage for s in c.steps] == [Stage.REVIEW_RETURN]


def test_still_waiting_or_decided_otherwise_has_no_steps(rules):
    c = classify([pending(T0 + H)], final(status=10, negotiate_status=1), rules)
    assert (c.outcome, c.steps) == (Outcome.PENDING, ())
    c = classify(
        [pending(T0 + H), Snap(60, 2, DL, T0 + 10 * H, T0 + 11 * H)],
        final(status=60, negotiate_status=2, negotiate_update_time=T0 + 10 * H),
        rules,
    )
    assert (c.outcome, c.steps) == (Outcome.HANDLED_IN_TIME, ())


def test_times_only_and_history_rules_give_one_likely_step(rules):
    c = classify([], final(status=60, negotiate_status=2, negotiate_update_time=DL, end_time=DL + 10), rules)
    assert c.steps == (AutoApprovedStep(None, DL, DL, RULE_HEURISTIC_TIMES, "likely"),)
    comments = [NegotiationComment(title="系统自动同意退款", role="system", create_time=DL + 1000)]
    c = classify([], final(status=60, negotiate_status=2, expire_time=None), rules, comments=comments)
    (step,) = c.steps
    assert (step.deadline_ms, step.at_ms, step.rule) == (None, DL + 1000, RULE_HISTORY_SYSTEM)


def test_receipt_confirmed_by_the_system(rules):
    rdl = T0 + 200 * H
    history = [Snap(40, 2, rdl, T0 + 30 * H, T0 + 31 * H), Snap(60, 2, rdl, rdl + 10, rdl + H)]
    c = classify(history, final(handling_way=1, status=60, negotiate_status=2, expire_time=rdl), rules)
    assert (c.outcome, c.stage) == (Outcome.AUTO_APPROVED_OVERDUE, Stage.CONFIRM_RECEIPT)


# ----------------------------------------------------------------------- history / heuristic
@pytest.mark.parametrize("role", ["system", "SYSTEM", " System ", "系统", "sys"])
def test_system_roles_are_recognised_tolerantly(rules, role):
    assert is_system_role(role, rules)
    assert is_system_agreement(NegotiationComment(title="同意退款", role=role, create_time=DL), rules)


def test_unknown_roles_and_rejections_are_not_system_agreements(rules):
    assert (
        not is_system_role(2, rules) and not is_system_role(None, rules) and not is_system_role("商家", rules)
    )
    assert not is_system_agreement(
        NegotiationComment(title="商家同意退款", role="商家", create_time=DL), rules
    )
    assert not is_system_agreement(NegotiationComment(title="系统驳回", role="system", create_time=DL), rules)
    # a title naming the timeout is enough whatever the (undocumented) role code
    assert is_system_agreement(
        NegotiationComment(title="商家超时自动同意退款", role=3, create_time=DL), rules
    )


def test_negotiation_history_decides_when_the_app_saw_nothing(rules):
    comments = [
        NegotiationComment(title="买家发起退款申请", role="buyer", create_time=T0),
        NegotiationComment(title="系统自动同意退款", role="system", create_time=DL + 1000),
    ]
    c = classify(
        [], final(status=60, negotiate_status=2, negotiate_update_time=DL + 1000), rules, comments=comments
    )
    assert (c.outcome, c.certainty, c.rule, c.overdue_ms) == (
        Outcome.AUTO_APPROVED_OVERDUE,
        "likely",
        RULE_HISTORY_SYSTEM,
        1000,
    )


def test_heuristic_times_after_the_fact(rules):
    c = classify([], final(status=60, negotiate_status=2, negotiate_update_time=DL, end_time=DL + 10), rules)
    assert (c.outcome, c.certainty, c.rule, c.overdue_ms) == (
        Outcome.AUTO_APPROVED_OVERDUE,
        "likely",
        RULE_HEURISTIC_TIMES,
        0,
    )
    c = classify(
        [], final(status=60, negotiate_status=2, negotiate_update_time=DL - 1, end_time=DL + 10), rules
    )
    assert (c.outcome, c.rule) == (Outcome.HANDLED_IN_TIME, RULE_HEURISTIC_TIMES)
    # a return's last step is the receipt, dated by endTime
    c = classify(
        [],
        final(handling_way=1, status=60, negotiate_status=2, negotiate_update_time=T0 + H, end_time=DL + 5),
        rules,
    )
    assert c.outcome is Outcome.AUTO_APPROVED_OVERDUE
    # no deadline recorded anywhere: no verdict
    c = classify(
        [], final(status=60, negotiate_status=2, negotiate_update_time=T0 + 9 * H, expire_time=0), rules
    )
    assert (c.outcome, c.rule) == (Outcome.UNKNOWN, RULE_NO_EVIDENCE)


# ---------------------------------------------------------------------------- other outcomes
def test_fast_refund(rules):
    c = classify([], final(status=60, negotiate_status=2, negotiate_update_time=T0 + 30_000), rules)
    assert (c.outcome, c.actionable) == (Outcome.FAST_REFUND, False)
    comments = [NegotiationComment(title="系统自动同意退款", role="SYSTEM", create_time=T0 + 2000)]
    c = classify([], final(status=60, negotiate_status=2), rules, comments=comments)
    assert (c.outcome, c.rule) == (Outcome.FAST_REFUND, RULE_HISTORY_SYSTEM)
    # seen waiting on the merchant: not a fast refund, even when agreed quickly
    history = [pending(T0 + 10_000), Snap(60, 2, DL, T0 + 60_000, T0 + 70_000)]
    c = classify(history, final(status=60, negotiate_status=2, negotiate_update_time=T0 + 60_000), rules)
    assert c.outcome is Outcome.HANDLED_IN_TIME


def test_buyer_cancelled_rejected_dispute_pending_unknown(rules):
    c = classify(
        [pending(T0 + H), Snap(70, 1, DL, T0 + 2 * H, T0 + 3 * H)],
        final(status=70, negotiate_status=1),
        rules,
    )
    assert (c.outcome, c.rule, c.actionable) == (Outcome.BUYER_CANCELLED, RULE_STATUS, False)
    history = [
        pending(T0 + H),
        Snap(12, 3, None, T0 + 2 * H, T0 + 3 * H),
        Snap(70, 3, None, T0 + 90 * H, T0 + 91 * H),
    ]
    c = classify(history, final(status=70, negotiate_status=3), rules)
    assert (c.outcome, c.actionable, c.first_action_ms) == (Outcome.REJECTED_CLOSED, True, T0 + 2 * H)
    history = [
        pending(T0 + H),
        Snap(20, 1, None, T0 + 2 * H, T0 + 3 * H),
        Snap(60, 2, None, T0 + 99 * H, T0 + 99 * H),
    ]
    c = classify(history, final(status=60, negotiate_status=2), rules)
    assert (c.outcome, c.actionable) == (Outcome.DISPUTE, False)
    assert classify([pending(T0 + H)], final(status=10, negotiate_status=1), rules).outcome is Outcome.PENDING
    assert classify([], final(status=99), rules).outcome is Outcome.UNKNOWN


# ------------------------------------------------------------------ first-seen closed fast path
_times = st.one_of(st.none(), st.just(0), st.integers(T0 - 100 * H, T0 + 200 * H))


@settings(max_examples=400, deadline=None)
@given(
    status=st.sampled_from((60, 70)),
    negotiate=st.sampled_from((None, 1, 2, 3)),
    handling_way=st.sampled_from((None, 1, 3, 4, 5, 10, 99)),
    submit=_times,
    create=_times,
    negotiated=_times,
    end=_times,
    update=_times,
    expire=_times,
    disagree=st.sampled_from((None, "", 0, 5, "质量问题")),
)
@example(
    status=60,
    negotiate=2,
    handling_way=10,
    submit=T0,
    create=None,
    negotiated=DL,
    end=DL,
    update=DL,
    expire=DL,
    disagree=None,
)  # agreed exactly at the deadline
def test_first_seen_closed_fast_path_matches_the_general_rules(
    rules, status, negotiate, handling_way, submit, create, negotiated, end, update, expire, disagree
):
    record = Refund(
        1,
        status=status,
        negotiate_status=negotiate,
        handling_way=handling_way,
        submit_time=submit,
        create_time=create,
        negotiate_update_time=negotiated,
        end_time=end,
        update_time=update,
        expire_time=expire,
        seller_disagree_reason=disagree,
    )
    only_observation = Snap(status, negotiate, expire, update, T0 + 300 * H)
    decided = decide_closed_first_seen(record, rules)
    assert Classification(**decided._asdict()) == classify([only_observation], record, rules)


def test_first_seen_fast_path_refuses_an_open_request(rules):
    with pytest.raises(ValueError, match="status 10"):
        decide_closed_first_seen(final(status=10, negotiate_status=1), rules)


# ------------------------------------------------------------------- numeric roles (spec §8)
def test_numeric_roles_never_decide_by_text_and_timing_comes_first(rules):
    # the platform's role numbers are undocumented: 3 is not in the default rules file
    assert not is_system_role(3, rules)
    agreed_late = NegotiationComment(title="同意退款，退款成功", role=3, create_time=DL + 1000)
    agreed_early = NegotiationComment(title="同意退款，退款成功", role=3, create_time=DL - 1000)
    merchant_late = NegotiationComment(title="商家同意退款", role=2, create_time=DL + 1000)
    assert is_system_agreement(agreed_late, rules, deadline_ms=DL)  # after the deadline: the platform's
    assert not is_system_agreement(agreed_early, rules, deadline_ms=DL)
    assert not is_system_agreement(merchant_late, rules, deadline_ms=DL)
    comments = [NegotiationComment(title="买家发起退款申请", role=1, create_time=T0), agreed_late]
    c = classify(
        [], final(status=60, negotiate_status=2, negotiate_update_time=DL + 1000), rules, comments=comments
    )
    assert (c.outcome, c.rule) == (Outcome.AUTO_APPROVED_OVERDUE, RULE_HISTORY_SYSTEM)


def test_a_role_number_named_in_the_rules_file_counts(rules):
    import tomllib

    from desktop.core.domain.rules import RulesError, parse_rules
    from desktop.core.rulesfile import default_rules_path

    text = default_rules_path().read_text(encoding="utf-8")
    assert 'system_roles = { value = ["system"' in text
    numbered = parse_rules(
        tomllib.loads(
            text.replace('system_roles = { value = ["system"', 'system_roles = { value = [3, "system"')
        )
    )
    assert "3" in numbered.classify.system_roles.value
    assert is_system_role(3, numbered) and is_system_role("3", numbered)
    assert is_system_agreement(
        NegotiationComment(title="同意退款", role=3, create_time=DL - 5000), numbered, deadline_ms=DL
    )
    with pytest.raises(RulesError) as info:
        parse_rules(
            tomllib.loads(
                text.replace('system_roles = { value = ["system"', 'system_roles = { value = [2.5, "system"')
            )
        )
    assert "system_roles" in info.value.key
