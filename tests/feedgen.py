"""Generated RSS 2.0 feeds of any size, for the 10,000-entry test and the benchmark.

Every `relevant_every`-th entry is about the talks (alternating Russian and Kazakh), the rest
are ordinary news; guids, links and dates are distinct, and the same arguments always give the
same bytes. Titles name the feed, so feeds generated apart never share an item.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

START = dt.datetime(2025, 12, 2, 12, 0, tzinfo=dt.UTC)
RELEVANT = (
    ("Казахстан и ЕС: раунд переговоров об упрощении визового режима №{n}",
     "<p>В Брюсселе продолжились переговоры Казахстана и Евросоюза о визах и реадмиссии.</p>"),
    ("Қазақстан мен ЕО визалық режимді жеңілдету жөніндегі келіссөздер №{n}",
     "<p>Брюссельде Қазақстан мен Еуропалық одақтың келіссөздері жалғасты.</p>"),
)  # fmt: skip
OTHER = (
    ("Погода в Астане: сводка №{n}", "<p>Синоптики обещают снег и ветер.</p>"),
    ("Алматыдағы спорт жаңалықтары №{n}", "<p>Жарыс нәтижелері жарияланды.</p>"),
    ("Экономика: курс тенге, выпуск №{n}", "<p>Обзор валютного рынка за день.</p>"),
)


def rss(name: str, entries: int, relevant_every: int = 10, offset: int = 0) -> bytes:
    """An RSS 2.0 document `name` with `entries` items, newest first."""
    items = []
    for i in range(offset + entries - 1, offset - 1, -1):
        pool = RELEVANT if i % relevant_every == 0 else OTHER
        title, body = pool[i % len(pool)]
        when = START + dt.timedelta(minutes=i)
        items.append(
            "<item>"
            f"<title>{escape(title.format(n=f'{i} ({name})'))}</title>"
            f"<link>https://{name}.example.kz/news/{i}</link>"
            f'<guid isPermaLink="false">{name}-{i}</guid>'
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<description>{escape(body)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>https://{name}.example.kz/</link>"
        "<description>generated</description>" + "\n".join(items) + "</channel></rss>"
    ).encode()
