"""kg.text.reading on real files of every awkward kind a user's folder can hold."""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from conftest import unavailable
from kg.text.reading import (
    EXIT_NOTHING_READ,
    EXIT_OK,
    EXIT_SKIPPED_STRICT,
    Page,
    PageInfo,
    RunReport,
    Skip,
    _BOUNDARY,
    check_page,
    discover,
    iter_page_chunks,
    read_page,
)

DEV_PAGE = Path(__file__).resolve().parent.parent.parent / "shared/corpus/dev/000_09546977b2fce549.txt"

# Written for these tests: a short news paragraph with figures, quotes and
# punctuation that the GBK, GB18030 and UTF-16 codecs all have to get right.
PARAGRAPH = (
    "　　本报讯　今年以来，江西省赣州市邮政分公司围绕乡村振兴，推出“邮农贷”"
    "普惠金融产品，累计发放贷款3.28亿元，同比增长12.5%，服务农户2100余户。\n"
    "该分公司负责人表示：“我们将继续深耕县域市场，让金融活水流向田间地头！”\n"
    "\n"
    "赣州市分公司与当地农业农村局签订战略合作协议，共建“邮政+合作社”服务站点。\n"
)
# The same in traditional characters, for Big5.
PARAGRAPH_BIG5 = "本報訊　今年以來，江西省贛州市郵政分公司圍繞鄉村振興，推出普惠金融產品，累計發放貸款3.28億元。\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_skip(result, fragment: str) -> Skip:
    assert isinstance(result, Skip), result
    assert fragment in result.reason
    assert "\n" not in result.reason
    assert str(result) == f"{result.path}: {result.reason}"
    return result


# ----------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoding, text, expected",
    [
        ("utf-8", PARAGRAPH, "utf-8"),
        ("utf-8-sig", PARAGRAPH, "utf-8-sig"),
        ("gb18030", PARAGRAPH, "gb18030"),
        ("gbk", PARAGRAPH, "gb18030"),  # GB18030 is a superset of GBK
        ("utf-16", PARAGRAPH, "utf-16"),  # BOM, native order
        ("utf-16-be", "\ufeff" + PARAGRAPH, "utf-16"),  # BOM, big-endian
        ("utf-32", PARAGRAPH, "utf-32"),
        ("big5", PARAGRAPH_BIG5, "big5"),
        ("utf-16-le", PARAGRAPH, "utf-16-le"),  # no BOM: NULs on one parity only
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path, encoding, text, expected):
    path = write(tmp_path, "page.txt", text.encode(encoding))
    page = read_page(path)
    assert isinstance(page, Page), page
    assert page.text == text.lstrip("\ufeff")
    assert page.encoding == expected
    assert page.path == path
    assert len(page.sha1) == 40


def test_dev_page_reads_as_utf8():
    if not DEV_PAGE.exists():
        unavailable(f"{DEV_PAGE} is missing (CI clones main with shared/ beside it)")
    page = read_page(DEV_PAGE)
    assert isinstance(page, Page)
    assert page.encoding == "utf-8"
    assert "达州市分公司" in page.text


# ------------------------------------------------------------- skip reasons


def test_empty_file(tmp_path):
    assert_skip(read_page(write(tmp_path, "a.txt", b"")), "empty file")


@pytest.mark.parametrize("data", [b" \n\t\r\n", " \u3000\n".encode(), "\u3000\n".encode("gb18030"),
                                  "  \n".encode("utf-16")])
def test_whitespace_only(tmp_path, data):
    result = read_page(write(tmp_path, "a.txt", data))
    assert isinstance(result, Skip)
    # GB18030's full-width space alone is too little for detection to be sure.
    assert "only whitespace" in result.reason or "undecodable" in result.reason


def _png() -> bytes:
    import zlib

    raw = b"\x00\xff\x00\x00"
    chunk = lambda kind, body: (len(body).to_bytes(4, "big") + kind + body
                                + zlib.crc32(kind + body).to_bytes(4, "big"))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", PARAGRAPH)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (_png(), "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(64), "JPEG"),
        (_zip(), "ZIP"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "executable"),
        ("中文".encode() + b"\x00\x01\x02\x03\x00\x00\xfe" * 20, "NUL bytes"),
    ],
)
def test_binary_files(tmp_path, data, kind):
    result = assert_skip(read_page(write(tmp_path, "renamed.txt", data)), "binary file")
    assert kind in result.reason


