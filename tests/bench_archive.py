"""Query-side benchmark of the archive on a synthetic corpus: ``python -m tests.bench_archive``.

What it measures
    1. **Data.** N synthetic articles (``--articles``, default 200,000), the same on every run
       (fixed seed per batch of 5,000). Rudaw-like shares: English 50 %, Sorani 25 %, Arabic
       12 %, Kurmanci 8 %, Turkish 5 %; ``rudaw`` 90 %, ``kurdistan24`` 10 %; ~12 sections,
       0-2 authors of 200, published 2015-2026. Bodies of 150-1,500 words (log-normal, median
       ~500) in ``\\n``-joined paragraphs with sentences and punctuation. Words are drawn with
       a Zipf law from vocabularies ranked by real frequency: English from the shared
       article-extraction-benchmark ground truth, the others from ``tests/fixtures/sites``
       topped up with the hand-written ``HAND_WORDS``.
    2. **Load.** A fresh migrated SQLite file and PostgreSQL database, filled with Core
       ``insert(articles)`` executemany, one transaction per 5,000 rows, indexed as in
       production (FTS5 triggers; generated ``search_vector`` with its GIN index). ``load s``
       counts those transactions only; the post-load step (WAL checkpoint; ``VACUUM
       ANALYZE``) is timed apart. Both are kept (``--cache-dir`` file, database
       ``ingest_bench_archive_<N>_v<VERSION>``) and reused while N, ``VERSION`` and the
       migration head match; ``--rebuild`` rebuilds them. A cached backend shows the load
       figures of the run that built it.
    3. **Search.** 24 queries (English words from common to rare, AND, phrase, OR, NOT,
       Sorani, Sorani typed with Arabic ي/ك, Arabic, Kurmanci, Turkish, Turkish İ, and some
       with filters), each through ``queries.search(connection, q, filters, limit=20)`` on
       a fresh session's connection: 1 warm-up and 5 timed runs per backend. ``matches`` is how many
       articles match in all (an untimed COUNT with the same WHERE): every match is ranked
       before the top 20 are kept. ``snip`` is the Python time of the 20 snippets.
    4. **Export.** The real CLI in a subprocess, ``ingest --db URL export --format F`` (jsonl
       to /dev/null, csv and parquet to a temporary file), timed from spawn to exit;
       ``art/s`` is N over that time, ``net art/s`` N over it less the CLI's start-up
       (``ingest --help``). The reference, measured in the same run: ``raw read s``, the
       exported columns read through the bare driver and dropped (``raw_read_seconds``);
       ``x raw read`` is the export's time over it. ``peak RSS`` is the child's ``ru_maxrss``, reaped by a small
       interpreter (``MEASURER``) so that this benchmark's memory is not counted in it;
       ``RSS 1st/2nd half`` are the largest VmRSS samples (every 0.2 s) in each half of the
       run: equal halves mean memory stays flat as rows stream.
    5. **Operator commands.** ``ingest stats``, ``ingest list --limit 20`` and ``ingest runs``
       through the CLI, the better of two runs, start-up included.
    6. **Start-up.** ``ingest --help`` and a small search, ``ingest --db URL search WORD
       --limit 3`` with the rare word of the search set, through the CLI, the fastest of
       ``STARTUP_RUNS``: what a person waits for a command typed by hand, nearly all of it
       the interpreter's start-up and the CLI's imports.

How to read it
    Times are wall-clock milliseconds (search) or seconds. Targets, printed as MET or NOT
    MET: search median < 50 ms for each backend; export > 20,000 articles/s for every
    backend and format; the small search on SQLite < 0.3 s. ``--json FILE`` writes every figure, with the plans of the three
    slowest queries per backend (EXPLAIN QUERY PLAN; EXPLAIN ANALYZE). ``--skip-postgres`` and
    ``--skip-sqlite`` leave a backend out; ``--search-only`` leaves out export and operator
    commands. ``check:`` lines flag the backends disagreeing on a match count, a spelling variant
    finding other articles than its canonical form, and queries that find nothing.

Run time (2 cores)
    At 200,000 articles a cold run (nothing cached) took 9 min on the last machine measured
    (17 min on a slower one): the load 6 min of it (PostgreSQL's generated ``search_vector``
    and GIN index ~4 min, SQLite's FTS5 triggers ~2 min), search ~1.2 min, export ~1 min.
    A run on the cached archives takes ~2-3 min.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import html as lxml_html
from sqlalchemy import event, func, insert, literal, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.engine import make_url

from ingest.records import ARTICLE_FIELDS
from ingest.storage import fulltext, migrate, queries
from ingest.storage.models import Article
from ingest.storage.repository import content_hash
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITES = REPO_ROOT / "tests" / "fixtures" / "sites"
CORPUS_NAME = "article-extraction-benchmark"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

#: Bump whenever the generated data or a migration changes (even in place), so that caches
#: built by older code are rebuilt. 2: İ/ı folding edited into migration 5c2e1d7a9b30.
VERSION = 3
SEED = 20261125
DEFAULT_ARTICLES = 200_000
BATCH = 5000
#: Batches the generator process may run ahead of the loading.
PREFETCH = 2
WARMUP_RUNS = 1
TIMED_RUNS = 5
SEARCH_LIMIT = 20
SEARCH_MEDIAN_TARGET_MS = 50.0
EXPORT_TARGET_PER_S = 20_000
#: A small search typed by hand, start-up included, on SQLite (``ingest search WORD --limit 3``).
SMALL_SEARCH_TARGET_S = 0.3
#: Runs of each start-up measurement; the fastest counts (the others waited on the machine).
STARTUP_RUNS = 5
RSS_SAMPLE_S = 0.2
#: A language with fewer distinct words than this in real text gets the hand-written list too.
MIN_REAL_VOCABULARY = 1000
ZIPF_EXPONENT = 1.0

BODY_MEDIAN_WORDS = 500
BODY_SIGMA = 0.55
BODY_MIN_WORDS, BODY_MAX_WORDS = 150, 1500
PARAGRAPH_MIN, PARAGRAPH_MAX = 30, 120
SENTENCE_MIN, SENTENCE_MAX = 8, 24
TITLE_MIN, TITLE_MAX = 6, 14
PUBLISHED_FROM = datetime(2015, 1, 1, tzinfo=UTC)
PUBLISHED_TO = datetime(2026, 11, 1, tzinfo=UTC)


class BenchFailed(Exception):
    """A phase failed; the message says which and why."""


# -- languages and vocabularies -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Language:
    edition: str
    code: str
    share: float
    script: str  # "latin" or "arabic"


LANGUAGES = (
    Language("english", "en", 0.50, "latin"),
    Language("sorani", "ckb", 0.25, "arabic"),
    Language("arabic", "ar", 0.12, "arabic"),
    Language("kurmanci", "ku", 0.08, "latin"),
    Language("turkish", "tr", 0.05, "latin"),
)
SITES = (("rudaw", 0.9), ("kurdistan24", 0.1))
SECTIONS = (
    ("Kurdistan", 24),
    ("Iraq", 16),
    ("Middle East", 12),
    ("World", 8),
    ("Business", 8),
    ("Politics", 7),
    ("Culture", 5),
    ("Sports", 5),
    ("Health", 4),
    ("Opinion", 4),
    ("Interview", 4),
    ("Science", 3),
)
FIRST_NAMES = (
    "Hawre Sherko Karwan Dilan Rebwar Shwan Hemin Azad Bahar Nazdar Rozh Lana Shilan Kamaran"
    " Goran Hiwa Aso Zana Berivan Jiyan Soran Dara Sarbast Nawzad Ari Hardi Alan Kovan Nechirvan"
    " Halgurd Shaho Rawand Lawin Payam Hana Tara Avin Zhino Chiman Ahmed Mohammed Ali Omar"
    " Yasin Layla Sara Mustafa Ibrahim Khalid Fatma Emre Zeynep"
)
LAST_NAMES = (
    "Hama Hasan Aziz Jamal Karim Salih Qadir Mahmud Rashid Osman Barzani Talabani Amin Baban"
    " Sindi Zebari Hawrami Mukriani Kurdi Rahman Faraj Sabir Ismail Tahir Nuri Abdullah"
    " Yilmaz Demir Ahmadi Saleh"
)
AUTHOR_POOL = 200
ENGLISH_MARKERS = frozenset({"the", "and", "of", "to", "in", "is"})
ENGLISH_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
ARABIC_LETTERS = re.compile(r"^[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+$")
LATIN_LETTERS = re.compile(r"^[A-Za-z\u00c0-\u024f'’]+$")
SORANI_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
ARABIC_FORMS = str.maketrans({"ی": "ي", "ک": "ك"})

#: Common words per language, written by hand, added after the fixtures' own words.
HAND_WORDS = {
    "ckb": """
        و لە بە بۆ کە ئەو ئەم لەگەڵ هەروەها بەڵام یان تا هەموو زۆر دوای پێش نێوان سەر ژێر ناو
        دەرەوە ئێستا ئەمڕۆ دوێنێ سبەی ساڵ ساڵی مانگ ڕۆژ ڕۆژی هەفتە کاتژمێر حکومەت حکومەتی
        هەرێم هەرێمی کوردستان عێراق بەغدا هەولێر سلێمانی دهۆک هەڵەبجە کەرکووک موسڵ سووریا
        ئێران تورکیا ئەمریکا ئەوروپا ڕووسیا وڵات وڵاتی خەڵک خەڵکی پەرلەمان پەرلەمانی وەزیر
        وەزیری وەزارەت وەزارەتی سەرۆک سەرۆکی سەرۆکایەتی ئەنجومەن ئەنجومەنی حزب پارتی یەکێتی
        گۆڕان هەڵبژاردن هەڵبژاردنی دەنگدان یاسا یاسای بودجە بودجەی مووچە مووچەی نەوت نەوتی
        گاز کارەبا ئاو ئاوی باران بەفر کشتوکاڵ جووتیار بازاڕ بازرگانی ئابووری دۆلار دینار
        بانک کۆمپانیا کۆمپانیای پڕۆژە پڕۆژەی قوتابخانە زانکۆ زانکۆی خوێندکار مامۆستا
        مامۆستایان نەخۆشخانە نەخۆشخانەی پزیشک تەندروستی نەخۆشی هێز هێزی هێزەکانی پێشمەرگە
        پۆلیس ئاسایش سوپا شەڕ هێرش هێرشی کوژران بریندار دەستگیر دادگا دادگای سزا ئازاد
        ئازادی ماف مافی ئافرەت ئافرەتان منداڵ منداڵان گەنج گەنجان خێزان ماڵ شار شاری گوند
        گوندی ناوچە ناوچەی سنوور سنووری ڕێگا ڕێگای فڕۆکەخانە گەشتیار گەشتیاری وەرزش یاری یانە
        تیپی تۆپی هونەر هونەرمەند گۆرانی فیلم کتێب کتێبی ڕۆژنامە ڕۆژنامەنووس میدیا تەلەفزیۆن
        ڕاگەیاند ڕایگەیاند وتی گوتی دەڵێت کرد دەکات دەکرێت کراوە بوو بووە دەبێت هەیە نییە بێت
        نەبوو دەیەوێت توانی دەتوانێت هات دێت چوو دەچێت دا دەدات درا گەیشت کۆبوونەوە
        کۆبوونەوەی دانوستان ڕێککەوتن ڕێککەوتنی پرسی کێشە کێشەی چارەسەر گفتوگۆ بڕیار بڕیاری
        پلان بەرنامە بەرنامەی ژمارە ژمارەی ملیۆن هەزار سەد یەک دوو سێ چوار پێنج یەکەم دووەم
        نوێ کۆن گەورە بچووک باش خراپ گرنگ کەمتر نزیک دوور تایبەت گشتی نێودەوڵەتی ناوخۆ
        ناوخۆیی هاوڵاتی هاوڵاتیان کۆمەڵگە کۆمەڵایەتی سیاسی سیاسەت سەربازی ئەمنی دیموکراسی
        دەستوور فیدراڵ هاوپەیمانی نەتەوە یەکگرتووەکان ڕێکخراو ڕێکخراوی پەنابەر ئاوارە کەمپ
        هاوکاری یارمەتی پشتگیری داوا داوای وەڵام ڕاپۆرت ڕاپۆرتی زانیاری سەرچاوە بەرپرس
        بەرپرسی فەرمانگە بەڕێوەبەر بەڕێوەبەرایەتی پارێزگا پارێزگای پارێزگار قایمقام ئیدارە
        کارمەند کارمەندان کار کاری بێکاری هەژاری نرخ نرخی گرانی بەرهەم هەناردە هاوردە گومرگ
        باج داهات داهاتی کورد کوردی زمان مێژوو کولتوور چیا شەو بەیانی ئێوارە زستان هاوین
        پاییز بەهار گەرم سارد خۆش ئاسان قورس دیسان هێشتا ئیتر زوو درەنگ کەس کەسێک شت شوێن
        لایەن کۆتایی سەرەتا فێستیڤاڵ پێشانگە چالاکی ئاهەنگ
    """,
    "ar": """
        في من إلى على أن عن مع التي الذي هذا هذه ذلك كان كانت قد لا لم لن ما وقد وقال قال
        قالت أكد أعلن أشار أضاف بين بعد قبل خلال حتى حول ضد عند منذ كل بعض أي غير أكثر أقل
        أيضا الآن اليوم أمس العام عام سنة شهر يوم الأسبوع الساعة الحكومة حكومة رئيس الرئيس
        الوزراء وزير وزارة الوزير البرلمان مجلس النواب الشعب الدولة دولة العراق العراقية
        العراقي بغداد أربيل السليمانية دهوك كركوك الموصل البصرة النجف الأنبار إقليم كوردستان
        الإقليم سوريا إيران تركيا الولايات المتحدة الأمريكية روسيا أوروبا الأمم الاتحاد
        الأوروبي الشرق الأوسط العربية العربي الكوردية الكورد الأحزاب الحزب الديمقراطي
        الوطني الانتخابات انتخابات التصويت القانون قانون الدستور الموازنة الرواتب رواتب النفط
        نفط الغاز الكهرباء المياه الزراعة الفلاحين الاقتصاد الاقتصادية السوق الأسعار الدولار
        الدينار البنك المركزي الشركة الشركات المشروع مشروع المشاريع الاستثمار التجارة النقل
        المطار الطريق الطرق المدينة المدن القرية المنطقة المناطق الحدود الحدودية الأمن
        الأمنية القوات قوات الجيش الشرطة البيشمركة الحشد الشعبي داعش تنظيم الإرهاب هجوم
        الهجوم انفجار قتل مقتل إصابة جرحى اعتقال المحكمة القضاء السجن الحرية حقوق الإنسان
        المرأة النساء الأطفال الشباب العائلات اللاجئين النازحين المخيمات المساعدات الإنسانية
        الصحة الصحية المستشفى الأطباء المرض فيروس كورونا التعليم المدارس الجامعة الطلاب
        المعلمين الثقافة الثقافية الفن الفنان الموسيقى الكتاب معرض مهرجان الرياضة الرياضية
        كرة القدم المنتخب النادي المباراة الدوري الفوز الإعلام الصحفي الصحفيين قناة شبكة
        تقرير مصدر مصادر مسؤول المسؤولين بيان مؤتمر صحفي اجتماع زيارة وفد اتفاق الاتفاق
        المفاوضات الحوار الأزمة المشكلة الحل القرار قرار خطة برنامج عدد نحو ألف مليون مليار
        واحد اثنين ثلاثة الأول الثاني الجديد الجديدة الكبير كبيرة مهم المهمة الدولي الدولية
        المحلية العامة الخاصة السياسي السياسية العسكرية الاجتماعية بشكل خاص حيث إذ كما لكن
        إلا إذا لأن بسبب ضمن عبر لدى دون يجب يمكن يتم تم جاء جرى أجل وفق وفقا لها له هم هو
        هي نحن الذين وكان وأن وفي ومن والتي للمرة الأولى الماضي الماضية المقبل المقبلة
        الحالي الحالية
    """,
    "ku": """
        û li ji bi di de ku ew ev wî wê wan me we min te ez tu em hûn ne na jî re ra da ser bo
        ber nav navbera piştî berî heta her hemû gelek hin çend tenê lê an yan eger heke çimkî
        wekî mîna îro duh sibê niha sal salê salan meh mehê roj rojê rojên hefte demjimêr dem
        car hikûmet hikûmeta herêm herêma Kurdistan Kurdistanê Iraq Iraqê Bexda Bexdayê Hewlêr
        Hewlêrê Silêmanî Duhok Duhokê Kerkûk Mûsil Sûriye Sûriyeyê Îran Tirkiye Tirkiyeyê
        Amerîka Ewropa Rûsya welat welatê welatên gel gelê xelk parlamento wezîr wezîrê wezaret
        serok serokê serokatiya encûmen partî partiya hilbijartin hilbijartinê deng qanûn qanûna
        budçe moçe petrol petrolê gaz elektrîk av ava baran berf çandinî cotkar bazar bazirganî
        aborî aboriya dolar dînar bank şîrket proje projeya dibistan zanîngeh zanîngeha
        xwendekar mamoste nexweşxane bijîşk tendirustî nexweşî hêz hêzên pêşmerge polîs leşker
        artêş şer êrîş êrîşa bombe kuştin birîndar girtin dadgeh ceza azad azadî maf mafê jin
        jinan zarok zarokan ciwan ciwanan malbat mal bajar bajarê gund gundê sînor sînorê rê
        rêya balafirgeh geştyar werziş yarî tîm tîma hunermend huner stran fîlm pirtûk pirtûka
        rojname rojnamevan medya televizyon ragihand got dibêje kir dike bû bûye dibe heye tune
        nîne hat tê çû diçe dide gihîşt civîn civîna danûstandin peyman peymana pirs pirsgirêk
        çareserî gotûbêj biryar biryara plan bername hejmar hejmara milyon hezar sed yek du sê
        çar pênc yekem duyem nû kevn mezin biçûk baş xirab girîng zêdetir kêmtir nêzîk dûr
        taybet giştî navneteweyî navxweyî welatî welatiyan civak civakî siyasî siyaset leşkerî
        ewlehî demokrasî destûr federal hevpeymanî netewe yekbûyî rêxistin rêxistina penaber
        koçber kamp alîkarî piştgirî daxwaz bersiv rapor agahî çavkanî berpirsiyar rêveber
        rêveberiya parêzgeh parêzgar karmend kar karê bêkarî xizanî biha berhem bac dahat Kurd
        Kurdî kurdan çand çanda dîrok ziman zimanê erd çiya çiyayê ronahî êvar sibeh şev şeva
        zivistan havîn payîz bihar germ sar xweş rind dijwar pêşî paşê dîsa hîn hêj êdî hema zû
        dereng kes kesên tişt tiştekî cih cihê aliyê alî dawî dawiya destpêk festîval pêşangeh
        çalakî xebat xebata
    """,
    "tr": """
        ve bir bu da de için ile olarak daha çok en gibi kadar sonra önce ancak ama fakat veya
        ya ise ki her tüm bütün bazı hiç yeni büyük küçük iyi kötü önemli ilk son yıl yılı
        yılında ay gün günü hafta saat bugün dün yarın şimdi hükümet hükümeti bölge bölgesi
        Kürdistan Irak Bağdat Erbil Süleymaniye Duhok Kerkük Musul Suriye İran Türkiye Ankara
        İstanbul İsrail İngiltere Amerika ABD Avrupa Rusya ülke ülkenin halk halkı meclis
        parlamento bakan bakanı bakanlığı başkan başkanı cumhurbaşkanı başbakan parti partisi
        seçim seçimleri oy yasa kanun bütçe maaş maaşları petrol doğalgaz elektrik su yağmur kar
        tarım çiftçi pazar ticaret ekonomi ekonomik dolar dinar lira banka şirket şirketi proje
        projesi okul üniversite öğrenci öğretmen hastane doktor sağlık hastalık güç güçleri
        peşmerge polis asker ordu savaş saldırı saldırısı bomba öldü hayatını kaybetti
        yaralandı gözaltına alındı mahkeme ceza özgürlük hak hakları kadın kadınlar çocuk
        çocuklar genç gençler aile ev şehir kent kenti köy köyü sınır sınırı yol havalimanı
        turist spor maç takım takımı futbol sanat sanatçı şarkı film kitap gazete gazeteci
        medya televizyon açıkladı söyledi dedi belirtti ifade etti yaptı yapıldı oldu olan
        olduğu var yok geldi gitti verdi verildi ulaştı toplantı toplantısı görüşme müzakere
        anlaşma anlaşması soru sorun sorunu çözüm karar kararı plan program sayı sayısı milyon
        bin yüz iki üç dört beş birinci ikinci eski uluslararası yerel vatandaş vatandaşlar
        toplum sosyal siyasi siyaset askeri güvenlik demokrasi anayasa federal koalisyon ulus
        birleşmiş milletler örgüt örgütü mülteci göçmen kamp yardım destek talep cevap rapor
        raporu bilgi kaynak kaynaklar yetkili yetkilisi müdür müdürlüğü vali valisi kaymakam
        çalışan iş işsizlik yoksulluk fiyat fiyatlar üretim ihracat ithalat vergi gelir Kürt
        Kürtçe kültür tarih dil dili toprak dağ gece sabah akşam kış yaz sonbahar ilkbahar
        sıcak soğuk zor kolay tekrar hala artık hemen erken geç kişi kişiler şey yer yerde
        taraf tarafından sonunda başında festival fuar etkinlik çalışma çalışmaları göre karşı
        arasında üzerinde içinde dışında nedeniyle rağmen birlikte özellikle yaklaşık yüzde
        İçişleri İslam
    """,
}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One language's words, most frequent first, and where they came from."""

    code: str
    words: tuple[str, ...]
    real_words: int
    hand_words: int


