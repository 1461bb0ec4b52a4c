import re
import xml.dom.minidom

import duckdb

from demo.nps_report import load, terminal_table, write_report


def warehouse(path):
    with duckdb.connect(str(path)) as db:
        db.execute("create schema tap_tracksale")
        db.execute("create table tap_tracksale.campaigns (code bigint, name varchar)")
        db.execute(
            "create table tap_tracksale.nps (campaign_code bigint, period_start timestamp, "
            "nps double, promoters bigint, passives bigint, detractors bigint)"
        )
        db.execute("insert into tap_tracksale.campaigns values (101, 'Post-purchase NPS')")
        db.execute(
            "insert into tap_tracksale.nps values "
            "(101, '2026-09-01', 40.0, 6, 2, 2), (101, '2026-10-01', 0, 0, 0, 0), "
            "(102, '2026-10-01', -25.5, 1, 1, 2)"
        )
    return path


def test_nps_per_campaign_and_period_with_empty_periods_left_blank(tmp_path):
    series = load(warehouse(tmp_path / "w.duckdb"))
    assert [p.nps for p in series["Post-purchase NPS"]] == [40.0, None]
    assert series["102"][0].nps == -25.5  # a campaign missing from campaigns keeps its code
    table = terminal_table(series).splitlines()
    assert table[0].split() == ["campaign", "2026-09", "2026-10"]
    row = next(line for line in table if line.startswith("Post-purchase NPS"))
    assert row.split()[-2:] == ["40.0", "-"]


def test_the_html_report_is_one_valid_svg_chart(tmp_path):
    db = warehouse(tmp_path / "w.duckdb")
    write_report(db, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    svg = re.search(r"<svg.*</svg>", page, re.S).group(0)
    xml.dom.minidom.parseString(svg)
    assert page.count("<polyline") == 2
    assert "Post-purchase NPS" in svg
