"""MediaContainer XML -> media_item dicts: ids from new and legacy guids, defaults, unicode, garbage."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from smartplex.services.plex.parse import external_ids, parse_item, parse_items, parse_page, to_datetime

MOVIE = b"""<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="1" totalSize="321" offset="0" librarySectionID="2">
<Video ratingKey="65547" key="/library/metadata/65547" guid="plex://movie/5d776827eb5d26001f1ddab7"
 studio="Walt Disney" type="movie" title="Aladdin" contentRating="G" summary="A street urchin &amp; a lamp."
 rating="9.5" audienceRating="9.2" year="1992" thumb="/library/metadata/65547/thumb/1709463296" duration="5423794"
 addedAt="1450147195" updatedAt="1709463296">
<Media id="73681" duration="5423794"><Part id="1" size="1639520577"/><Part id="2" size="1000"/></Media>
<Media id="73682"><Part id="3" size="999999"/></Media>
<Genre tag="Animation"/><Genre tag="Family"/>
<Director tag="Ron Clements"/><Director tag="John Musker"/>
<Role tag="Scott Weinger"/><Role tag="Robin Williams"/>
<Guid id="imdb://tt0103639"/><Guid id="tmdb://812"/><Guid id="tvdb://285"/>
</Video>
</MediaContainer>"""


def first(xml: bytes | str) -> dict:
    body = xml.encode() if isinstance(xml, str) else xml
    (item,) = parse_items(etree.fromstring(body))
    return item


def test_movie_with_guid_children() -> None:
    page = parse_page(etree.fromstring(MOVIE))
    assert page.total_size == 321
    (item,) = page.items
    assert item == {
        "rating_key": "65547",
        "section_key": "2",
        "type": "movie",
        "title": "Aladdin",
        "parent_title": None,
        "grandparent_title": None,
        "parent_rating_key": None,
        "grandparent_rating_key": None,
        "item_index": 0,
        "parent_index": 0,
        "year": 1992,
        "genres": ["Animation", "Family"],
        "directors": ["Ron Clements", "John Musker"],
        "actors": ["Scott Weinger", "Robin Williams"],
        "summary": "A street urchin & a lamp.",
        "content_rating": "G",
        "studio": "Walt Disney",
        "guid": "plex://movie/5d776827eb5d26001f1ddab7",
        "imdb_id": "tt0103639",
        "tmdb_id": 812,
        "tvdb_id": 285,
        "added_at": datetime(2015, 12, 15, 2, 39, 55, tzinfo=UTC),
        "updated_at": datetime.fromtimestamp(1709463296, UTC),
        "duration_ms": 5423794,
        "rating": 9.5,
        "audience_rating": 9.2,
        "file_size_bytes": 1639521577,  # the Parts of the first Media only
        "thumb": "/library/metadata/65547/thumb/1709463296",
        "art": None,
        "search_key": "aladdin",
    }
    assert item["added_at"].tzinfo is UTC


def test_episode_hierarchy_and_its_own_ids() -> None:
    item = first(
        '<MediaContainer librarySectionID="5">'
        '<Video ratingKey="57612" parentRatingKey="55320" grandparentRatingKey="55319" type="episode"'
        ' guid="plex://episode/5fbdc9a1bd6a1c002deb79cc" title="Baby Race" grandparentTitle="Bluey (2018)"'
        ' parentTitle="Season 2" index="50" parentIndex="2" year="2023">'
        '<Guid id="imdb://tt13429908"/><Guid id="tmdb://2499236"/><Guid id="tvdb://8031280"/></Video></MediaContainer>'
    )
    assert (item["type"], item["section_key"], item["item_index"], item["parent_index"]) == ("episode", "5", 50, 2)
    assert (item["parent_rating_key"], item["grandparent_rating_key"]) == ("55320", "55319")
    assert (item["parent_title"], item["grandparent_title"]) == ("Season 2", "Bluey (2018)")
    assert (item["imdb_id"], item["tmdb_id"], item["tvdb_id"]) == ("tt13429908", 2499236, 8031280)
    assert item["search_key"] == "baby race | bluey (2018)"  # an episode is found by its show's title too


def test_search_key_folds_accents_and_the_backdrop_is_kept() -> None:
    item = first(
        '<MediaContainer><Directory ratingKey="9" type="show" title="Ōkami Déjà ÆON" art="/library/metadata/9/art/17"'
        ' thumb="/library/metadata/9/thumb/17"/></MediaContainer>'
    )
    assert (item["search_key"], item["art"]) == ("okami deja aeon", "/library/metadata/9/art/17")


def test_legacy_agent_guids() -> None:
    ids = lambda guid: tuple(external_ids([], guid).values())  # noqa: E731
    assert ids("com.plexapp.agents.imdb://tt0072684?lang=en") == ("tt0072684", None, None)
    assert ids("com.plexapp.agents.themoviedb://123?lang=en") == (None, 123, None)
    assert ids("com.plexapp.agents.themoviedb://tt0111161?lang=en") == ("tt0111161", None, None)
    assert ids("com.plexapp.agents.thetvdb://73871?lang=en") == (None, None, 73871)
    # Season and episode guids carry the SHOW's id first: it is not the item's own id.
    assert ids("com.plexapp.agents.thetvdb://73871/2?lang=en") == (None, None, None)
    assert ids("com.plexapp.agents.thetvdb://73871/2/15?lang=en") == (None, None, None)
    assert ids("com.plexapp.agents.themoviedb://1399/1/1?lang=en") == (None, None, None)
    for other in ("local://239918", "com.plexapp.agents.none://abc?lang=xn", "plex://movie/5d77", "", None):
        assert ids(other) == (None, None, None)


def test_guid_children_win_over_legacy_guid() -> None:
    assert external_ids(["tmdb://5"], "com.plexapp.agents.imdb://tt0072684?lang=en") == {
        "imdb_id": None,
        "tmdb_id": 5,
        "tvdb_id": None,
    }
    assert external_ids(["imdb://nonsense", "tmdb://abc", "tvdb://-3", "tvdb://99999999999"], None) == {
        "imdb_id": None,
        "tmdb_id": None,
        "tvdb_id": None,
    }


def test_legacy_episode_from_a_webhook_sample() -> None:
    item = first(
        '<MediaContainer><Video ratingKey="59852" type="episode" title="A Clone of My Own" index="15" parentIndex="2"'
        ' guid="com.plexapp.agents.thetvdb://73871/2/15?lang=en" librarySectionID="2"/></MediaContainer>'
    )
    assert (item["tvdb_id"], item["imdb_id"], item["tmdb_id"]) == (None, None, None)
    assert item["guid"] == "com.plexapp.agents.thetvdb://73871/2/15?lang=en"


def test_missing_fields_default_to_zero_empty_or_none() -> None:
    item = first('<MediaContainer><Directory ratingKey="7" type="show"/></MediaContainer>')
    assert item == {
        "rating_key": "7",
        "section_key": None,
        "type": "show",
        "title": "",
        "parent_title": None,
        "grandparent_title": None,
        "parent_rating_key": None,
        "grandparent_rating_key": None,
        "item_index": 0,
        "parent_index": 0,
        "year": 0,
        "genres": [],
        "directors": [],
        "actors": [],
        "summary": "",
        "content_rating": None,
        "studio": None,
        "guid": None,
        "imdb_id": None,
        "tmdb_id": None,
        "tvdb_id": None,
        "added_at": None,
        "updated_at": None,
        "duration_ms": 0,
        "rating": 0.0,
        "audience_rating": 0.0,
        "file_size_bytes": 0,
        "thumb": None,
        "art": None,
        "search_key": "",
    }


def test_garbage_numbers_are_tolerated() -> None:
    item = first(
        '<MediaContainer><Video ratingKey="9" type="movie" year="NaN" rating="" audienceRating="inf" duration="abc"'
        ' index="1e400" parentIndex="-4" addedAt="garbage" updatedAt="-1" ><Media><Part size="NaN"/><Part size="12.7"/>'
        "<Part/></Media><Genre/></Video></MediaContainer>"
    )
    assert (item["year"], item["rating"], item["audience_rating"], item["duration_ms"]) == (0, 0.0, 0.0, 0)
    assert (item["item_index"], item["parent_index"]) == (0, 0)
    assert (item["added_at"], item["updated_at"]) == (None, None)
    assert item["file_size_bytes"] == 12
    assert item["genres"] == [""]
    assert first('<MediaContainer><Video ratingKey="9" type="movie" year="99999999999"/></MediaContainer>')["year"] == 0
    assert first('<MediaContainer><Video ratingKey="9" type="movie" rating="7.25"/></MediaContainer>')["rating"] == 7.25


def test_unicode_and_escaped_text() -> None:
    title = 'The "Quoted" <Title> & 千と千尋の神隠し 🎬'
    root = etree.Element("MediaContainer")
    etree.SubElement(root, "Video", ratingKey="1", type="movie", title=title, summary="Ça & Là\nsecond line")
    item = first(etree.tostring(root, encoding="utf-8"))  # escaped on the wire, as Plex sends it
    assert item["title"] == title and item["summary"] == "Ça & Là\nsecond line"


def test_oversized_strings_are_clipped_to_their_columns() -> None:
    title, thumb = "x" * 1200, "/" + "t" * 600
    item = first(
        f'<MediaContainer><Video ratingKey="1" type="movie" title="{title}" thumb="{thumb}"/></MediaContainer>'
    )
    assert (len(item["title"]), len(item["thumb"])) == (1000, 512)


def test_non_media_elements_are_skipped() -> None:
    root = etree.fromstring(
        b'<MediaContainer size="4"><Directory ratingKey="1" type="album"/><Video type="movie" title="no key"/>'
        b'<Video ratingKey="3" type="clip"/><Directory ratingKey="4" type="season" index="0" parentTitle="Show"/>'
        b"</MediaContainer>"
    )
    page = parse_page(root, section_key="8")
    assert [(i["rating_key"], i["type"], i["section_key"], i["item_index"]) for i in page.items] == [
        ("4", "season", "8", 0)
    ]
    assert page.total_size == 4  # no totalSize: `size` is the total of an unpaged answer


def test_parse_item_returns_none_for_foreign_types() -> None:
    assert parse_item(etree.fromstring(b'<Track ratingKey="1" type="track"/>'), None) is None


def test_epoch_conversion() -> None:
    assert to_datetime("0") is None and to_datetime(None) is None and to_datetime("99999999999999999") is None
    assert to_datetime("1700000000") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
