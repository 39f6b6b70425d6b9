"""The place table's kept copy: the same places as the libraries give, rebuilt when it is damaged."""

from __future__ import annotations

import json

from kb import places


def test_the_kept_copy_of_the_place_table_gives_the_same_places_and_a_damaged_one_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(places, "_copy_folder", None)
    places.keep_copy_in(tmp_path / "cache")
    built = places._places()
    [copy] = (tmp_path / "cache").glob("places-*.json")
    assert places._places() == built
    assert len(built) > 4000 and any(place.name("th") == "ไทย" for place in built)

    copy.write_text('[["territory-TH", [["en", "Thailand"]]', encoding="utf-8")  # cut off mid-write
    assert places._places() == built
    assert len(json.loads(copy.read_text(encoding="utf-8"))) == len(built)
    assert [p.name("en") for p in places.Gazetteer(places._places()).places_in("スラバヤ市と大連市")] == ["Surabaya", "Dalian"]
