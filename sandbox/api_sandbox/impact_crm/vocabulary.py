"""The words the synthetic CRM is made of: names, countries, statuses, instruments, servers."""

from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    """A lead's country: ISO 3166 alpha-2 code, spoken language and phone dialling code."""

    code: str
    language: str
    dialling_code: str


class Instrument(NamedTuple):
    """A traded symbol: its typical price, price decimals and contract size per lot."""

    symbol: str
    price: float
    decimals: int
    contract_size: int


FIRST_NAMES = (
    "Maria",
    "Lukas",
    "Sophie",
    "James",
    "Olivia",
    "Mateo",
    "Emma",
    "Noah",
    "Chloe",
    "Liam",
    "Anna",
    "Marco",
    "Julia",
    "David",
    "Sara",
    "Pedro",
    "Laura",
    "Tomasz",
    "Elena",
    "Ahmed",
    "Fatima",
    "Kenji",
    "Yuki",
    "Ravi",
    "Priya",
    "Oliver",
    "Isabella",
    "Lucas",
    "Mia",
    "Jonas",
    "Nina",
    "Andre",
    "Clara",
    "Hugo",
    "Ines",
    "Felix",
    "Lea",
    "Samuel",
    "Zoe",
    "Daniel",
)
LAST_NAMES = (
    "Schneider",
    "Smith",
    "Garcia",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Jansen",
    "Silva",
    "Andersson",
    "Papadopoulos",
    "Muller",
    "Brown",
    "Lopez",
    "Bianchi",
    "Martin",
    "Nowak",
    "de Vries",
    "Costa",
    "Nilsson",
    "Georgiou",
    "Weber",
    "Taylor",
    "Fernandez",
    "Ricci",
    "Bernard",
    "Wisniewski",
    "Bakker",
    "Santos",
    "Berg",
    "Nikolaou",
    "Tanaka",
    "Khan",
    "Naidoo",
    "Okafor",
    "Wong",
    "Tan",
    "Kim",
    "Ali",
    "Haddad",
    "Novak",
)
COUNTRIES = (
    Country("DE", "de", "49"), Country("GB", "en", "44"), Country("FR", "fr", "33"),
    Country("ES", "es", "34"), Country("IT", "it", "39"), Country("NL", "nl", "31"),
    Country("PL", "pl", "48"), Country("SE", "sv", "46"), Country("PT", "pt", "351"),
    Country("AT", "de", "43"), Country("CH", "de", "41"), Country("AE", "ar", "971"),
    Country("ZA", "en", "27"), Country("AU", "en", "61"), Country("CA", "en", "1"),
    Country("BR", "pt", "55"), Country("MX", "es", "52"), Country("JP", "ja", "81"),
    Country("SG", "en", "65"), Country("MY", "ms", "60"), Country("TH", "th", "66"),
    Country("NG", "en", "234"), Country("KE", "en", "254"), Country("CY", "el", "357"),
    Country("GR", "el", "30"),
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.test")

OPEN_LEAD_STATUSES = ("new", "contacted", "no_answer", "call_back", "interested", "not_interested")
CONVERTED_STATUS = "converted"
LEAD_STATUSES = (*OPEN_LEAD_STATUSES, CONVERTED_STATUS)

AFFILIATE_COUNT = 40
FIRST_AFFILIATE_ID = 201
CAMPAIGNS_PER_AFFILIATE = 8

UTM_SOURCES = ("google", "facebook", "instagram", "tiktok", "affiliate", "newsletter", None)
UTM_MEDIUMS = ("cpc", "social", "email", "referral", "display", None)
UTM_CAMPAIGNS = ("spring_promo", "gold_rush", "crypto_week", "webinar_q1", "retargeting", None)
UTM_TERMS = ("forex trading", "cfd broker", "gold price", "bitcoin cfd", None, None)
UTM_CONTENTS = ("banner_a", "banner_b", "video", "landing_v2", None, None)

TAG_CATEGORIES = (
    ("Interest", ("forex", "crypto", "commodities", "indices", "stocks")),
    ("Experience", ("beginner", "intermediate", "professional")),
    ("Segment", ("vip", "high_potential", "retention", "dormant")),
    ("Source", ("webinar", "referral", "campaign", "organic")),
)

TRANSACTION_TYPES = ("deposit", "deposit", "deposit", "withdrawal", "withdrawal", "credit", "bonus")
PAYMENT_METHODS = ("Credit Card", "Wire Transfer", "Skrill", "Neteller", "Crypto")
INTERNAL_METHOD = "Internal"
CURRENCY_RATES_TO_USD = (("USD", 1.0), ("EUR", 1.08), ("GBP", 1.27), ("AUD", 0.66), ("CAD", 0.73))
AMOUNT_CENTS_RANGE = {
    "deposit": (5_000, 500_000),
    "withdrawal": (2_000, 300_000),
    "credit": (1_000, 50_000),
    "bonus": (1_000, 20_000),
}

SERVERS = (
    ("mt4", "MT4-Live-1"),
    ("mt4", "MT4-Live-2"),
    ("mt4", "MT4-Live-3"),
    ("mt5", "MT5-Live-1"),
    ("mt5", "MT5-Live-2"),
)
INSTRUMENTS = (
    Instrument("EURUSD", 1.085, 5, 100_000),
    Instrument("GBPUSD", 1.27, 5, 100_000),
    Instrument("USDJPY", 151.2, 3, 1_000),
    Instrument("AUDUSD", 0.655, 5, 100_000),
    Instrument("XAUUSD", 2350.0, 2, 100),
    Instrument("US30", 39_000.0, 1, 1),
    Instrument("NAS100", 18_000.0, 1, 1),
    Instrument("BTCUSD", 65_000.0, 2, 1),
    Instrument("USOIL", 78.5, 2, 100),
)
SIDES = ("buy", "sell")