def test_no_chinese(tmp_path):
    path = write(tmp_path, "en.txt", b"Postal Savings Bank of China reported record deposits.\n")
    assert_skip(read_page(path), "no Chinese characters")


def test_undecodable(tmp_path):
    data = PARAGRAPH.encode("utf-8") + b"\xff\xff\x80\x80" + PARAGRAPH.encode("utf-8")
    assert_skip(read_page(write(tmp_path, "bad.txt", data)), "undecodable")


def test_missing_file(tmp_path):
    assert_skip(read_page(tmp_path / "nope.txt"), "no such file")


def test_folder_named_like_a_file(tmp_path):
    (tmp_path / "page.txt").mkdir()
    assert_skip(read_page(tmp_path / "page.txt"), "is a folder")


def test_fifo_is_skipped_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes; this must not.
    assert_skip(read_page(fifo), "named pipe")
    assert_skip(check_page(fifo), "named pipe")
    with pytest.raises(InputError, match="named pipe"):
        list(iter_page_chunks(fifo, encoding="utf-8"))


def test_vanished_between_discovery_and_read(tmp_path):
    for name in ("a.txt", "b.txt"):
        write(tmp_path, name, PARAGRAPH.encode())
    found = discover([tmp_path])
    first = next(found)
    (tmp_path / "b.txt").unlink()
    second = next(found)
    assert isinstance(read_page(first), Page)
    assert_skip(read_page(second), "no such file")