class ZipfSampler:
    """Draw words with p(rank r) ∝ 1/r^s."""

    def __init__(self, words: Sequence[str], exponent: float = ZIPF_EXPONENT) -> None:
        self.words = tuple(words)
        self.cumulative = list(itertools.accumulate(r**-exponent for r in range(1, len(words) + 1)))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def uniform_int(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` at a third of its cost (float rounding bias is negligible here)."""
    return low + int(rng.random() * (high - low + 1))


def shared_dir() -> Path:
    return Path(os.environ.get("INGEST_SHARED_DIR", REPO_ROOT.parent / "shared"))


def rank_words(counts: Counter[str]) -> list[str]:
    """Most frequent first, case-insensitively; each word in its most frequent spelling."""
    totals: Counter[str] = Counter()
    spelling: dict[str, tuple[int, str]] = {}
    for form, count in counts.items():
        key = form.casefold()
        totals[key] += count
        if count > spelling.get(key, (0, ""))[0]:
            spelling[key] = (count, form)
    return [spelling[key][1] for key, _ in totals.most_common()]


def english_counts(ground_truth: Path) -> Counter[str]:
    """Word counts of the English article bodies of the extraction benchmark's ground truth."""
    if not ground_truth.is_file():
        raise BenchFailed(
            f"missing {ground_truth}: set INGEST_SHARED_DIR to the folder holding corpus/"
        )
    counts: Counter[str] = Counter()
    for entry in json.loads(ground_truth.read_text(encoding="utf-8")).values():
        tokens = ENGLISH_WORD_RE.findall(entry.get("articleBody") or "")
        markers = sum(token.lower() in ENGLISH_MARKERS for token in tokens)
        if tokens and markers >= 0.05 * len(tokens):
            counts.update(tokens)
    return counts


def page_language(lang: str | None, direction: str | None) -> str | None:
    """The language code of a fixture page; Kurdistan24's right-to-left ``ku`` is Sorani."""
    if lang == "ckb" or (lang == "ku" and direction == "rtl"):
        return "ckb"
    return lang if lang in ("ar", "ku", "tr") else None


def page_words(path: Path) -> tuple[str | None, list[str]]:
    """The language of a fixture page and the words of its visible text, in that script."""
    root = lxml_html.document_fromstring(path.read_bytes().decode("utf-8", "replace"))
    code = page_language(root.get("lang"), root.get("dir"))
    if code is None or root.body is None:
        return None, []
    for element in root.body.xpath(".//script|.//style|.//noscript|.//nav|.//header|.//footer"):
        element.drop_tree()
    letters = ARABIC_LETTERS if code in ("ckb", "ar") else LATIN_LETTERS
    return code, [w for w in WORD_RE.findall(root.body.text_content()) if letters.match(w)]


def fixture_counts(root: Path) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for path in sorted(root.rglob("*.html")):
        code, found = page_words(path)
        if code is not None:
            counts.setdefault(code, Counter()).update(found)
    return counts


def hand_words(code: str) -> list[str]:
    found = HAND_WORDS[code].split()
    if code == "ckb":
        return [w.translate(SORANI_FORMS) for w in found]
    if code == "ar":
        return [w.translate(ARABIC_FORMS) for w in found]
    return found


def build_vocabulary(code: str, counts: Counter[str]) -> Vocabulary:
    if code == "ckb":
        counts = Counter({w.translate(SORANI_FORMS): n for w, n in counts.items()})
    words = rank_words(counts)
    real = len(words)
    if real < MIN_REAL_VOCABULARY and code in HAND_WORDS:
        known = {w.casefold() for w in words}
        for word in hand_words(code):
            if word.casefold() not in known:
                known.add(word.casefold())
                words.append(word)
    return Vocabulary(code, tuple(words), real, len(words) - real)


def build_vocabularies() -> dict[str, Vocabulary]:
    ground_truth = shared_dir() / "corpus" / CORPUS_NAME / "ground-truth.json"
    counts = fixture_counts(FIXTURE_SITES)
    counts["en"] = english_counts(ground_truth)
    vocabularies = {}
    for language in LANGUAGES:
        vocabulary = build_vocabulary(language.code, counts.get(language.code, Counter()))
        if len(vocabulary.words) < 100:
            raise BenchFailed(f"only {len(vocabulary.words)} words for {language.code}")
        vocabularies[language.code] = vocabulary
    return vocabularies


# -- synthetic articles -------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """Everything the article generator draws from."""

    vocabularies: dict[str, Vocabulary]
    samplers: dict[str, ZipfSampler]
    authors: tuple[str, ...]

    @classmethod
    def build(cls) -> Corpus:
        vocabularies = build_vocabularies()
        samplers = {code: ZipfSampler(v.words) for code, v in vocabularies.items()}
        return cls(vocabularies, samplers, author_pool())


def author_pool() -> tuple[str, ...]:
    rng = random.Random(f"{SEED}:authors")
    names: list[str] = []
    while len(names) < AUTHOR_POOL:
        first, last = FIRST_NAMES.split(), LAST_NAMES.split()
        parts = [rng.choice(first), *rng.sample(last, rng.choice((1, 1, 2)))]
        if (name := " ".join(parts)) not in names:
            names.append(name)
    return tuple(names)


def capitalise(word: str, code: str) -> str:
    if code == "tr" and word[:1] in ("i", "ı"):
        return ("İ" if word[0] == "i" else "I") + word[1:]
    return word[:1].upper() + word[1:]


def paragraph_lengths(rng: random.Random, total: int) -> list[int]:
    """Split ``total`` words into paragraphs of PARAGRAPH_MIN to PARAGRAPH_MAX words."""
    lengths, left = [], total
    while left > 0:
        size = uniform_int(rng, PARAGRAPH_MIN, PARAGRAPH_MAX)
        if left - size < PARAGRAPH_MIN:
            size = left if left <= PARAGRAPH_MAX else left // 2
        lengths.append(size)
        left -= size
    return lengths


def punctuate(words: list[str], rng: random.Random, language: Language) -> str:
    """Join words into sentences: capitals (Latin scripts), commas and full stops."""
    comma = "،" if language.script == "arabic" else ","
    start, count = 0, len(words)
    while start < count:
        end = min(start + uniform_int(rng, SENTENCE_MIN, SENTENCE_MAX), count)
        if count - end < 4:
            end = count
        if language.script == "latin":
            words[start] = capitalise(words[start], language.code)
        if end - start > 10 and rng.random() < 0.5:
            words[start + (end - start) // 2] += comma
        words[end - 1] += "."
        start = end
    return " ".join(words)


def body_length(rng: random.Random) -> int:
    drawn = int(rng.lognormvariate(math.log(BODY_MEDIAN_WORDS), BODY_SIGMA))
    return max(BODY_MIN_WORDS, min(BODY_MAX_WORDS, drawn))


def pick_language(rng: random.Random) -> Language:
    point, total = rng.random(), 0.0
    for language in LANGUAGES:
        total += language.share
        if point < total:
            return language
    return LANGUAGES[0]


def article_url(index: int, site: str, language: Language, section: str) -> str:
    if site == "kurdistan24":
        return f"https://www.kurdistan24.net/{language.code}/story/{index + 1}/bench-{index + 1}"
    slug = section.lower().replace(" ", "")
    return f"https://www.rudaw.net/{language.edition}/{slug}/{index + 1:09d}"


def make_article(rng: random.Random, corpus: Corpus, index: int) -> dict[str, Any]:
    language = pick_language(rng)
    sampler = corpus.samplers[language.code]
    words = sampler.sample(rng, body_length(rng))
    paragraphs, position = [], 0
    for size in paragraph_lengths(rng, len(words)):
        paragraphs.append(punctuate(words[position : position + size], rng, language))
        position += size
    title_words = sampler.sample(rng, uniform_int(rng, TITLE_MIN, TITLE_MAX))
    if language.script == "latin":
        title_words[0] = capitalise(title_words[0], language.code)
    title, body = " ".join(title_words), "\n".join(paragraphs)
    site = "rudaw" if rng.random() < SITES[0][1] else "kurdistan24"
    section = rng.choices([s for s, _ in SECTIONS], weights=[w for _, w in SECTIONS])[0]
    span = int((PUBLISHED_TO - PUBLISHED_FROM).total_seconds())
    published = PUBLISHED_FROM + timedelta(seconds=rng.randrange(span))
    first_seen = published + timedelta(seconds=uniform_int(rng, 60, 6 * 3600))
    url = article_url(index, site, language, section)
    has_image = rng.random() < 0.7
    return {
        "url": url,
        "canonical_url": url,
        "site": site,
        "edition": language.edition,
        "language": language.code,
        "section": section,
        "title": title,
        "lead": paragraphs[0],
        "text": body,
        "authors": rng.sample(corpus.authors, rng.choices((0, 1, 2), weights=(30, 55, 15))[0]),
        "published_at": published,
        "modified_at": published + timedelta(hours=uniform_int(rng, 1, 72))
        if rng.random() < 0.3
        else None,
        "tags": rng.sample(sampler.words[20:320], uniform_int(rng, 0, 4)),
        "image_url": f"https://cdn.{site}.net/images/{index + 1}.jpg" if has_image else None,
        "image_caption": " ".join(sampler.sample(rng, uniform_int(rng, 5, 12)))
        if has_image and rng.random() < 0.6
        else None,
        "content_hash": content_hash(title, body),
        "first_seen_at": first_seen,
        "last_seen_at": first_seen + timedelta(days=uniform_int(rng, 0, 30)),
    }


def generate_batch(corpus: Corpus, number: int, total: int) -> list[dict[str, Any]]:
    """Batch ``number`` of the N articles: the same whatever came before it."""
    rng = random.Random(f"{SEED}:{VERSION}:{number}")
    start = number * BATCH
    return [make_article(rng, corpus, i) for i in range(start, min(start + BATCH, total))]


_WORKER_CORPUS: Corpus | None = None


def _init_worker() -> None:
    global _WORKER_CORPUS  # noqa: PLW0603 - one corpus per worker process
    _WORKER_CORPUS = Corpus.build()


def _worker_batch(number: int, total: int) -> tuple[list[dict[str, Any]], float]:
    assert _WORKER_CORPUS is not None
    started = time.process_time()
    rows = generate_batch(_WORKER_CORPUS, number, total)
    return rows, time.process_time() - started


def generate_batches(total: int) -> Iterator[tuple[list[dict[str, Any]], float]]:
    """Yield ``(rows, CPU seconds to make them)`` per batch, made in a worker process a few
    batches ahead, so that generation runs on the other core while the batches load."""
    numbers = iter(range(math.ceil(total / BATCH)))
    with ProcessPoolExecutor(max_workers=1, initializer=_init_worker) as pool:
        pending = deque(
            pool.submit(_worker_batch, n, total) for n in itertools.islice(numbers, PREFETCH)
        )
        while pending:
            result = pending.popleft().result()
            if (number := next(numbers, None)) is not None:
                pending.append(pool.submit(_worker_batch, number, total))
            yield result


# -- loading ------------------------------------------------------------------------------


@dataclass
class Backend:
    """One database under test and how it was loaded."""

    name: str
    url: str
    status: str = "built"  # or "cached"
    rows: int = 0
    load_s: float = 0.0
    post_load_s: float = 0.0  # SQLite: WAL checkpoint; PostgreSQL: VACUUM ANALYZE
    size_bytes: int = 0
    built_on: str = ""
    engine: Engine | None = field(default=None, repr=False)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.load_s if self.load_s else 0.0

    def saved(self) -> dict[str, Any]:
        """The load figures kept with a built backend, for the runs that reuse it."""
        keys = ("rows", "load_s", "post_load_s", "size_bytes", "built_on")
        return {key: getattr(self, key) for key in keys}

    def figures(self) -> dict[str, Any]:
        return {"status": self.status, **self.saved(), "rows_per_s": round(self.rows_per_s, 1)}


def insert_batch(backend: Backend, rows: list[dict[str, Any]]) -> None:
    assert backend.engine is not None
    started = time.perf_counter()
    with backend.engine.begin() as connection:
        connection.execute(insert(Article.__table__), rows)
    backend.load_s += time.perf_counter() - started
    backend.rows += len(rows)


def load(total: int, targets: list[Backend]) -> dict[str, Any]:
    """Generate the articles once and insert every batch into each target; return data figures."""
    generation_cpu_s = waited_s = 0.0
    text_bytes, done = 0, 0
    languages: Counter[str] = Counter()
    started = time.perf_counter()
    batches = generate_batches(total)
    while True:
        began = time.perf_counter()
        batch = next(batches, None)
        waited_s += time.perf_counter() - began
        if batch is None:
            break
        rows, cpu_s = batch
        generation_cpu_s += cpu_s
        languages.update(r["language"] for r in rows)
        text_bytes += sum(len(r["text"].encode()) + len(r["title"].encode()) for r in rows)
        for target in targets:
            insert_batch(target, rows)
        done += len(rows)
        if done % (BATCH * 10) == 0 or done == total:
            progress(f"loaded {done:,}/{total:,} in {time.perf_counter() - started:.0f} s")
    return {
        "generation_cpu_s": round(generation_cpu_s, 3),
        "articles_per_cpu_s": round(total / generation_cpu_s, 1) if generation_cpu_s else None,
        "waited_for_generation_s": round(waited_s, 3),
        "wall_s": round(time.perf_counter() - started, 3),
        "text_mb": round(text_bytes / 1e6, 1),
        "languages": {code: round(n / total, 4) for code, n in sorted(languages.items())},
    }


def sqlite_cache_path(cache_dir: Path, total: int) -> Path:
    return cache_dir / f"archive-n{total}-v{VERSION}-{migrate.head_revision()}.sqlite"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_sqlite(cache_dir: Path, total: int, rebuild: bool) -> Backend:
    """The cached SQLite archive, or a new empty one (migrated) to load into."""
    path = sqlite_cache_path(cache_dir, total)
    meta = Path(f"{path}.json")
    if not rebuild and path.is_file() and meta.is_file():
        backend = Backend("sqlite", sqlite_url(path), status="cached")
        vars(backend).update(json.loads(meta.read_text()), engine=make_engine(backend.url))
        return backend
    partial = path.with_suffix(".partial")
    remove_sqlite_files(path)
    remove_sqlite_files(partial)
    path.parent.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(sqlite_url(partial))
    return Backend("sqlite", sqlite_url(partial), engine=make_engine(sqlite_url(partial)))


def finish_sqlite(backend: Backend, cache_dir: Path, total: int) -> None:
    """Checkpoint the WAL, move the complete file into place and record how it was built."""
    assert backend.engine is not None
    started = time.perf_counter()
    with backend.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    backend.engine.dispose()
    backend.post_load_s = time.perf_counter() - started
    path = sqlite_cache_path(cache_dir, total)
    os.replace(make_url(backend.url).database, path)
    backend.url = sqlite_url(path)
    backend.size_bytes = path.stat().st_size
    backend.built_on = datetime.now(UTC).isoformat(timespec="seconds")
    Path(f"{path}.json").write_text(json.dumps(backend.saved()))
    backend.engine = make_engine(backend.url)


def pg_database_name(total: int) -> str:
    return f"ingest_bench_archive_{total}_v{VERSION}"


def pg_url(admin_url: str, database: str) -> str:
    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


def pg_marker(total: int) -> str:
    return f"ingest bench archive complete: n={total} v={VERSION} head={migrate.head_revision()} "


def pg_cached(admin: Engine, url: str, name: str, total: int) -> Backend | None:
    """The kept database if it was completed by this VERSION and still holds N rows."""
    with admin.connect() as connection:
        comment = connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"
            ),
            {"n": name},
        ).scalar()
    if not comment or not comment.startswith(pg_marker(total)):
        return None
    if not migrate.is_up_to_date(url):
        return None
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(Article)).scalar_one()
    if rows != total:
        engine.dispose()
        return None
    backend = Backend("postgresql", url, status="cached", engine=engine)
    vars(backend).update(json.loads(comment[len(pg_marker(total)) :]))
    return backend


def open_postgres(admin_url: str, total: int, rebuild: bool) -> Backend:
    name = pg_database_name(total)
    url = pg_url(admin_url, name)
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        if not rebuild and (cached := pg_cached(admin, url, name, total)) is not None:
            return cached
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    migrate.upgrade(url)
    return Backend("postgresql", url, engine=make_engine(url))


def finish_postgres(backend: Backend, admin_url: str, total: int) -> None:
    """VACUUM ANALYZE (statistics, visibility map, GIN pending list), then mark it complete."""
    assert backend.engine is not None
    started = time.perf_counter()
    with backend.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE articles")
    backend.post_load_s = time.perf_counter() - started
    backend.built_on = datetime.now(UTC).isoformat(timespec="seconds")
    name = pg_database_name(total)
    with backend.engine.connect() as connection:
        backend.size_bytes = connection.execute(
            text("SELECT pg_database_size(:n)"), {"n": name}
        ).scalar_one()
    comment = (pg_marker(total) + json.dumps(backend.saved())).replace("'", "''")
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    finally:
        admin.dispose()


def prepare_backends(args: argparse.Namespace) -> tuple[list[Backend], dict[str, Any]]:
    """Open (from cache) or build every backend; return them and the data figures."""
    cache_dir = Path(args.cache_dir).expanduser()
    backends = []
    if not args.skip_sqlite:
        backends.append(open_sqlite(cache_dir, args.articles, args.rebuild))
    if not args.skip_postgres:
        backends.append(open_postgres(args.pg_admin_url, args.articles, args.rebuild))
    targets = [b for b in backends if b.status == "built"]
    data: dict[str, Any] = {"note": "all backends cached: nothing generated"}
    if targets:
        progress(f"generating {args.articles:,} articles into {', '.join(b.name for b in targets)}")
        data = load(args.articles, targets)
    for backend in targets:
        if backend.name == "sqlite":
            finish_sqlite(backend, cache_dir, args.articles)
        else:
            finish_postgres(backend, args.pg_admin_url, args.articles)
    return backends, data


# -- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    text: str
    filters: queries.Filters = field(default_factory=queries.Filters)

    def query_text(self) -> str:
        return f"{self.text!r} ({self.kind}, {self.describe_filters()})"

    def describe_filters(self) -> str:
        parts = []
        for name in ("site", "edition", "language", "section", "author", "since", "until"):
            value = getattr(self.filters, name)
            if value is not None:
                shown = value.date().isoformat() if isinstance(value, datetime) else value
                parts.append(f"{name}={shown}")
        return " ".join(parts) or "-"


def pick(
    words: Sequence[str], start: int, *, min_length: int = 4, letters: str = "", step: int = 1
) -> str:
    """The first word from rank ``start`` (going down when ``step`` is -1) that is one plain
    search word of at least ``min_length`` letters, with one of ``letters`` if given."""
    ranks = range(start, len(words)) if step > 0 else range(start, -1, -1)
    for rank in ranks:
        word = words[rank]
        if len(word) < min_length or len(fulltext.words(word)) != 1:
            continue
        if not letters or any(c in word for c in letters):
            return word
    raise BenchFailed(f"no word from rank {start} with letters {letters!r}")


def when(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def build_queries(corpus: Corpus) -> tuple[list[BenchQuery], list[tuple[BenchQuery, BenchQuery]]]:
    """The query set, and (canonical, variant) spellings that must find the same articles."""
    en = corpus.vocabularies["en"].words
    ckb = corpus.vocabularies["ckb"].words
    common, content = en[0], pick(en, 30, min_length=5)
    mid, mid2, rare = (
        pick(en, 1000, min_length=5),
        pick(en, 600, min_length=5),
        pick(en, len(en) - 50, min_length=6, step=-1),
    )
    pair = f"{pick(en, 300, min_length=5)} {pick(en, 500, min_length=5)}"
    phrase = f'"{pick(en, 15, min_length=3)} {pick(en, 25, min_length=3)}"'
    sorani = pick(ckb, 10, letters="ێۆڕڵ")
    variant_of = pick(ckb, 30, min_length=5, letters="یک")
    variant = variant_of.replace("ی", "ي").replace("ک", "ك")
    arabic = pick(corpus.vocabularies["ar"].words, 20)
    kurmanci = pick(corpus.vocabularies["ku"].words, 10, letters="êîûşç")
    turkish = pick(corpus.vocabularies["tr"].words, 10, letters="ğşıçöü")
    author = corpus.authors[0].split()[-1].lower()
    F = queries.Filters
    # A hand-written Turkish word with a dotted capital I; typed "iran" it must find the same.
    dotted = BenchQuery("Turkish İ word", "İran", F(edition="turkish"))
    arabic_letters = BenchQuery("Sorani, Arabic ي/ك", variant)
    query_set = [
        BenchQuery("very common word", common),
        BenchQuery("common word", content),
        BenchQuery("mid-frequency word", mid),
        BenchQuery("rare word", rare),
        BenchQuery("two words (AND)", pair),
        BenchQuery("phrase", phrase),
        BenchQuery("OR", f"{mid} OR {rare}"),
        BenchQuery("NOT (-word)", f"{content} -{pick(en, 100, min_length=5)}"),
        BenchQuery("Sorani word", sorani),
        arabic_letters,
        BenchQuery("Arabic word", arabic),
        BenchQuery("Kurmanci word", kurmanci),
        BenchQuery("Turkish word", turkish),
        dotted,
        BenchQuery("very common + edition", common, F(edition="english")),
        BenchQuery("mid + language", mid2, F(language="en")),
        BenchQuery("common + since/until", content, F(since=when(2020), until=when(2021))),
        BenchQuery("mid + section", mid, F(section="business")),
        BenchQuery("common + author", content, F(author=author)),
        BenchQuery("rare + author", rare, F(author=author)),
        BenchQuery("Sorani + edition + since", sorani, F(edition="sorani", since=when(2024))),
        BenchQuery("AND + site", pair, F(site="kurdistan24")),
        BenchQuery("phrase + edition + until", phrase, F(edition="english", until=when(2018))),
        BenchQuery("very common + last month", common, F(since=when(2026, 10))),
    ]
    variants = [
        (BenchQuery("Sorani", variant_of), arabic_letters),
        (dotted, BenchQuery("Turkish İ typed as i", "iran", dotted.filters)),
    ]
    return query_set, variants


@dataclass
class QueryTiming:
    query: BenchQuery
    runs_ms: list[float]
    hits: int
    matches: int
    snippet_ms: float
    explain: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    def figures(self) -> dict[str, Any]:
        return {
            "kind": self.query.kind,
            "query": self.query.text,
            "filters": self.query.describe_filters(),
            "runs_ms": [round(r, 3) for r in self.runs_ms],
            "median_ms": round(self.median_ms, 3),
            "hits": self.hits,
            "matches": self.matches,
            "snippet_ms": round(self.snippet_ms, 3),
            "explain": self.explain or None,
        }


def timed_search(
    make_session: sessionmaker[Session], query: BenchQuery
) -> tuple[float, list[queries.Hit]]:
    """One search in a fresh session, as the CLI does it; return milliseconds and hits."""
    with make_session() as session:
        started = time.perf_counter()
        hits = queries.search(session.connection(), query.text, query.filters, limit=SEARCH_LIMIT)
        elapsed = time.perf_counter() - started
    return elapsed * 1000, hits


def snippet_ms(query: BenchQuery, hits: list[queries.Hit]) -> float:
    """Time the Python part of a search: a snippet for each hit."""
    terms = fulltext.positive_terms(fulltext.parse(query.text))
    started = time.perf_counter()
    for hit in hits:
        fulltext.snippet(hit.article.text, terms)
    return (time.perf_counter() - started) * 1000


def match_statement(query: BenchQuery, dialect: str) -> Any:
    """COUNT of every article that ``queries.search`` would rank for this query."""
    node = fulltext.parse(query.text)
    statement = select(func.count()).select_from(Article)
    if dialect == "postgresql":
        tsquery = func.to_tsquery(literal("simple", REGCONFIG), fulltext.to_tsquery(node))
        statement = statement.where(literal_column("articles.search_vector").op("@@")(tsquery))
    else:
        fts = table("articles_fts", literal_column("rowid"))
        statement = statement.join(fts, literal_column("articles_fts.rowid") == Article.id).where(
            literal_column("articles_fts").op("MATCH")(fulltext.to_fts5(node))
        )
    return queries.apply_filters(statement, query.filters)


def count_matches(make_session: sessionmaker[Session], query: BenchQuery) -> int:
    with make_session() as session:
        dialect = session.get_bind().dialect.name
        return session.execute(match_statement(query, dialect)).scalar_one()


def run_query(make_session: sessionmaker[Session], query: BenchQuery) -> QueryTiming:
    for _ in range(WARMUP_RUNS):
        timed_search(make_session, query)
    runs, hits = [], []
    for _ in range(TIMED_RUNS):
        elapsed, hits = timed_search(make_session, query)
        runs.append(elapsed)
    return QueryTiming(
        query, runs, len(hits), count_matches(make_session, query), snippet_ms(query, hits)
    )


def explain(engine: Engine, make_session: sessionmaker[Session], query: BenchQuery) -> str:
    """The plan of the ranking statement, the first of the two that ``queries.search`` sends
    (the second loads the winning rows by id)."""
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        timed_search(make_session, query)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next(c for c in captured if "articles" in c[0])
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if postgres:
        plan = "\n".join(row[0] for row in rows)
    else:
        plan = "\n".join(f"{row[1]}->{row[0]} {row[-1]}" for row in rows)
    return f"{statement}\n-- parameters: {parameters!r}\n{plan}"


def run_search_suite(backend: Backend, query_set: list[BenchQuery]) -> list[QueryTiming]:
    assert backend.engine is not None
    make_session = make_sessionmaker(backend.engine)
    timings = []
    for number, query in enumerate(query_set, 1):
        timings.append(run_query(make_session, query))
        median = timings[-1].median_ms
        progress(f"{backend.name} query {number}/{len(query_set)}: {median:.1f} ms ({query.kind})")
    for timing in slowest(timings):
        timing.explain = explain(backend.engine, make_session, timing.query)
    return timings


def slowest(timings: list[QueryTiming], count: int = 3) -> list[QueryTiming]:
    return sorted(timings, key=lambda t: t.median_ms, reverse=True)[:count]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def search_summary(timings: list[QueryTiming]) -> dict[str, Any]:
    runs = [r for t in timings for r in t.runs_ms]
    return {
        "median_ms": round(statistics.median(runs), 3),
        "p95_ms": round(percentile(runs, 0.95), 3),
        "timed_runs": len(runs),
        "slowest": [
            {
                "kind": t.query.kind,
                "query": t.query.text,
                "filters": t.query.describe_filters(),
                "median_ms": round(t.median_ms, 3),
            }
            for t in slowest(timings)
        ],
    }


def search_checks(
    backends: list[Backend],
    results: dict[str, list[QueryTiming]],
    variants: list[tuple[BenchQuery, BenchQuery]],
) -> list[str]:
    """Warnings: backends disagreeing on a match count, a spelling variant finding other
    articles than its canonical form, a query finding nothing."""
    warnings = []
    if len(results) == 2:
        for sqlite_t, pg_t in zip(results["sqlite"], results["postgresql"], strict=True):
            if sqlite_t.matches != pg_t.matches:
                warnings.append(
                    f"match counts differ for {sqlite_t.query.text!r} ({sqlite_t.query.kind}):"
                    f" SQLite {sqlite_t.matches}, PostgreSQL {pg_t.matches}"
                )
    for backend in backends:
        make_session = make_sessionmaker(backend.engine)
        for canonical, variant in variants:
            counts = [count_matches(make_session, q) for q in (canonical, variant)]
            if counts[0] != counts[1]:
                warnings.append(
                    f"{backend.name}: {variant.query_text()} finds {counts[1]},"
                    f" {canonical.query_text()} finds {counts[0]}"
                )
    for name, timings in results.items():
        warnings += [
            f"{name}: {t.query.query_text()} finds nothing" for t in timings if not t.matches
        ]
    return warnings


# -- export -------------------------------------------------------------------------------


@dataclass
class Measured:
    """A child process: wall time, exit status, peak RSS and RSS samples."""

    wall_s: float
    returncode: int
    peak_rss_mb: float
    samples: list[tuple[float, float]]
    stderr: str

    def half_peaks(self) -> tuple[float | None, float | None]:
        first = [rss for t, rss in self.samples if t < self.wall_s / 2]
        second = [rss for t, rss in self.samples if t >= self.wall_s / 2]
        return (max(first) if first else None, max(second) if second else None)


#: The measuring parent of each export, run as ``python -c`` so that it stays small: on Linux
#: a child's ``ru_maxrss`` includes the high-water mark of the memory it had before ``exec``,
#: which is its parent's (this benchmark holds a few hundred MB by then). Spawned from this
#: small interpreter, the CLI's ``ru_maxrss`` is its own peak (floor ~10 MB). It prints JSON.
MEASURER = r"""
import json, os, re, select, subprocess, sys, time

def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            found = re.search(r"^VmRSS:\s+(\d+) kB", status.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) / 1024 if found else None

stderr_path, interval, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
with open(stderr_path, "w") as stderr:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    # Readable once the child has exited: the wait between two samples ends there, so the
    # wall time is not rounded up to the next sample (a 0.07 s command measured 0.2 s).
    exited = os.pidfd_open(process.pid)
    samples = []
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if (rss := rss_mb(process.pid)) is not None:
            samples.append((time.perf_counter() - started, rss))
        select.select([exited], [], [], interval)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
print(json.dumps({"wall_s": wall, "returncode": process.returncode,
                  "maxrss_kb": usage.ru_maxrss, "samples": samples}))
"""


def run_measured(command: Sequence[str]) -> Measured:
    """Run ``command`` under ``MEASURER``: wall time from spawn to exit, RSS samples while it
    runs, and its ``ru_maxrss`` from ``os.wait4``."""
    with tempfile.NamedTemporaryFile("r", suffix=".stderr") as stderr:
        measurer = subprocess.run(
            [sys.executable, "-c", MEASURER, stderr.name, str(RSS_SAMPLE_S), *command],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=False,
        )
        if measurer.returncode != 0:
            raise BenchFailed(f"measuring {command[0]} failed: {measurer.stderr.strip()}")
        figures = json.loads(measurer.stdout)
        return Measured(
            figures["wall_s"],
            figures["returncode"],
            figures["maxrss_kb"] / 1024,
            [tuple(sample) for sample in figures["samples"]],
            stderr.read(),
        )


def ingest_command() -> str:
    candidate = Path(sys.executable).parent / "ingest"
    if candidate.exists():
        return str(candidate)
    raise BenchFailed(f"no ingest command next to {sys.executable}: run with the project's venv")


def fastest_seconds(command: Sequence[str]) -> float:
    """The fastest wall time of ``STARTUP_RUNS`` runs of ``command``, which must succeed."""
    times = []
    for _ in range(STARTUP_RUNS):
        measured = run_measured(command)
        if measured.returncode != 0:
            last_line = (measured.stderr.strip().splitlines() or ["no message"])[-1]
            raise BenchFailed(f"{' '.join(command[1:])}: exit {measured.returncode}: {last_line}")
        times.append(measured.wall_s)
    return min(times)


def run_startup(backends: list[Backend], word: str) -> dict[str, Any]:
    """Wall time of ``ingest --help`` (interpreter start-up and the CLI's imports) and of a
    small search on each backend (``word`` matches few articles: start-up is nearly all)."""
    small = {}
    for backend in backends:
        search = [ingest_command(), "--db", backend.url, "search", word, "--limit", "3"]
        small[backend.name] = round(fastest_seconds(search), 3)
        progress(f"{backend.name} small search: {small[backend.name]:.2f} s")
    return {
        "help_s": round(fastest_seconds([ingest_command(), "--help"]), 3),
        "small_search_word": word,
        "small_search_s": small,
    }


def raw_read_seconds(backend: Backend) -> float:
    """The reference for exports: every exported column of every article read through the
    bare DB-API driver (sqlite3; psycopg with a server-side cursor), 2,000 rows a fetch,
    nothing done with them. No export can be faster than getting the rows out."""
    assert backend.engine is not None
    sql = f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles ORDER BY id"
    raw = backend.engine.raw_connection()
    try:
        driver = raw.driver_connection
        started = time.perf_counter()
        cursor = driver.cursor(name="raw_read") if backend.name == "postgresql" else driver.cursor()
        cursor.execute(sql)
        while cursor.fetchmany(2000):
            pass
        elapsed = time.perf_counter() - started
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return elapsed


def run_export(
    backend: Backend, fmt: str, output: Path, total: int, *, startup_s: float, raw_read_s: float
) -> dict[str, Any]:
    command = [ingest_command(), "--db", backend.url, "export", "--format", fmt]
    measured = run_measured([*command, "--output", str(output)])
    exported = re.search(r"exported (\d+) articles", measured.stderr)
    error = None
    if measured.returncode != 0 or not exported or int(exported.group(1)) != total:
        last_line = (measured.stderr.strip().splitlines() or ["no message"])[-1]
        error = f"exit {measured.returncode}: {last_line.split(' (Background on')[0][:160]}"
    first, second = measured.half_peaks()
    net = measured.wall_s - startup_s
    return {
        "backend": backend.name,
        "format": fmt,
        "ok": error is None,
        "error": error,
        "seconds": round(measured.wall_s, 3),
        "articles_per_s": round(total / measured.wall_s, 1) if error is None else None,
        "net_articles_per_s": round(total / net, 1) if error is None and net > 0 else None,
        "raw_read_s": round(raw_read_s, 3),
        "times_raw_read": round(measured.wall_s / raw_read_s, 2),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "rss_first_half_mb": round(first, 1) if first else None,
        "rss_second_half_mb": round(second, 1) if second else None,
        "output_mb": round(output.stat().st_size / 1e6, 1) if output.is_file() else None,
    }


def run_exports(backends: list[Backend], total: int, startup_s: float) -> list[dict[str, Any]]:
    """Each format from each backend; jsonl to /dev/null, the others to a temporary file;
    ``startup_s``: the CLI's start-up, less which ``net art/s`` is counted."""
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as work:
        for backend in backends:
            raw_read_s = raw_read_seconds(backend)
            progress(f"{backend.name} raw read: {total / raw_read_s:,.0f} rows/s")
            for fmt in ("jsonl", "csv", "parquet"):
                output = Path(os.devnull) if fmt == "jsonl" else Path(work) / f"export.{fmt}"
                result = run_export(
                    backend, fmt, output, total, startup_s=startup_s, raw_read_s=raw_read_s
                )
                results.append(result)
                outcome = (
                    f"{result['articles_per_s']:,.0f} articles/s"
                    if result["ok"]
                    else result["error"]
                )
                progress(f"{backend.name} export {fmt}: {outcome}")
                if output.is_file():
                    output.unlink()
    return results


# -- operator commands --------------------------------------------------------------------

#: Commands an operator runs on the archive, besides search and export.
OPERATOR_COMMANDS = (("stats",), ("list", "--limit", "20"), ("runs",))


def run_operator_commands(backends: list[Backend]) -> list[dict[str, Any]]:
    """Each command through the real CLI, twice (the better run counts: the archive is in the
    page cache by then, as it is on a machine that just crawled)."""
    results = []
    for backend in backends:
        for arguments in OPERATOR_COMMANDS:
            command = [ingest_command(), "--db", backend.url, *arguments]
            runs = [run_measured(command) for _ in range(2)]
            failed = next((r for r in runs if r.returncode != 0), None)
            results.append(
                {
                    "backend": backend.name,
                    "command": " ".join(arguments),
                    "ok": failed is None,
                    "seconds": round(min(r.wall_s for r in runs), 3),
                    "error": failed.stderr.strip()[-200:] if failed else None,
                }
            )
    return results


def report_operator_commands(results: list[dict[str, Any]], startup_s: float) -> None:
    print(f"\nOperator commands: the CLI, wall s including its start-up ({startup_s:.2f} s)")
    rows = [
        (r["backend"], f"ingest {r['command']}", f"{r['seconds']:.2f}" if r["ok"] else "FAILED")
        for r in results
    ]
    print_table(("backend", "command", "s"), rows, right="2")
    for r in results:
        if not r["ok"]:
            print(f"FAILED {r['backend']}: ingest {r['command']}: {r['error']}")


# -- report -------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: str = "") -> None:
    """Columns whose index is in ``right`` (as digits) are right-aligned."""
    cells = [
        [str(c) for c in header],
        *[[("-" if c is None else str(c)) for c in row] for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for number, row in enumerate(cells):
        line = "  ".join(
            c.rjust(w) if str(i) in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        print(line.rstrip())
        if number == 0:
            print("  ".join("-" * w for w in widths))


def shorten(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def report_data(total: int, corpus: Corpus, data: dict[str, Any], backends: list[Backend]) -> None:
    versions = ", ".join(f"{b.name} {server_version(b)}" for b in backends)
    print(
        f"\nArchive benchmark: {total:,} synthetic articles (seed {SEED}, v{VERSION}); {versions}"
    )
    vocab = ", ".join(
        f"{code} {len(v.words):,}"
        + (f" ({v.real_words} real + {v.hand_words} hand-written)" if v.hand_words else "")
        for code, v in corpus.vocabularies.items()
    )
    print(f"vocabulary (words by language): {vocab}")
    if "generation_cpu_s" in data:
        shares = " ".join(f"{code} {share:.1%}" for code, share in data["languages"].items())
        print(
            f"generated in a worker process: {data['generation_cpu_s']:.1f} CPU s"
            f" ({data['articles_per_cpu_s']:,.0f} articles/CPU s), loading waited"
            f" {data['waited_for_generation_s']:.1f} s for it; generate+load wall"
            f" {data['wall_s']:.0f} s; {data['text_mb']:,.0f} MB of title+text (UTF-8);"
            f" languages: {shares}"
        )
    else:
        print("data: every backend came from its cache, nothing generated")
    print("\nLoad: Core insert executemany, 5,000-row transactions, indexed as in production")
    rows = [
        (
            b.name,
            b.status,
            f"{b.rows:,}",
            f"{b.load_s:.1f}",
            f"{b.rows_per_s:,.0f}",
            f"{b.post_load_s:.1f}",
            f"{b.size_bytes / 1e9:.2f}",
            b.built_on,
        )
        for b in backends
    ]
    print_table(
        ("backend", "status", "rows", "load s", "rows/s", "post-load s", "size GB", "built (UTC)"),
        rows,
        right="234567",
    )
    print("post-load: SQLite WAL checkpoint; PostgreSQL VACUUM ANALYZE")


def server_version(backend: Backend) -> str:
    assert backend.engine is not None
    with backend.engine.connect() as connection:
        if backend.name == "sqlite":
            return connection.exec_driver_sql("select sqlite_version()").scalar_one()
        return connection.exec_driver_sql("show server_version").scalar_one()


def report_search(
    results: dict[str, list[QueryTiming]], summaries: dict[str, dict[str, Any]], warnings: list[str]
) -> bool:
    names = list(results)
    print(
        f"\nSearch: queries.search(limit={SEARCH_LIMIT}), {WARMUP_RUNS} warm-up +"
        f" {TIMED_RUNS} timed runs each, fresh session per run; ms"
    )
    header = ["#", "kind", "query", "filters"]
    for name in names:
        header += [f"{name} med", f"{name} matches"]
    header += ["snip ms"]
    rows = []
    for number, timings in enumerate(zip(*results.values(), strict=True), 1):
        query = timings[0].query
        row: list[Any] = [
            number,
            query.kind,
            shorten(query.text, 28),
            shorten(query.describe_filters(), 32),
        ]
        for timing in timings:
            row += [f"{timing.median_ms:.1f}", f"{timing.matches:,}"]
        row.append(f"{timings[0].snippet_ms:.1f}")
        rows.append(row)
    right = "0" + "".join(str(4 + i) for i in range(2 * len(names) + 1))
    print_table(header, rows, right=right)
    print()
    print_table(
        ("backend", "median ms", "p95 ms", "runs", "slowest 3 (median ms)"),
        [
            (
                n,
                f"{s['median_ms']:.1f}",
                f"{s['p95_ms']:.1f}",
                s["timed_runs"],
                "; ".join(f"{x['kind']} {x['query']!r} {x['median_ms']:.0f}" for x in s["slowest"]),
            )
            for n, s in summaries.items()
        ],
        right="123",
    )
    met = {}
    for name, summary in summaries.items():
        met[name] = summary["median_ms"] < SEARCH_MEDIAN_TARGET_MS
        print(
            f"target: {name} median < {SEARCH_MEDIAN_TARGET_MS:.0f} ms -> {verdict(met[name])}"
            f" ({summary['median_ms']:.1f} ms)"
        )
    for warning in warnings:
        print(f"check: {warning}")
    return met


def report_exports(exports: list[dict[str, Any]], startup_s: float) -> bool:
    print(
        "\nExport: `ingest --db URL export --format F` in a subprocess (jsonl to /dev/null,"
        f" csv and parquet to a file); start-up (ingest --help) {startup_s:.2f} s"
    )
    rows = [
        (
            e["backend"],
            e["format"],
            f"{e['seconds']:.1f}",
            f"{e['articles_per_s']:,.0f}" if e["ok"] else "FAILED",
            f"{e['net_articles_per_s']:,.0f}" if e["net_articles_per_s"] else None,
            f"{e['raw_read_s']:.1f}",
            f"{e['times_raw_read']:.2f}",
            f"{e['peak_rss_mb']:.0f}",
            f"{e['rss_first_half_mb'] or 0:.0f} / {e['rss_second_half_mb'] or 0:.0f}",
            e["output_mb"],
        )
        for e in exports
    ]
    header = ("backend", "format", "s", "art/s", "net art/s", "raw read s", "x raw read")
    print_table(
        (*header, "peak RSS MB", "RSS 1st/2nd half MB", "output MB"), rows, right="23456789"
    )
    for e in exports:
        if not e["ok"]:
            print(f"FAILED {e['backend']}/{e['format']}: {e['error']}")
    slow = [
        f"{e['backend']}/{e['format']}"
        for e in exports
        if not e["ok"] or e["articles_per_s"] <= EXPORT_TARGET_PER_S
    ]
    detail = f" (failed or below: {', '.join(slow)})" if slow else ""
    print(f"target: export > {EXPORT_TARGET_PER_S:,} articles/s -> {verdict(not slow)}{detail}")
    return not slow


def report_startup(startup: dict[str, Any]) -> bool | None:
    """Print the start-up figures; return whether the small search on SQLite met its target
    (None: SQLite was left out)."""
    print(f"\nStart-up: the CLI in a subprocess, wall s, the fastest of {STARTUP_RUNS} runs")
    word = startup["small_search_word"]
    rows = [("-", "ingest --help", f"{startup['help_s']:.2f}")]
    rows += [
        (name, f"ingest search {word} --limit 3", f"{seconds:.2f}")
        for name, seconds in startup["small_search_s"].items()
    ]
    print_table(("backend", "command", "s"), rows, right="2")
    seconds = startup["small_search_s"].get("sqlite")
    if seconds is None:
        return None
    met = seconds < SMALL_SEARCH_TARGET_S
    print(
        f"target: small search on sqlite < {SMALL_SEARCH_TARGET_S} s -> {verdict(met)}"
        f" ({seconds:.2f} s)"
    )
    return met


def report_explains(results: dict[str, list[QueryTiming]]) -> None:
    print("\nPlans of the slowest queries (all three per backend are in --json):")
    for name, timings in results.items():
        worst = slowest(timings, 1)[0]
        print(f"-- {name}: {worst.query.query_text()}, {worst.median_ms:.0f} ms")
        plan = worst.explain.split("\n-- parameters: ", 1)[-1].split("\n", 1)[-1]
        print("\n".join(f"   {line}" for line in plan.splitlines()))


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench_archive", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N")
    parser.add_argument("--cache-dir", default="~/.cache/ingest-bench", metavar="DIR")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the cached SQLite file and PostgreSQL database",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--search-only", action="store_true", help="leave out the export and operator commands"
    )
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("INGEST_BENCH_PG_URL", PG_ADMIN_URL), metavar="URL"
    )
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    args = parser.parse_args(argv)
    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave no backend")
    if args.articles < BATCH // 10:
        parser.error(f"--articles must be at least {BATCH // 10}")
    return args


def timed(phases: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return fn()
    finally:
        phases[name] = round(time.perf_counter() - started, 3)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    phases: dict[str, float] = {}
    corpus = timed(phases, "vocabulary", Corpus.build)
    backends, data = timed(phases, "generate+load", lambda: prepare_backends(args))
    query_set, variants = build_queries(corpus)
    results = timed(
        phases, "search", lambda: {b.name: run_search_suite(b, query_set) for b in backends}
    )
    summaries = {name: search_summary(timings) for name, timings in results.items()}
    warnings = search_checks(backends, results, variants)
    exports: list[dict[str, Any]] = []
    operator: list[dict[str, Any]] = []
    startup: dict[str, Any] = {}
    if not args.search_only:
        rare = next(q.text for q in query_set if q.kind == "rare word")
        startup = timed(phases, "start-up", lambda: run_startup(backends, rare))
        exports = timed(
            phases, "export", lambda: run_exports(backends, args.articles, startup["help_s"])
        )
        operator = timed(phases, "operator", lambda: run_operator_commands(backends))
    report_data(args.articles, corpus, data, backends)
    search_met = report_search(results, summaries, warnings)
    targets: dict[str, Any] = {
        f"{name}_search_median_ms": {
            "target": SEARCH_MEDIAN_TARGET_MS,
            "value": summaries[name]["median_ms"],
            "met": met,
        }
        for name, met in search_met.items()
    }
    if not args.search_only:
        export_met = report_exports(exports, startup["help_s"])
        report_operator_commands(operator, startup["help_s"])
        targets["export_articles_per_s"] = {"target": EXPORT_TARGET_PER_S, "met": export_met}
        small_met = report_startup(startup)
        if small_met is not None:
            targets["sqlite_small_search_s"] = {
                "target": SMALL_SEARCH_TARGET_S,
                "value": startup["small_search_s"]["sqlite"],
                "met": small_met,
            }
    report_explains(results)
    for backend in backends:
        assert backend.engine is not None
        backend.engine.dispose()
    total_s = time.perf_counter() - started
    print(
        f"\nTotal run time {total_s:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
        + ")"
    )
    return {
        "articles": args.articles,
        "seed": SEED,
        "version": VERSION,
        "vocabulary": {
            c: {"words": len(v.words), "real": v.real_words, "hand_written": v.hand_words}
            for c, v in corpus.vocabularies.items()
        },
        "data": data,
        "load": {b.name: b.figures() for b in backends},
        "search": {
            name: {"summary": summaries[name], "queries": [t.figures() for t in timings]}
            for name, timings in results.items()
        },
        "search_checks": warnings,
        "startup": startup,
        "export": {"startup_s": startup.get("help_s", 0.0), "runs": exports},
        "operator_commands": operator,
        "targets": targets,
        "phases_s": phases,
        "total_s": round(total_s, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        figures = run(args)
    except BenchFailed as exc:
        print(f"bench_archive: {exc}", file=sys.stderr)
        return 1
    if args.json:
        Path(args.json).write_text(
            json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
