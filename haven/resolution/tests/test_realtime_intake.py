"""Real-time resolution at intake: candidates from the blocking-key table, scored, decided."""

from __future__ import annotations

import json

import pytest

from haven.intake.models import Channel, PersonRecord
from haven.intake.services import CreatedRequest, PersonInput, RequestInput, request_create
from haven.resolution import blocking, model, records, resolve
from haven.resolution.models import BlockingKey, MatchProfile, Person, PersonLink, ReviewItem
from haven.resolution.realtime import Scorer, packaged_scorer

# Fixed here, so these tests do not move when the matcher's defaults are tuned.
THRESHOLDS = {"auto": 6.0, "review": 3.0}
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fixed_thresholds"),
]


@pytest.fixture
def fixed_thresholds(settings):
    settings.HAVEN_RESOLUTION_THRESHOLDS = THRESHOLDS


def _submit(*people: PersonInput) -> CreatedRequest:
    data = RequestInput(channel=Channel.WALK_IN, people=people)
    return request_create(data=data, raw_input=json.dumps({"n": len(people)}))


def _link(created: CreatedRequest, position: int = 0) -> PersonLink:
    return PersonLink.objects.get(
        person_record__request=created.request,
        person_record__position=position,
        ended_at__isnull=True,
    )


GUL = PersonInput(
    full_name="Gul Ahmad Ahmadzai",
    father_name="Din Mohammad",
    date_of_birth="12/04/1988",
    sex="m",
    identifiers=(("passport", "P01234567"), ("phone", "0700123456")),
)


def test_the_same_person_written_differently_links_to_the_existing_person():
    first = _submit(GUL)
    second = _submit(
        PersonInput(
            full_name="گل احمد احمدزی",
            father_name="Din Muhammad",
            date_of_birth="1988-04-12",
            identifiers=(("passport", "p 0123 4567"),),
        )
    )
    link = _link(second)
    assert link.method == PersonLink.Method.RULE
    assert link.person_id == _link(first).person_id
    assert link.score is not None and link.score >= THRESHOLDS["auto"]
    assert Person.objects.count() == 1


def test_identifiers_are_stored_only_as_keyed_hashes():
    created = _submit(GUL)
    profile = MatchProfile.objects.get(person_record__request=created.request)
    text = json.dumps(profile.data)
    assert "01234567" not in text and "700123456" not in text
    assert profile.data["passport"] and len(profile.data["passport"]) == 32
    assert BlockingKey.objects.filter(person_record__request=created.request).count() >= 4


def test_a_different_person_becomes_a_new_person():
    _submit(GUL)
    other = _submit(
        PersonInput(full_name="Fatima Noori", father_name="Rahim", date_of_birth="1995")
    )
    assert _link(other).method == PersonLink.Method.NEW_PERSON
    assert Person.objects.count() == 2
    assert not ReviewItem.objects.exists()


def test_an_uncertain_match_makes_a_new_person_and_a_review_item():
    first = _submit(
        PersonInput(
            full_name="Ahmad Karimi",
            father_name="Abdul Karim",
            date_of_birth="1990",
            province="Kabul",
        )
    )
    # Same common name, father and province, birth year one apart: worth a person's look.
    second = _submit(
        PersonInput(
            full_name="Ahmed Karimi",
            father_name="Abdul Karim",
            date_of_birth="1991",
            province="Kabul",
        )
    )
    link = _link(second)
    assert link.method == PersonLink.Method.NEW_PERSON
    item = ReviewItem.objects.get()
    assert (item.record_a_id, item.record_b_id) == (
        _link(first).person_record_id,
        link.person_record_id,
    )
    assert THRESHOLDS["review"] <= item.score < THRESHOLDS["auto"]
    fields = {f["field"]: f for f in item.details["fields"]}
    assert fields["father"]["agreement"] == "agrees"
    assert item.status == ReviewItem.Status.OPEN


def test_it_never_links_two_members_of_one_request_to_one_person():
    _submit(GUL)
    twice = _submit(GUL, GUL)
    links = [_link(twice, 0), _link(twice, 1)]
    assert links[0].person_id != links[1].person_id
    assert sorted(link.method for link in links) == ["new_person", "rule"]
    assert ReviewItem.objects.filter(reason__startswith="household guard").count() == 1


