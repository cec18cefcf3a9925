"""Deterministic fake people for the Bizstim sandbox: names, addresses, phones and e-mails,
with the mess a long-lived PHP/MySQL account collects (see app.py's docstring)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

FIRST = ["Joe", "Emma", "Liam", "Olivia", "Noah", "Ava", "jennifer", "Mark", "Sophia", "Ethan",
         "Chloé", "José", "Zoë", "Søren", "Björn", "François", "Renée", "Łukasz", "Ñandú",
         "Wei", "Mei", "Aarav", "Priya", "Mohammed", "Fatima", "Grace", "Lucas", "Mia", "Jack",
         "Isla", "Oliver", "Amelia", "Benjamin", "Charlotte", "Hiroshi", "Yuki", "Siobhán",
         "Ingrid", "Dmitri", "Ana"]
LAST = ["Smith", "Billings", "Middletown", "Brown", "Tremblay", "Roy", "Gagnon", "Wilson",
        "Müller", "Núñez", "Ødegaard", "李", "王", "O'Brien", "van der Berg", "Smith-Jones",
        "García", "Nguyen", "Patel", "Singh", "Kowalski", "Johansson", "Côté", "Bélanger",
        "Taylor", "Anderson", "Thomas", "Martin", "Lee", "Walker", "Young", "Hall", "Wright",
        "MacDonald", "Campbell", "Murphy", "Kelly", "Chen", "Kim", "Rossi"]
STREETS = ["Main Street West", "New Street East", "King St E", "Queen Street", "Easy Street",
           "Rue Saint-Denis", "High Street", "George St", "Lakeshore Rd", "Maple Ave",
           "Elm Street", "Church Road", "Victoria Parade", "Bay Street", "5th Avenue"]
ADDR2 = ["101", "501", "Apt 4", "Suite 200", "Unit 12B", "#3", "Basement"]
DOMAINS = ["gmail.com", "mail.com", "yahoo.ca", "hotmail.com", "outlook.com", "icloud.com",
           "rogers.com", "btinternet.com", "bigpond.com.au"]
BAD_EMAILS = ["john@", "n/a", "none", "test@@mail.com", "no email", "@gmail.com"]
BAD_PHONES = ["n/a", "555-01", "none", "ask mom", "0"]

# country -> [(city, [state spellings], zip prefix)]
PLACES: dict[str, list[tuple[str, list[str], str]]] = {
    "Canada": [("Milton", ["Ontario", "ON"], "L9T"), ("Hamilton", ["Ontario", "ON"], "L8R"),
               ("Toronto", ["Ontario", "ON", "ont."], "M5V"),
               ("Mississauga", ["Ontario", "ON"], "L5B"),
               ("Montréal", ["Québec", "QC", "Quebec"], "H2X"),
               ("Vancouver", ["British Columbia", "BC"], "V6B"),
               ("Calgary", ["Alberta", "AB"], "T2P")],
    "United States": [("Buffalo", ["New York", "NY"], "142"), ("Seattle", ["Washington", "WA"],
                      "981"), ("Austin", ["Texas", "TX"], "787"),
                      ("Chicago", ["Illinois", "IL"], "606"),
                      ("Boston", ["Massachusetts", "MA"], "021")],
    "United Kingdom": [("London", ["Greater London", ""], "SW1A"),
                       ("Manchester", ["Greater Manchester", ""], "M1"),
                       ("Edinburgh", ["Scotland", ""], "EH1")],
    "Australia": [("Sydney", ["NSW", "New South Wales"], "2"), ("Melbourne", ["VIC"], "3"),
                  ("Perth", ["WA"], "6"), ("Brisbane", ["QLD", "Queensland"], "4")],
}
COUNTRY_SPELLINGS = {"Canada": ["Canada", "Canada", "Canada", "canada", "CA"],
                     "United States": ["United States", "United States", "USA", "US"],
                     "United Kingdom": ["United Kingdom", "United Kingdom", "UK"],
                     "Australia": ["Australia"]}
ZONES = {"Canada": ["America/Toronto", "America/Vancouver", "America/Edmonton"],
         "United States": ["America/New_York", "America/Chicago", "America/Los_Angeles"],
         "United Kingdom": ["Europe/London"], "Australia": ["Australia/Sydney", "Australia/Perth"]}
NA_AREA = {"Canada": ["905", "416", "647", "289", "514", "604", "403"],
           "United States": ["716", "206", "512", "312", "617"]}


def pick_country(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.60:
        return "Canada"
    if r < 0.85:
        return "United States"
    return "United Kingdom" if r < 0.93 else "Australia"


def ascii_fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def phone(rng: random.Random, country: str, junk: float = 0.04) -> str:
    """One phone number in one of the formats people actually type (or junk)."""
    r = rng.random()
    if r < junk:
        return rng.choice(BAD_PHONES)
    d4 = f"{rng.randrange(10000):04d}"
    d3 = f"{rng.randrange(200, 1000):03d}"
    if country == "United Kingdom":
        return rng.choice([f"+44 20 7946 {d4}", f"020 7946 {d4}", f"07700 9{d3[:2]}{d4[:3]}",
                           f"+447700900{d3}"])
    if country == "Australia":
        return rng.choice([f"+61 2 9374 {d4}", f"(02) 9374 {d4}", f"0412 {d3} {d4[:3]}",
                           f"+61412{d3}{d4[:3]}"])
    area = rng.choice(NA_AREA[country])
    fmt = rng.randrange(7)
    return [f"({area}) {d3}-{d4}", f"{area}.{d3}.{d4}", f"+1 {area} {d3} {d4}",
            f"1{area}{d3}{d4}", f"{area}-{d3}-{d4}", f"{area}{d3}{d4}",
            f"{area} {d3} {d4} ext. {rng.randrange(1, 99)}"][fmt]


def email_for(rng: random.Random, first: str, last: str, shared_pool: int) -> str:
    """A client's `email` string: usually one address, sometimes a messy comma list, a parent
    address shared by siblings (family k of shared_pool), junk, or empty."""
    local = f"{ascii_fold(first) or 'user'}.{ascii_fold(last) or rng.randrange(100, 999)}"
    base = f"{local}@{rng.choice(DOMAINS)}"
    r = rng.random()
    if r < 0.08:
        return family_email(rng.randrange(max(1, shared_pool)))
    if r < 0.15:  # comma list: spaces, upper case, a duplicate inside the list
        other = f"{ascii_fold(first)}{rng.randrange(10, 99)}@{rng.choice(DOMAINS)}"
        return rng.choice([f"{base}, {other.upper()}", f"{base},{other}, {base}",
                           f"{base.upper()} ,{other},{other}", f"{base},{other}"])
    if r < 0.19:
        return rng.choice(BAD_EMAILS)
    if r < 0.24:
        return ""
    if r < 0.27:
        return base.capitalize()
    return base


def family_email(k: int) -> str:
    parent = FIRST[(k * 7) % len(FIRST)]
    return f"{ascii_fold(parent)}.family{k}@{DOMAINS[k % 4]}"


def address(rng: random.Random, country: str) -> dict[str, str]:
    city, states, prefix = rng.choice(PLACES[country])
    if country == "Canada":
        a = rng.choice("ABCEGHJKLMNPRSTVXY")
        z = f"{prefix} {rng.randrange(10)}{a}{rng.randrange(10)}"
        z = rng.choice([z, z, z, z.replace(" ", ""), z.lower()])
    elif country == "United States":
        z = f"{prefix}{rng.randrange(100):02d}"
        if rng.random() < 0.2:
            z += f"-{rng.randrange(10000):04d}"
    elif country == "United Kingdom":
        z = f"{prefix} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNP')}{rng.choice('QRSTUWXYZ')}"
    else:
        z = f"{prefix}{rng.randrange(1000):03d}"
    r = rng.random()
    return {
        "address1": "" if r < 0.05 else f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        "address2": rng.choice(ADDR2) if r > 0.7 else "",
        "city": city if r > 0.02 else "",
        "state": rng.choice(states),
        "zipcode": z if r > 0.04 else "",
        "country": rng.choice(COUNTRY_SPELLINGS[country]) if r > 0.01 else "",
    }


def person(rng: random.Random, country: str) -> dict[str, str]:
    """first/last name, address fields and the three phone fields."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.02:
        last = f" {last} "  # stray whitespace from a web form
    rec = {"first_name": first, "last_name": last, **address(rng, country)}
    r = rng.random()
    rec["p_phone"] = phone(rng, country) if r > 0.05 else ""
    rec["s_phone"] = phone(rng, country) if r > 0.6 else ""
    if r < 0.3:
        rec["text_phone"] = ""
    elif r < 0.38:  # comma-separated list of mobiles
        rec["text_phone"] = f"{phone(rng, country, 0)},{phone(rng, country, 0)}"
    else:
        rec["text_phone"] = "".join(ch for ch in phone(rng, country, 0) if ch.isdigit())
    return rec


