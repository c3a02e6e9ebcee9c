"""The sync's decision for a closed request seen for the first time (written as it is inserted) is
exactly the general one: the stored form of the classification ``decide_closed_first_seen``
stands for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.domain.classify import Classification, decide_closed_first_seen
from desktop.core.kuaishou.models import Refund
from desktop.core.rulesfile import load_default_rules
from desktop.core.sync import Syncer, _decision

H = 3_600_000
T0 = 1_764_000_000_000
RULES = load_default_rules()
_times = st.one_of(st.none(), st.just(0), st.integers(T0 - 100 * H, T0 + 200 * H))


@settings(max_examples=400, deadline=None)
@given(
    status=st.sampled_from((10, 60, 70)),
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
def test_decide_new_stores_the_first_seen_classification(
    status, negotiate, handling_way, submit, create, negotiated, end, update, expire, disagree
):
    record = Refund(
        7,
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
    syncer = Syncer(None, None, RULES, shop_id=1)  # _decide_new uses only the rules
    decided = syncer._decide_new(record, T0)
    if status not in (60, 70):
        assert decided is None  # open requests are classified after the insert
    else:
        classification = Classification(**decide_closed_first_seen(record, RULES)._asdict())
        assert decided == _decision(7, classification)
