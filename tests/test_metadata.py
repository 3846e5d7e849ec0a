from __future__ import annotations

import datetime as dt

import pytest

from pipeline.ingest import ingest
from pipeline.metadata import extract_metadata, report_year
from tests.conftest import REPORTS, manifest


def test_seed_metadata(seed):
    meta = seed.document.meta
    assert meta.region == "新乡市"
    assert meta.level == "city"
    assert meta.province == "河南省"
    assert meta.year == 2025
    assert meta.speaker == "魏建平"
    assert meta.speaker_title == "市长"
    assert meta.delivered_on == dt.date(2025, 2, 9)
    assert meta.meeting == "新乡市第十四届人民代表大会第三次会议"


@pytest.mark.parametrize("row", manifest(), ids=lambda r: r["path"])
def test_metadata_matches_manifest(row):
    path = REPORTS.parent / row["path"]
    meta = extract_metadata(ingest(path.read_bytes(), str(path)))
    assert (meta.region, meta.level, meta.year) == (row["region"], row["level"], int(row["year"]))


@pytest.mark.parametrize(
    ("delivered", "year"),
    [
        (dt.date(2023, 12, 31), 2024),
        (dt.date(2016, 11, 25), 2017),
        (dt.date(2024, 1, 23), 2024),
        (dt.date(2020, 5, 22), 2020),
    ],
)
def test_report_year_is_the_year_whose_goals_are_set(delivered, year):
    assert report_year(delivered) == year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "——二〇一六年一月二十五日在河南省第十二届人民代表大会第五次会议上\n河南省人民政府省长 谢伏瞻\n各位代表:\n",
            ("河南省", "province", 2016, "谢伏瞻", "省长"),
        ),
        (
            "——2014年1月12日在州七届人大四次会议上\n州长 杨天然\n各位代表:\n",
            (None, None, 2014, "杨天然", "州长"),
        ),
        (
            "——2021年2月1日在新疆维吾尔自治区第十三届人民代表大会第四次会议上\n自治区主席雪克来提·扎克尔\n",
            ("新疆维吾尔自治区", "province", 2021, "雪克来提·扎克尔", "主席"),
        ),
        (
            "——2013年12月28日在天水市第六届人民代表大会第三次会议上\n天水市市长 杨维俊\n",
            ("天水市", "city", 2014, "杨维俊", "市长"),
        ),
        (
            "政府工作报告——2014年3月5日在第十二届全国人民代表大会第二次会议上国务院总理 李克强各位代表:",
            ("国务院", "national", 2014, "李克强", "总理"),
        ),
    ],
)
def test_dateline_and_speaker(text, expected):
    meta = extract_metadata(ingest(text.encode(), "report.txt"))
    assert (meta.region, meta.level, meta.year, meta.speaker, meta.speaker_title) == expected


def test_prefecture_naming_itself_by_short_form():
    text = "---\ntitle: 恩施州政府工作报告 (2014年1月12日 杨天然)\n---\n——2014年1月12日在州七届人大四次会议上\n州长 杨天然\n"
    meta = extract_metadata(ingest(text.encode(), "x.md"))
    assert meta.region == "恩施土家族苗族自治州" and meta.level == "city"
