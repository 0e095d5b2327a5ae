"""Word lists of the wire-copy generator (:mod:`benchmarks.synth`): headline prefixes and suffixes, scraped-page
boilerplate, outlet footers with the names they are filled in with, and the replacement words of its word
substitution."""

from __future__ import annotations

from typing import Final

__all__ = [
    "CITIES",
    "COMMON_WORDS",
    "EDITORS",
    "FOOTERS",
    "HEAD_BOILERPLATE",
    "HEADLINE_PREFIXES",
    "HEADLINE_SUFFIXES",
    "RELATED_HEADLINES",
    "REPORTERS",
    "SYNONYMS",
    "TAIL_BOILERPLATE",
]

HEADLINE_PREFIXES: Final[tuple[str, ...]] = (
    "UPDATE:",
    "UPDATED:",
    "WATCH:",
    "BREAKING:",
    "LIVE:",
    "ANALYSIS:",
    "EXPLAINER:",
    "FACTBOX:",
    "WRAPUP 1-",
    "REFILE-",
)
"""Outlet-style headline prefixes used by :func:`benchmarks.synth.new_headline`."""

HEADLINE_SUFFIXES: Final[tuple[str, ...]] = (
    " - Reuters",
    " | AP News",
    " - The Times of Israel",
    " | Al Jazeera",
    " - France 24",
    " | World News",
    " - Breaking News",
)

HEAD_BOILERPLATE: Final[tuple[str, ...]] = (
    "[ad_1]",
    "Advertisement",
    "Share this article",
    "Skip to content",
    "Listen to this article",
    "Share on Facebook Share on Twitter",
)
"""Scraped-page lines that :func:`benchmarks.synth.add_boilerplate` may put before the body."""

TAIL_BOILERPLATE: Final[tuple[str, ...]] = (
    "[ad_2]",
    "Source link",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Related: {related}",
    "Sign up for our newsletter",
    "Share this article",
    "Advertisement",
    "Comments are closed.",
    "Follow us on Twitter and Facebook",
)
"""Scraped-page lines that :func:`benchmarks.synth.add_boilerplate` may put after the body (``{related}`` is filled in)."""

RELATED_HEADLINES: Final[tuple[str, ...]] = (
    "Stocks edge higher as investors await inflation data",
    "Oil prices climb on supply worries",
    "What we know so far",
    "Live updates: the latest from the region",
    "Five things to know this morning",
    "Markets wrap: shares mixed ahead of central bank decision",
    "Photos of the week",
    "The week in review",
)

REPORTERS: Final[tuple[str, ...]] = (
    "Maayan Lubell",
    "Nidal al-Mughrabi",
    "Jonathan Saul",
    "Humeyra Pamuk",
    "Steve Holland",
    "Andrew Mills",
    "Dan Williams",
    "Jeff Mason",
    "Aidan Lewis",
    "Samia Nakhoul",
)
EDITORS: Final[tuple[str, ...]] = (
    "Mark Heinrich",
    "William Maclean",
    "Alex Richardson",
    "Giles Elgood",
    "Jonathan Oatis",
    "Daniel Wallis",
    "Peter Graff",
)
CITIES: Final[tuple[str, ...]] = (
    "Jerusalem",
    "Gaza",
    "Cairo",
    "Washington",
    "Dubai",
    "Beirut",
    "Amman",
    "London",
)

FOOTERS: Final[tuple[str, ...]] = (
    "Copyright {year}The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "(Reporting by {reporter} in {city}; Additional reporting by {reporter2}; Editing by {editor})\n"
    "Our Standards: The Thomson Reuters Trust Principles.",
    "Reporting by {reporter}; Writing by {reporter2}; Editing by {editor}",
    "Copyright {year}Agence France-Presse. All rights reserved.",
    "-- AFP\n{initials}/{initials2}",
    "Associated Press writer {reporter} in {city} contributed to this report.",
)
"""Footer templates used by :func:`benchmarks.synth.add_footer` (placeholders are filled in from built-in lists)."""