TODAY = dt.date(2025, 6, 30)  # the account's fixed "now": later sessions are still open
HHMM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 5)] + ["24:00"]
CUSTOM_POOL = [("School", "text", ""), ("Grade", "select", "K|1|2|3|4|5|6|7|8|9|10|11|12"),
               ("Parent name", "text", ""), ("Allergies", "textarea", ""),
               ("Date of birth", "date", ""), ("Hours purchased", "number", ""),
               ("Photo consent", "checkbox", ""),
               ("Referral source", "select", "Google|Friend|Flyer|Other"),
               ("Learning goals", "textarea", "")]
SUBJECTS = ["Math", "Calculus Preparation", "English Writing", "French Immersion", "Physics",
            "Chemistry", "SAT Prep", "Reading Readiness", "Biology", "Piano", "Coding", "ESL"]
PLANS = ["Gold Tutoring Plan (20 hours)", "Silver Plan (10 hours)", "Exam Cram Package",
         "Summer Bundle", "Bronze Plan (5 hours)", "Family Package"]


def hhmm(minutes: int) -> str:
    return HHMM[minutes // 5] if minutes % 5 == 0 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def custom_value(rng: random.Random, typ: str, options: str) -> str:
    if rng.random() < 0.5:
        return ""
    if typ == "select":
        return rng.choice([*options.split("|"), "Legacy value"])
    if typ == "date":
        return "0000-00-00" if rng.random() < 0.05 else f"20{rng.randrange(5, 20):02d}-0" \
            f"{rng.randrange(1, 10)}-{rng.randrange(10, 29)}"
    if typ == "number":
        return rng.choice(["12", "7.5", "0", "n/a"])
    if typ == "checkbox":
        return rng.choice("01")
    if typ == "textarea":
        return "Peanuts.\nAlso bees." if rng.random() < 0.5 else "None known"
    return rng.choice(["Milton District HS", "École Saint-Joseph", "Homeschool", "李 Academy"])


def availability(rng: random.Random, aid: int, label: str) -> dict[str, str]:
    rec = {"id": str(aid), "label": label,
           "start": "" if rng.random() < 0.3 else str(TODAY - dt.timedelta(rng.randrange(900))),
           "end": "" if rng.random() < 0.5 else str(TODAY + dt.timedelta(rng.randrange(365)))}
    for d in ("m", "t", "w", "r", "f", "sat", "sun"):
        r = rng.random()
        if r < (0.6 if d in ("sat", "sun") else 0.15):
            f, t = "", ""
        elif r > 0.97:  # start >= end windows
            f = hhmm(rng.randrange(12, 20) * 60)
            t = f if r > 0.985 else hhmm(rng.randrange(6, 12) * 60)
        else:
            lo = rng.randrange(6 * 12, 14 * 12) * 5
            hi = 1440 if r > 0.9 else min(1440, lo + rng.randrange(2, 10) * 60 + rng.choice(
                [0, 0, 1, 30]))
            f, t = hhmm(lo), hhmm(hi)
        rec[f"{d}Availf"], rec[f"{d}Availt"] = f, t
    return rec
