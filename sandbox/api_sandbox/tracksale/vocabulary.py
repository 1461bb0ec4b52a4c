"""The words the synthetic Tracksale account is made of: people, channels, statuses, categories.

Every string here is ASCII, so that e-mail handles can be built from names directly.
"""

from __future__ import annotations

from typing import NamedTuple


class Labelled(NamedTuple):
    """A status or category as the reports list it: id, name and display colour."""

    id: int
    name: str
    color: str


FIRST_NAMES = (
    "Ana", "Bruno", "Carla", "Diego", "Elisa", "Felipe", "Gabriela", "Heitor", "Isabela", "Joao",
    "Karina", "Lucas", "Mariana", "Nicolas", "Olivia", "Paulo", "Rafaela", "Samuel", "Tatiana",
    "Vitor", "Beatriz", "Caio", "Daniela", "Eduardo", "Fernanda", "Gustavo", "Helena", "Igor",
    "Julia", "Leonardo", "Larissa", "Marcelo", "Natalia", "Otavio", "Patricia", "Renato",
)  # fmt: skip
LAST_NAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
    "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Mendes",
)  # fmt: skip
# Distinct from the Impact CRM sandbox's domains, so that customers synced from the CRM never
# collide with the survey history generated here.
EMAIL_DOMAINS = ("inbox.test", "correio.test", "mailbox.test", "webmail.test")
WORK_EMAIL_DOMAIN = "work.test"
AREA_CODES = ("11", "21", "31", "41", "47", "48", "51", "61", "71", "81", "85", "91")

CHANNEL_ANSWER_TYPES = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp"}
LINK_ANSWER_TYPE = "Link"

STATUSES = (
    Labelled(1, "Pending", "#F8D347"),
    Labelled(2, "In progress", "#3B8BEB"),
    Labelled(3, "Resolved", "#2EB872"),
)
PRIORITIES = ("None", "Low", "Medium", "High")
ASSIGNEES = ("Ana Souza", "Bruno Lima", "Carla Mendes", "Diego Rocha", "Elisa Costa")
CATEGORIES = (
    Labelled(501, "Product", "#F8D347"),
    Labelled(502, "Delivery", "#E56B6F"),
    Labelled(503, "Price", "#6D597A"),
    Labelled(504, "Support", "#3B8BEB"),
    Labelled(505, "Website", "#2EB872"),
    Labelled(506, "Mobile app", "#FF9F1C"),
    Labelled(507, "Billing", "#8D99AE"),
    Labelled(508, "Onboarding", "#06D6A0"),
)
# Justification groups, each with the reasons a promoter and a detractor tend to pick.
JUSTIFICATION_GROUPS = (
    ("Service", ("Quick answers", "Friendly staff"), ("Slow answers", "Unresolved issue")),
    ("Product", ("Quality", "Variety"), ("Defects", "Missing features")),
    ("Price", ("Fair price", "Good promotions"), ("Too expensive", "Hidden fees")),
    ("Platform", ("Easy to use", "Fast withdrawals"), ("Hard to navigate", "Outages")),
)
TAG_CHOICES = (
    ("Store", ("Centro", "Paulista", "Barra", "Savassi", "Online")),
    ("Segment", ("Retail", "Premium", "Corporate", "")),
    ("Plan", ("Basic", "Plus", "Pro", "")),
)
PROMOTER_COMMENTS = (
    "Great service, very quick.",
    "Everything arrived on time, thank you!",
    "The team solved my problem at once.",
    "Easy to use and fair prices.",
    "I recommend it to all my friends.",
)
PASSIVE_COMMENTS = (
    "Good, but delivery could be faster.",
    "It works, nothing special.",
    "Fine overall, the app is a bit slow.",
    "Prices went up recently.",
)
DETRACTOR_COMMENTS = (
    "Nobody answered my emails.",
    "The product broke after a week.",
    "Too expensive for what it offers.",
    "My withdrawal took ten days.",
    "Support closed my ticket without solving it.",
)
REVIEW_COMMENTS = ("Well packed.", "Courier was polite.", "Took too long.", "Box was damaged.")
OPEN_ANSWERS = (
    "Keep up the good work.",
    "Please add more payment methods.",
    "A chat on the website would help.",
    "Nothing to add.",
)