def _read_as_nobody(paths: list[Path]) -> list[str]:
    """read_page in a forked child that has dropped root, so file modes apply."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 1
        try:
            os.close(rfd)
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            out = "\n".join(getattr(read_page(p), "reason", "PAGE") for p in paths)
            os.write(wfd, out.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as r:
        out = r.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return out.split("\n")


def test_unreadable_for_permissions(tmp_path):
    if os.geteuid() != 0:
        path = write(tmp_path, "secret.txt", PARAGRAPH.encode())
        path.chmod(0o000)
        assert_skip(read_page(path), "permission denied")
        return
    # root reads anything, so a child drops to nobody; the folder is one
    # nobody may enter, so only the file's own mode can refuse it.
    folder = Path(tempfile.mkdtemp(prefix="kg-perm-"))
    try:
        folder.chmod(0o711)
        secret = write(folder, "secret.txt", PARAGRAPH.encode())
        secret.chmod(0o000)
        public = write(folder, "public.txt", PARAGRAPH.encode())
        public.chmod(0o644)
        assert _read_as_nobody([secret, public]) == ["cannot be read: permission denied", "PAGE"]
    finally:
        import shutil

        shutil.rmtree(folder)


# ----------------------------------------------------------------- discovery


def test_discover_order_recursion_and_filtering(tmp_path):
    for rel in ["b.txt", "a.txt", "sub/z.txt", "sub/deeper/c.TXT", "sub/notes.md",
                ".hidden/x.txt", ".swap.txt", "a2/img.png", "c.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(PARAGRAPH.encode())
    single = write(tmp_path, "single.dat", PARAGRAPH.encode())
    found = list(discover([tmp_path / "sub", single, tmp_path, tmp_path / "missing.txt"]))
    rel = [str(p.relative_to(tmp_path)) for p in found]
    assert rel == [
        "sub/deeper/c.TXT", "sub/z.txt",  # the first input, walked in sorted order
        "single.dat",  # a file given by name is read whatever its suffix
        "a.txt", "b.txt", "c.txt",  # sub/ files already yielded: not again
        "missing.txt",  # reported later by read_page
    ]


def test_discover_streams(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write(tmp_path / "one", "a.txt", PARAGRAPH.encode())
    found = discover([tmp_path / "one", tmp_path / "two"])
    assert next(found).name == "a.txt"
    # "two" is only listed when reached, so a file added now is still found.
    write(tmp_path / "two", "late.txt", PARAGRAPH.encode())
    assert [p.name for p in found] == ["late.txt"]


def test_discover_does_not_follow_symlinked_folder_loops(tmp_path):
    write(tmp_path, "a.txt", PARAGRAPH.encode())
    (tmp_path / "loop").symlink_to(tmp_path)
    assert [p.name for p in discover([tmp_path])] == ["a.txt"]


# ------------------------------------------------------------------ chunking


def _big_text(n_paragraphs: int) -> str:
    lines = []
    for i in range(n_paragraphs):
        lines.append(PARAGRAPH.replace("3.28", f"{i}.28"))
        if i % 7 == 0:
            lines.append("没有句号结尾的标题行\n")
    return "".join(lines)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "utf-8-sig"])
def test_chunks_concatenate_to_the_full_text(tmp_path, encoding):
    text = _big_text(6000)  # about 1.3 M characters, 2-4 MB on disk
    path = write(tmp_path, "big.txt", text.encode(encoding))
    page = read_page(path)
    assert isinstance(page, Page) and page.text == text.lstrip("\ufeff")
    target = 50_000
    chunks = list(iter_page_chunks(path, target_chars=target))
    assert "".join(chunks) == page.text
    assert len(chunks) > 10
    for chunk in chunks[:-1]:
        assert target // 2 <= len(chunk) <= 4 * target
        tail = chunk[-8:]
        assert _BOUNDARY.search(tail) and chunk.endswith("\n"), repr(tail)


def test_chunks_without_paragraph_breaks_are_still_bounded(tmp_path):
    text = "邮政储蓄银行" * 100_000  # one 600 000-character line
    path = write(tmp_path, "oneline.txt", text.encode("gb18030"))
    chunks = list(iter_page_chunks(path, target_chars=20_000))
    assert "".join(chunks) == text
    assert max(map(len, chunks)) <= 80_000


def test_check_page_then_chunks_with_known_encoding(tmp_path):
    path = write(tmp_path, "p.txt", PARAGRAPH.encode("gb18030") * 3)
    info = check_page(path)
    assert isinstance(info, PageInfo) and info.encoding == "gb18030" and info.size == path.stat().st_size
    assert "".join(iter_page_chunks(path, encoding=info.encoding, target_chars=10)) == PARAGRAPH * 3


def test_chunks_raise_input_error_for_bad_files(tmp_path):
    with pytest.raises(InputError, match="binary file"):
        list(iter_page_chunks(write(tmp_path, "x.txt", b"%PDF-1.4 ...")))
    # Detection trusts the first 64 KB; bad bytes further on end the stream with a clear error.
    data = PARAGRAPH.encode() * 600 + b"\xff\xfe\xfd" + PARAGRAPH.encode()
    bad = write(tmp_path, "late_bad.txt", data)
    with pytest.raises(InputError, match=r"late_bad.txt: undecodable: not valid utf-8 near byte \d+"):
        list(iter_page_chunks(bad, target_chars=1000))


# ---------------------------------------------------------------- RunReport


def test_run_report_exit_codes_and_summary(tmp_path):
    ok = write(tmp_path, "ok.txt", PARAGRAPH.encode())
    empty = write(tmp_path, "empty.txt", b"")

    report = RunReport()
    assert report.exit_code() == EXIT_NOTHING_READ
    assert report.summary_lines() == ["No input files found (folders are searched for *.txt and *.pdf)."]

    report.add(read_page(empty))
    assert report.exit_code() == EXIT_NOTHING_READ  # nothing could be read
    assert report.exit_code(strict=True) == EXIT_NOTHING_READ

    report.add(read_page(ok))
    assert report.exit_code() == EXIT_OK  # a skip alone is not a failure...
    assert report.exit_code(strict=True) == EXIT_SKIPPED_STRICT  # ...unless strict
    assert report.summary_lines() == ["Read 1 of 2 files; skipped 1.", f"  {empty}: empty file"]

    clean = RunReport()
    clean.add(read_page(ok))
    assert clean.exit_code(strict=True) == EXIT_OK
    clean.skip(ok, "undecodable near byte 9")
    assert clean.processed == 1 and clean.skipped[-1].reason == "undecodable near byte 9"


def test_run_report_lists_at_most_max_listed():
    report = RunReport()
    for i in range(5):
        report.skip(f"f{i}.txt", "empty file")
    lines = report.summary_lines(max_listed=2)
    assert lines[1:] == ["  f0.txt: empty file", "  f1.txt: empty file", "  … and 3 more skipped"]


# ---------------------------------------------------------------- properties

_PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"%PDF-", b"PK\x03\x04"]
_ENCODINGS = ["utf-8", "gb18030", "big5", "utf-16-le", "utf-16-be", "utf-32-le"]

page_bytes = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.sampled_from(_PREFIXES), st.binary(max_size=500)).map(lambda t: t[0] + t[1]),
    st.tuples(st.text(max_size=300), st.sampled_from(_ENCODINGS), st.binary(max_size=4)).map(
        lambda t: t[0].encode(t[1], "replace") + t[2]),
    st.tuples(st.sampled_from(_PREFIXES), st.text(alphabet=st.characters(min_codepoint=0x4e00, max_codepoint=0x4e80) | st.sampled_from("，。\n 1"), max_size=200),
              st.sampled_from(_ENCODINGS)).map(lambda t: t[0] + t[1].encode(t[2], "replace")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_bytes)
def test_read_page_never_raises(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.txt"
        path.write_bytes(data)
        result = read_page(path)
        assert isinstance(result, (Page, Skip))
        if isinstance(result, Skip):
            assert result.reason and "\n" not in result.reason
            assert isinstance(check_page(path), Skip)
        else:
            # Small files: the head checks agree, and streaming gives the same text.
            assert isinstance(check_page(path), PageInfo)
            assert "".join(iter_page_chunks(path, target_chars=7)) == result.text


def test_detection_is_not_fooled_by_a_long_ascii_preamble(tmp_path):
    data = b"ISSUE 2023-03-25 PAGE 3\n" * 4000 + PARAGRAPH.encode("gb18030")  # ~96 KB of ASCII first
    page = read_page(write(tmp_path, "p.txt", data))
    assert isinstance(page, Page) and page.encoding == "gb18030"
    assert page.text.endswith(PARAGRAPH)


# ------------------------------------------------- stray bytes (issue 17 item 12)


@pytest.mark.parametrize("stray, reason", [
    (b"\xff", "undecodable: not valid UTF-8 at byte 300; --lenient replaces the bad bytes"),
    (b"\x00", "binary file (NUL byte at byte 300), not text; --lenient reads the rest"),
])
def test_one_stray_byte_names_its_offset_and_lenient_reads_the_rest(tmp_path, stray, reason):
    good = (Path(__file__).resolve().parent.parent / "examples" / "sample_page.txt").read_bytes()
    path = write(tmp_path, "a.txt", good[:300] + stray + good[300:])
    assert_skip(read_page(path), reason)
    page = read_page(path, lenient=True)
    assert isinstance(page, Page) and (page.replaced, page.first_bad) == (1, 300)
    assert page.text == good[:300].decode() + "\ufffd" + good[300:].decode()
    info = check_page(path, lenient=True)
    assert not isinstance(info, Skip)
    assert "".join(iter_page_chunks(path, target_chars=500, lenient=True)) == page.text


def test_lenient_extract_reads_the_page_and_says_so(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    good = (Path(__file__).resolve().parent.parent / "examples" / "sample_page.txt").read_bytes()
    write(tmp_path, "a.txt", good[:300] + b"\xff" + good[300:])
    strict = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--quiet"])
    assert strict.exit_code == 1 and json.loads(strict.stdout)["skipped"].endswith("--lenient replaces the bad bytes")
    lenient = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "--quiet", "--lenient"])
    assert lenient.exit_code == 0
    record = json.loads(lenient.stdout)
    assert record["skipped"] is None and len(record["entities"]) >= 5
    assert record["lenient"] == "1 undecodable byte(s) read as U+FFFD, the first at byte 300"
    assert f"warning: {tmp_path / 'a.txt'}: 1 undecodable byte(s) read as U+FFFD" in lenient.stderr


def test_a_gb18030_page_is_still_detected_not_taken_for_damaged_utf8(tmp_path):
    text = (Path(__file__).resolve().parent.parent / "examples" / "sample_page.txt").read_text(encoding="utf-8")
    page = read_page(write(tmp_path, "gb.txt", text.encode("gb18030")))
    assert isinstance(page, Page) and page.encoding == "gb18030" and page.text == text