def test_a_record_with_nothing_to_match_on_is_its_own_person():
    _submit(PersonInput(given_name="Mohammad"))
    second = _submit(PersonInput(given_name="Mohammad"))
    link = _link(second)
    assert link.method == PersonLink.Method.NEW_PERSON
    assert link.rule == "insufficient_identity_data"
    assert not BlockingKey.objects.filter(person_record=link.person_record).exists()


def test_intake_stays_a_handful_of_statements(django_assert_max_num_queries):
    _submit(GUL)
    # The whole request: stored, resolved (look-up, profiles, inserts), case opened, triaged,
    # and (since the receipt message at intake, issue 16) its receipt queued: contacts,
    # opt-outs, dedupe, template and the message row, a fixed 8 statements per batch.
    with django_assert_max_num_queries(40):
        _submit(GUL, PersonInput(relationship="spouse", full_name="Mariam", date_of_birth="1990"))


def test_the_scorer_gives_the_same_weights_as_splink():
    from haven.resolution import heldout

    rows = list(heldout.heldout_records(300, seed=11))
    prepared = records.records_prepare(rows)
    resolve.rare_values_mark(prepared)
    by_id = {r["unique_id"]: r for r in prepared}
    frame = model.frame_build(prepared, records.MATCH_COLUMNS)
    pairs = model.pairs_score(frame, model.packaged_model(), min_weight=-80)
    # Under 2,000 records the batch scores without term frequencies; so does this scorer
    # (intake's has them: test_realtime_tf.py).
    scorer = Scorer(model.packaged_model())
    assert len(pairs) > 50
    for left, right, weight in pairs[["unique_id_l", "unique_id_r", "match_weight"]].itertuples(
        index=False
    ):
        assert scorer.weight(by_id[str(left)], by_id[str(right)]) == pytest.approx(weight, abs=1e-6)


def test_hashed_identifiers_score_as_their_values_for_equality():
    scorer = packaged_scorer()
    row = {"record_id": "1", "full_name": "Ahmad Wali", "passport_number": "P01234567"}
    prepared = records.record_prepare(row)
    hashed = blocking.profile_build(prepared)
    assert scorer.weight(hashed, hashed) == pytest.approx(scorer.weight(prepared, prepared))


def test_an_unreadable_condition_is_refused_when_the_model_loads():
    broken = model.packaged_model()
    broken["comparisons"][0]["comparison_levels"][1]["sql_condition"] = "soundex(name_key_l) = 1"
    with pytest.raises(ValueError, match="soundex"):
        Scorer(broken)


def test_records_keep_their_request_in_the_profile_lookup():
    created = _submit(GUL)
    record = PersonRecord.objects.get(request=created.request)
    loaded = blocking.candidates_load([record.pk])
    assert loaded[record.pk].request_id == created.request.pk


def test_a_second_strong_match_is_explained_as_a_possible_duplicate_person():
    from haven.resolution.pipeline import Option, _review_reason
    from haven.resolution.resolve import Thresholds

    thresholds = Thresholds(auto=6.0, review=3.0)
    assert (
        _review_reason(Option(1, 2, 9.5), thresholds) == "also a strong match for a second person"
    )
    assert _review_reason(Option(1, 2, 4.0), thresholds) == "between the thresholds"


def test_a_family_sent_again_links_every_member_through_the_one_with_a_passport():
    wife = PersonInput(full_name="Fatima", relationship="spouse", date_of_birth="1990", sex="f")
    son = PersonInput(full_name="Zabihullah", relationship="child", date_of_birth="2014")
    first = _submit(GUL, wife, son)
    again = _submit(
        PersonInput(full_name="Gul Ahmad Ahmadzay", date_of_birth="1988",
                    identifiers=(("passport", "p0123 4567"),)),
        PersonInput(full_name="Fatema", relationship="spouse", date_of_birth="1990"),
        PersonInput(full_name="Zabiullah", relationship="child", date_of_birth="2014"),
    )  # fmt: skip
    for position in (0, 1, 2):
        assert _link(again, position).person == _link(first, position).person
    assert _link(again, 1).rule == "intake: same household as a member already linked"
    # A stranger's Fatima of 1990, in a request nobody links to, stays her own person.
    stranger = _submit(PersonInput(full_name="Fatima", date_of_birth="1990", sex="f"))
    assert _link(stranger).person != _link(first, 1).person