# A small synonym map for news vocabulary. Every value is a single word made of letters only, so a
# substitution never changes the number of word tokens.
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "said": ("stated", "added", "noted", "told", "declared"),
    "says": ("states", "adds", "notes", "claims"),
    "told": ("informed", "said", "advised"),
    "officials": ("authorities", "representatives", "aides", "diplomats"),
    "official": ("representative", "aide", "spokesperson"),
    "president": ("leader", "head"),
    "violence": ("fighting", "bloodshed", "hostilities", "clashes"),
    "fighting": ("combat", "violence", "clashes", "hostilities"),
    "conflict": ("war", "confrontation", "crisis", "dispute"),
    "war": ("conflict", "fighting", "campaign"),
    "attack": ("assault", "strike", "raid"),
    "attacks": ("assaults", "strikes", "raids"),
    "killed": ("slain", "dead"),
    "people": ("persons", "residents", "civilians", "individuals"),
    "calm": ("quiet", "peace", "stability"),
    "ceasefire": ("truce", "armistice"),
    "truce": ("ceasefire", "armistice"),
    "talks": ("negotiations", "discussions", "meetings"),
    "meeting": ("session", "gathering", "summit"),
    "support": ("backing", "help", "aid"),
    "help": ("assist", "aid", "support"),
    "urged": ("pressed", "called", "implored"),
    "called": ("urged", "pressed", "appealed"),
    "began": ("started", "commenced"),
    "started": ("began", "launched"),
    "ended": ("finished", "concluded"),
    "end": ("halt", "close", "stop"),
    "stop": ("halt", "end", "cease"),
    "large": ("big", "major", "massive"),
    "big": ("large", "major"),
    "major": ("significant", "key", "large"),
    "important": ("crucial", "vital", "key"),
    "vital": ("crucial", "essential", "critical"),
    "key": ("main", "central", "crucial"),
    "main": ("primary", "principal", "chief"),
    "top": ("leading", "chief", "senior"),
    "senior": ("high", "top", "leading"),
    "country": ("nation", "state"),
    "nation": ("country", "state"),
    "region": ("area", "territory", "zone"),
    "area": ("region", "zone", "district"),
    "city": ("town", "municipality"),
    "week": ("period", "stretch"),
    "several": ("various", "multiple", "numerous"),
    "many": ("numerous", "countless", "plenty"),
    "most": ("majority", "bulk"),
    "group": ("organization", "faction", "movement"),
    "leaders": ("chiefs", "heads", "officials"),
    "leader": ("chief", "head", "boss"),
    "government": ("administration", "cabinet", "authorities"),
    "administration": ("government", "executive"),
    "statement": ("announcement", "release", "communique"),
    "announced": ("declared", "revealed", "unveiled"),
    "plan": ("proposal", "scheme", "strategy"),
    "plans": ("proposals", "schemes", "intentions"),
    "effort": ("attempt", "push", "bid", "initiative"),
    "efforts": ("attempts", "initiatives", "bids"),
    "pressure": ("strain", "stress", "demands"),
    "growing": ("rising", "mounting", "increasing"),
    "mounting": ("rising", "growing", "increasing"),
    "rising": ("growing", "mounting", "climbing"),
    "increase": ("rise", "growth", "surge"),
    "also": ("additionally", "likewise", "too"),
    "however": ("nevertheless", "still", "yet"),
    "despite": ("notwithstanding",),
    "because": ("since", "as"),
    "about": ("regarding", "concerning", "around"),
    "nearly": ("almost", "roughly", "approximately"),
    "almost": ("nearly", "virtually"),
    "around": ("about", "roughly", "approximately"),
    "more": ("additional", "further", "extra"),
    "new": ("fresh", "latest", "recent"),
    "recent": ("latest", "new", "current"),
    "early": ("initial", "first"),
    "quickly": ("rapidly", "swiftly", "promptly"),
    "immediately": ("promptly", "instantly", "directly"),
    "clear": ("plain", "obvious", "evident"),
    "hostages": ("captives", "prisoners", "detainees"),
    "rockets": ("missiles", "projectiles"),
    "strikes": ("raids", "attacks", "bombardments"),
    "residents": ("inhabitants", "locals", "people"),
    "warned": ("cautioned", "alerted"),
    "spoke": ("talked", "conversed"),
    "reported": ("stated", "said", "announced"),
}
"""Synonyms used by :func:`benchmarks.synth.substitute_words` before falling back to :data:`COMMON_WORDS`."""

