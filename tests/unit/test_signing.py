import json
import os

import pytest

from desktop.core.kuaishou import signing

#: a copy of the platform contract's signature vectors, kept with the tests
VECTORS = os.path.join(os.path.dirname(__file__), "..", "data", "kuaishou-sign.json")
#: where the platform contract's own copy lives when the project is checked out beside it
CONTRACT_VECTORS = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "vectors", "kuaishou-sign.json"
)


def _vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)["vectors"]


def test_every_vector_signs_to_the_expected_value():
    vectors = _vectors()
    assert len(vectors) >= 4
    methods = set()
    for v in vectors:
        methods.add(v["params"]["signMethod"])
        assert signing.sign(v["params"], v["sign_secret"]) == v["sign"], v["name"]
        if "signed_string" in v:
            assert signing.signed_string(v["params"], v["sign_secret"]) == v["signed_string"]
        assert signing.verify({**v["params"], "sign": v["sign"]}, v["sign_secret"])
    assert methods == {"MD5", "HMAC_SHA256"}


def test_a_changed_byte_in_param_or_secret_fails_verification():
    v = _vectors()[1]
    tampered = {**v["params"], "param": v["params"]["param"].replace("短袖", "长袖"), "sign": v["sign"]}
    assert not signing.verify(tampered, v["sign_secret"])
    assert not signing.verify({**v["params"], "sign": v["sign"]}, v["sign_secret"] + "x")


def test_nulls_are_dropped_and_sign_itself_is_not_signed():
    params = {
        "appkey": "k",
        "method": "m",
        "param": "{}",
        "signMethod": "MD5",
        "timestamp": "1",
        "version": "1",
        "access_token": None,
    }
    assert "access_token" not in signing.signed_string(params, "s")
    assert signing.sign({**params, "sign": "whatever"}, "s") == signing.sign(params, "s")


def test_unknown_sign_method_is_refused():
    with pytest.raises(signing.UnknownSignMethod):
        signing.sign({"signMethod": "SHA1"}, "s")


@pytest.mark.skipif(
    not os.path.isfile(CONTRACT_VECTORS),
    reason="the platform contract's vectors are not checked out beside the project",
)
def test_the_project_copy_of_the_vectors_matches_the_contract():
    with open(CONTRACT_VECTORS, encoding="utf-8") as f:
        contract = json.load(f)
    with open(VECTORS, encoding="utf-8") as f:
        assert json.load(f) == contract
