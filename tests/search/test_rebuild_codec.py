"""The rebuild's codec writes the same postings, block statistics included, as Whoosh's."""

from __future__ import annotations

import random

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher

from app.search.rebuild import RebuildCodec
from app.search.schema import build_schema

WORDS = "learning library public garden reading circle skills digital adults".split()


def _index(path, codec):
    ix = whoosh_index.create_in(str(path), build_schema())
    rng = random.Random(9)
    writer = ix.writer(codec=codec)
    for n in range(400):  # enough for several posting blocks per common word
        writer.add_document(id=str(n), lang="en", title_en=" ".join(rng.choices(WORDS, k=3)),
                            text_en=" ".join(rng.choices(WORDS, k=rng.randint(1, 300))))
    writer.commit()
    return ix


def _blocks(ix):
    """Per term: each posting block's last document, length bounds and top weight."""
    out = {}
    with ix.searcher() as s:
        reader = s.reader()
        for fieldname, btext in reader.all_terms():
            m = reader.postings(fieldname, btext)
            blocks = []
            while isinstance(m, W3LeafMatcher):
                blocks.append((m.block_max_id(), m.block_min_length(), m.block_max_length(),
                               m.block_max_weight()))
                if m._lastblock:  # noqa: SLF001
                    break
                m._goto(m._nextoffset)  # noqa: SLF001
            out[(fieldname, btext)] = blocks
    return out


def test_rebuild_codec_writes_what_whoosh_writes(tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours = _index(tmp_path / "ours", RebuildCodec(compression=0))
    theirs = _index(tmp_path / "theirs", W3Codec(compression=0))
    assert type(ours._segments()[0].codec()) is RebuildCodec  # noqa: SLF001
    mine, whoosh = _blocks(ours), _blocks(theirs)
    assert mine == whoosh
    assert any(len(blocks) > 1 for blocks in mine.values())
    assert any(low != high for blocks in mine.values() for _m, low, high, _w in blocks)