COMMON_WORDS: Final[tuple[str, ...]] = tuple(
    """
    about above across action activity actually added addition address after again against agency
    agreed ahead allow already although always among amount analysis another answer anyone appear
    approach area argue around arrive article attention audience available away back based battle
    became become before began behind being believe best better between beyond board body book both
    break bring brother budget build building business call came campaign capital card care career
    carry case cause center central century certain chance change charge choice church citizen city
    civil claim class clear close coach cold collection college come comment common community company
    compare concern condition consider continue control cost could country couple course court cover
    create crime cultural current customer daily damage data daughter dead deal death debate decade
    decide decision deep defense degree demand describe design despite detail develop difference
    different difficult dinner direction director discover discuss disease doctor door down draw dream
    drive during early east economic economy edge education effect effort eight either election else
    employee energy enjoy enough enter entire environment equal especially evening event ever every
    evidence exactly example executive expect experience expert explain face fact factor fail fall
    family far fast father fear federal feel field fight figure final finally financial find fine
    finger finish fire firm first fish five floor focus follow food foot force foreign forget form
    former forward four free friend front full fund future game garden general generation girl give
    glass goal good great green ground group grow growth guess hand hang happen happy hard have head
    health hear heart heat heavy help here herself high himself history hold home hope hospital hotel
    hour house however huge human hundred idea identify image imagine impact important improve include
    increase indeed indicate industry information inside instead interest interview investment involve
    issue item itself join just keep kind kitchen know land language large last late later laugh
    lawyer lead leader learn least leave left legal less letter level life light like likely line list
    listen little live local long look lose loss lot love machine magazine main maintain major manage
    market material matter maybe mean measure media medical meet meeting member memory mention message
    method middle might military million mind minute miss mission model modern moment money month
    morning most mother mouth move movement much music must myself name nation national natural nature
    near nearly necessary need network never news next nice night none north note nothing notice number
    occur offer office officer often once only open operation option order organization other others
    outside over owner page pain paper parent part particular partner party pass past patient pattern
    peace people perform perhaps period person personal phone picture piece place plan plant play
    player point police policy political poor popular population position positive possible power
    practice prepare present pressure pretty prevent price private probably problem process produce
    product program project property protect prove provide public purpose push quality question quickly
    quite race radio raise range rate rather reach read ready real reality realize really reason
    receive recent recently record reduce reflect region relate remain remember report represent
    require research resource respond rest result return reveal right rise risk road rock role room
    rule safe same save scene school science score season seat second section security seek seem sell
    send senior sense series serious serve service set seven several shake share shoot short shot
    should shoulder show side sign significant similar simple simply since sing single sister site
    situation size skill small smile social society soldier some somebody someone something sometimes
    song soon sort sound source south space speak special specific speech spend sport spring staff
    stage stand standard star start state statement station stay step still stock stop story strategy
    street strong structure student study stuff style subject success successful such suddenly suffer
    suggest summer support sure surface system table take talk task teach teacher team technology
    television tell tend term test than thank that their them themselves then theory there these they
    thing think third those though thought thousand threat three through throughout throw thus time
    today together tonight total tough toward town trade traditional training travel treat treatment
    tree trial trip trouble true truth turn type under understand unit until upon usually value various
    very victim view violence visit voice vote wait walk wall want watch water weapon wear week weight
    well west western what whatever when where whether which while white whole whom whose wide wife
    will wind window wish with within without woman wonder word work worker world worry would write
    writer wrong yard yeah year young yourself
    """.split()
)
"""A few hundred common English words: the fallback replacements of :func:`benchmarks.synth.substitute_words`."""
