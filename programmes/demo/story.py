"""The demo story as plain data: who funds what, which programmes and grants, what they count, who signs in.

Names of places and public bodies, the £3.1m pot, the Duty's almost £970,000 over three years, the 38% fall
in crimes and incidents in Stoke-on-Trent parks, the 67% survey finding, six community bleed control kits,
200 police cars and 37 Charter signatories come from the two press releases in the design brief. Everything
else (providers marked "(fictional)", amounts, yearly splits, quarterly figures, narratives) is invented and
marked as demo data, as is the Home Office as the pot's funder. The story starts in 2023/24; as each
programme's first grants end (the pot in 2024/25, the Duty in 2025/26) it goes on with yearly grants from the
Commissioner's core grants, so the story reaches whatever the current financial year is.
"""

import datetime
from dataclasses import dataclass, field

from funding.fiscal import FinancialYear
from funding.roles import Role

DEMO_PASSWORD = "outturn-demo"
FIRST_YEAR = FinancialYear(2023)
DEMO_NOTE = "Demo data: illustrative figure, not from the press releases."

D = datetime.date

# --- Places ---------------------------------------------------------------------------------------------------

STAFFORDSHIRE = "E23000015"
STOKE = "E06000021"
CANNOCK, EAST_STAFFS, LICHFIELD, NEWCASTLE = "E07000192", "E07000193", "E07000194", "E07000195"
SOUTH_STAFFS, STAFFORD, MOORLANDS, TAMWORTH = "E07000196", "E07000197", "E07000198", "E07000199"

AREAS = [
    # (ONS code, name, geography type)
    (STAFFORDSHIRE, "Staffordshire Police force area", "PFA"),
    (STOKE, "Stoke-on-Trent", "UA"),
    (CANNOCK, "Cannock Chase", "LAD"),
    (EAST_STAFFS, "East Staffordshire", "LAD"),
    (LICHFIELD, "Lichfield", "LAD"),
    (NEWCASTLE, "Newcastle-under-Lyme", "LAD"),
    (SOUTH_STAFFS, "South Staffordshire", "LAD"),
    (STAFFORD, "Stafford", "LAD"),
    (MOORLANDS, "Staffordshire Moorlands", "LAD"),
    (TAMWORTH, "Tamworth", "LAD"),
]

# --- Organisations --------------------------------------------------------------------------------------------

# GB-GOVUK ids are GOV.UK's organisation slugs and GB-LAE-STE is Stoke's council code. The other bodies get a
# 360G- id under the demo's own prefix rather than a registration number the demo cannot vouch for.
HOME_OFFICE = "GB-GOVUK-home-office"
COMMISSIONER = "360G-SSVRA-ORG-commissioner"
NAVIGATOR_PROVIDER = "360G-SSVRA-ORG-reachable-moment"
SCVYS = "360G-SSVRA-ORG-scvys"
STOKE_COUNCIL = "GB-LAE-STE"
CHIT_CHAT = "360G-SSVRA-ORG-chit-chat-4-u"
SAFE_SPACES_PROVIDER = "360G-SSVRA-ORG-night-light"
PSHE_PROVIDER = "360G-SSVRA-ORG-classroom-compass"
VR_PROVIDER = "360G-SSVRA-ORG-headset-learning"
HOME_SECURITY_PROVIDER = "360G-SSVRA-ORG-safe-at-home"

ORGANISATIONS = [
    # (org_id, name, kind, website)
    (HOME_OFFICE, "Home Office", "funder", "https://www.gov.uk/government/organisations/home-office"),
    (COMMISSIONER, "Office of the Staffordshire Commissioner", "commissioner", ""),
    (NAVIGATOR_PROVIDER, "Reachable Moment Children's Service (fictional)", "provider", ""),
    (SCVYS, "Staffordshire Council of Voluntary Youth Services (SCVYS)", "provider", ""),
    (STOKE_COUNCIL, "Stoke-on-Trent City Council", "provider", "https://www.stoke.gov.uk"),
    (CHIT_CHAT, "Chit Chat 4 U", "provider", ""),
    (SAFE_SPACES_PROVIDER, "Night Light Safe Spaces (fictional)", "provider", ""),
    (PSHE_PROVIDER, "Classroom Compass Education (fictional)", "provider", ""),
    (VR_PROVIDER, "Headset Learning CIC (fictional)", "provider", ""),
    (HOME_SECURITY_PROVIDER, "Safe at Home Staffordshire (fictional)", "provider", ""),
]

# --- Demo logins (all with DEMO_PASSWORD; the README lists these) ---------------------------------------------


@dataclass(frozen=True)
class Login:
    email: str
    first_name: str
    last_name: str
    organisation: str  # org_id
    roles: tuple[Role, ...] = ()
    superuser: bool = False


def _provider_logins(org_id: str, domain: str, editor: tuple[str, str], approver: tuple[str, str]) -> list[Login]:
    return [
        Login(f"editor@{domain}", *editor, organisation=org_id, roles=(Role.PROVIDER_EDITOR,)),
        Login(f"approver@{domain}", *approver, organisation=org_id, roles=(Role.PROVIDER_APPROVER,)),
    ]


DEMO_LOGINS: list[Login] = [
    Login("admin@outturn.demo", "Demo", "Administrator", COMMISSIONER, superuser=True),
    Login("officer@outturn.demo", "Amira", "Khan", COMMISSIONER, (Role.COMMISSIONING_OFFICER,)),
    Login("finance@outturn.demo", "Tom", "Whitfield", COMMISSIONER, (Role.FINANCE_OFFICER,)),
    Login("board@outturn.demo", "Janet", "Morley", COMMISSIONER, (Role.BOARD_VIEWER,)),
    Login("editor@outturn.demo", "Leo", "Fenton", COMMISSIONER, (Role.CONTENT_EDITOR,)),
    *_provider_logins(NAVIGATOR_PROVIDER, "reachablemoment.demo", ("Grace", "Oduya"), ("Martin", "Hale")),
    *_provider_logins(SCVYS, "scvys.demo", ("Hannah", "Price"), ("Raj", "Bains")),
    *_provider_logins(STOKE_COUNCIL, "stoke.demo", ("Kerry", "Lomas"), ("David", "Ashworth")),
    *_provider_logins(CHIT_CHAT, "chitchat4u.demo", ("Shannon", "Brough"), ("Paula", "Dean")),
    *_provider_logins(SAFE_SPACES_PROVIDER, "nightlight.demo", ("Ellie", "Cartwright"), ("Naomi", "Fry")),
    *_provider_logins(PSHE_PROVIDER, "classroomcompass.demo", ("Owen", "Riley"), ("Beth", "Sandhu")),
    *_provider_logins(VR_PROVIDER, "headsetlearning.demo", ("Callum", "Webb"), ("Aisha", "Malik")),
    *_provider_logins(HOME_SECURITY_PROVIDER, "safeathome.demo", ("Gary", "Plant"), ("Lorraine", "Tait")),
]
OFFICER, FINANCE = "officer@outturn.demo", "finance@outturn.demo"

# --- Funding streams ------------------------------------------------------------------------------------------

SVD, POT, CORE = "serious-violence-duty", "safer-streets-women-girls-safety-fund", "commissioners-core-grants"


@dataclass(frozen=True)
class StreamSpec:
    slug: str
    name: str
    funder: str
    purpose: str
    conditions: str
    ring_fenced: bool
    start_date: datetime.date
    # None for the core grants, whose years, allocations and total follow the grants charged to them.
    end_date: datetime.date | None = None
    allocations: dict[int, str] = field(default_factory=dict)
    total: str = ""


STREAMS = [
    StreamSpec(
        slug=POT,
        name="Safer Streets and Women and Girls' Safety Fund",
        funder=HOME_OFFICE,
        purpose="The £3.1m secured by the Commissioner's Office to improve safety for women and girls, tackle "
        "anti-social behaviour and improve home and business security. Demo data: the release names neither "
        "the fund nor its funder; the name, funder and yearly split are illustrative.",
        conditions="Ring-fenced to the purposes above. Must be spent by 31 March 2025; no carry-over.",
        ring_fenced=True,
        start_date=D(2023, 4, 1),
        end_date=D(2025, 3, 31),
        allocations={2023: "1550000.00", 2024: "1550000.00"},
        total="3100000.00",
    ),
    StreamSpec(
        slug=SVD,
        name="Serious Violence Duty",
        funder=HOME_OFFICE,
        purpose="Home Office funding for the specified authorities to work together, share data and deliver an "
        "evidence-based strategy to prevent and reduce serious violence: almost £970,000 over three years.",
        conditions="Spend is reported as labour and non-labour. No carry-over between financial years: "
        "underspend forecast at Q3 is reallocated. Demo data: the yearly split is illustrative.",
        ring_fenced=True,
        start_date=D(2023, 4, 1),
        end_date=D(2026, 3, 31),
        allocations={2023: "301850.00", 2024: "333875.00", 2025: "333875.00"},
        total="969600.00",
    ),
    StreamSpec(
        slug=CORE,
        name="Commissioner's core grants",
        funder=COMMISSIONER,
        purpose="The Commissioner's own grants to community groups and commissioned services, such as The Space "
        "summer programme and the jointly funded bleed control kits. Demo data: all amounts are illustrative.",
        conditions="Agreed each year in the Commissioner's budget; unspent money returns to the budget.",
        ring_fenced=False,
        start_date=D(2023, 4, 1),
    ),
]
# Room left in each year of the core grants beyond what the demo commits, rounded up to this step.
CORE_HEADROOM, CORE_STEP = 20000, 50000

# --- Programmes -----------------------------------------------------------------------------------------------

NAV, SPACE, SAFE, PARKS, BLEED = "navigator-programme", "the-space", "safe-spaces", "parks-safety", "bleed-control"
PSHE, VR, CHARTER, VOICE, HOME = "pshe-resources", "vr-knife-crime", "charter", "voice-of-young-people", "home-security"
NIGHT_TIME_AREAS = (STOKE, NEWCASTLE, STAFFORD, TAMWORTH, LICHFIELD, EAST_STAFFS, CANNOCK)

PROGRAMMES = [
    # (slug, name, theme, areas, public summary)
    (
        NAV,
        "Navigator Programme",
        "serious-violence",
        (STAFFORDSHIRE,),
        "Navigators meet children at the most reachable moment, in custody after an arrest or in hospital after "
        "being hurt by violence, and offer support to step away from exploitation and violence.",
    ),
    (
        SPACE,
        "The Space",
        "young-people",
        (STOKE,),
        "Free summer activities for vulnerable young people in Stoke-on-Trent, run by public, voluntary and "
        "private organisations together, to build skills, health and wellbeing and reduce anti-social behaviour. "
        "In 2023 it ran until 1 September.",
    ),
    (
        SAFE,
        "Safe Spaces",
        "women-and-girls",
        NIGHT_TIME_AREAS,
        "Trained volunteers and partner venues in the night-time economy offer a safe place and support to women "
        "and girls, or anybody who finds themselves vulnerable on a night out.",
    ),
    (
        PARKS,
        "Safer parks in Stoke-on-Trent",
        "public-spaces",
        (STOKE,),
        "Enhanced patrols, cut-back hedges, new lighting, CCTV and alley gates, and child exploitation training "
        "for park staff, so that Stoke-on-Trent's parks are safer and feel safer.",
    ),
    (
        BLEED,
        "Bleed control kits and knife sweeps",
        "serious-violence",
        (STOKE, STAFFORDSHIRE),
        "Lifesaving bleed control kits in the community and in 200 Staffordshire Police cars, jointly funded with "
        "the Commissioner, and volunteer knife sweeps across Stoke-on-Trent by the community group Chit Chat 4 U.",
    ),
    (
        PSHE,
        "PSHE resources for primary schools",
        "education",
        (STAFFORDSHIRE,),
        "Personal, Social, Health and Economic education resources that help primary school teachers talk with "
        "children about safety, healthy relationships and violence.",
    ),
    (
        VR,
        "Virtual reality knife-crime education",
        "education",
        (STAFFORDSHIRE,),
        "Virtual reality sessions that let children and young people see the risks and consequences of carrying "
        "a knife.",
    ),
    (
        CHARTER,
        "Safer Places for Women and Girls Charter",
        "women-and-girls",
        (STAFFORDSHIRE,),
        "Organisations and businesses across Staffordshire and Stoke-on-Trent sign the Charter to show they take "
        "a proactive approach to improving the safety of women and girls.",
    ),
    (
        VOICE,
        "Voice of children and young people",
        "young-people",
        (STAFFORDSHIRE,),
        "Consultations led by the Staffordshire Council of Voluntary Youth Services so that children and young "
        "people shape the Alliance's work to prevent violence.",
    ),
    (
        HOME,
        "Home and business security",
        "asb",
        (STAFFORDSHIRE,),
        "Security surveys and improvements (locks, lighting and doorbell cameras) for homes and businesses at "
        "risk of burglary and anti-social behaviour. Demo data: an illustrative programme for this part of the "
        "£3.1m.",
    ),
]

# --- Indicators -----------------------------------------------------------------------------------------------

FROM_RETURNS, FROM_OFFICE = "return", "office"


@dataclass(frozen=True)
class IndicatorSpec:
    slug: str
    name: str
    programme: str | None
    kind: str
    definition: str
    # How the demo makes its quarterly figures (see figures.py):
    # ("flow", base) about base a quarter; ("part", slug, low, high) a share of another indicator's figure;
    # ("cumulative", start, step, most) a running total; ("schedule", {sort_key: value}, base) given quarters then flow.
    pattern: tuple
    unit: str = "count"
    counts_people: bool = False
    aggregation: str = "sum"
    direction: str = "higher"
    scope: str = "programme"
    area: str | None = None
    source: str = FROM_RETURNS
    method_and_source: str = "Reported by the provider in its quarterly return. " + DEMO_NOTE
    baseline: tuple[str, datetime.date] | None = None
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)


AGE = "age_band"
PARKS_CRIMES = "parks-crimes-and-incidents"
SURVEY = "women-girls-harassment-survey"
SIGNATORIES = "charter-signatories"
PARKS_BASELINE = 500  # crimes and incidents in the 12 months to December 2021 (demo count; the 38% is real)

INDICATORS = [
    IndicatorSpec(
        "navigator-children-supported",
        "Children supported",
        NAV,
        "output",
        "Children referred at the reachable moment (custody or A&E) who accepted support in the quarter.",
        ("flow", 52),
        counts_people=True,
        breakdowns={AGE: {"10–13": 15, "14–15": 45, "16–17": 40}},
    ),
    IndicatorSpec(
        "navigator-engaged-48-hours",
        "Children engaged within 48 hours of the reachable moment",
        NAV,
        "output",
        "Children a navigator met within 48 hours of their arrest or attendance at A&E.",
        ("part", "navigator-children-supported", 72, 86),
        counts_people=True,
    ),
    IndicatorSpec(
        "navigator-completed-support",
        "Children completing support",
        NAV,
        "outcome",
        "Children who finished their planned support in the quarter.",
        ("flow", 21),
        counts_people=True,
    ),
    IndicatorSpec(
        "navigator-reduced-risk",
        "Children with a reduced risk score at exit",
        NAV,
        "outcome",
        "Of the children completing support, the share whose exploitation risk score fell between entry and exit.",
        ("part", "navigator-completed-support", 62, 80),
        unit="percentage",
        aggregation="latest",
    ),
    IndicatorSpec(
        "the-space-young-people",
        "Young people attending The Space",
        SPACE,
        "output",
        "Young people who came to at least one session of the summer programme.",
        ("flow", 1250),
        counts_people=True,
        breakdowns={AGE: {"10–13": 48, "14–15": 32, "16–17": 20}},
    ),
    IndicatorSpec(
        "the-space-sessions", "Sessions run", SPACE, "output", "Activity sessions run over the summer.", ("flow", 160)
    ),
    IndicatorSpec(
        "safe-spaces-nights-open",
        "Nights Safe Spaces were open",
        SAFE,
        "output",
        "Venue-nights on which a Safe Space was open and staffed.",
        ("flow", 48),
    ),
    IndicatorSpec(
        "safe-spaces-people-supported",
        "People supported at Safe Spaces",
        SAFE,
        "output",
        "People who came to a Safe Space for help, from a phone charge to a safe journey home.",
        ("flow", 360),
        counts_people=True,
        breakdowns={"sex": {"Female": 78, "Male": 18, "Not known": 4}},
    ),
    IndicatorSpec(
        "parks-patrol-hours",
        "Enhanced patrol hours in parks",
        PARKS,
        "output",
        "Hours of enhanced police and ranger patrols in the hotspot parks.",
        ("flow", 620),
        unit="hours",
    ),
    IndicatorSpec(
        "parks-security-installations",
        "Lights, CCTV cameras and alley gates installed",
        PARKS,
        "output",
        "New lights, CCTV cameras and alley gates installed in and around the parks.",
        ("flow", 14),
    ),
    IndicatorSpec(
        "parks-staff-trained",
        "Park staff trained on child exploitation",
        PARKS,
        "output",
        "Park staff who completed the online child exploitation and reporting course.",
        ("flow", 9),
        counts_people=True,
    ),
    IndicatorSpec(
        PARKS_CRIMES,
        "Crimes and incidents reported in Stoke-on-Trent parks",
        PARKS,
        "outcome",
        "Crimes and incidents reported to the police in the hotspot parks of Stoke-on-Trent in the 12 months to "
        "the end of the quarter.",
        ("schedule", {}, 0),
        aggregation="latest",
        direction="lower",
        scope="population",
        area=STOKE,
        source=FROM_OFFICE,
        method_and_source="Staffordshire Police recorded crime and incident data, entered by the office. The 38% "
        "fall from the 2021 baseline is from the VRA press release (the later release reports an average 12% "
        "fall per park, a different measure). Demo data: the counts themselves are illustrative.",
        baseline=(str(PARKS_BASELINE), D(2021, 12, 31)),
    ),
    IndicatorSpec(
        "bleed-control-kits-placed",
        "Bleed control kits placed",
        BLEED,
        "output",
        "Bleed control kits placed in community locations or police cars (kits, not people).",
        # Six community kits and 200 in police cars in the first quarter, as the release tells; replacements after.
        ("schedule", {20231: 206}, 3),
    ),
    IndicatorSpec(
        "knife-sweeps-completed",
        "Knife sweeps completed",
        BLEED,
        "output",
        "Volunteer sweeps of parks and open spaces for hidden knives.",
        ("flow", 7),
    ),
    IndicatorSpec(
        "pshe-schools-using",
        "Primary schools using the PSHE resources",
        PSHE,
        "output",
        "Primary schools that have taught at least one lesson from the resources (a running total).",
        ("cumulative", 18, 11, 320),
        aggregation="latest",
    ),
    IndicatorSpec(
        "vr-sessions", "VR sessions delivered", VR, "output", "Virtual reality sessions run in schools.", ("flow", 22)
    ),
    IndicatorSpec(
        "vr-young-people-reached",
        "Young people reached by VR sessions",
        VR,
        "output",
        "Children and young people who took part in a session.",
        ("flow", 640),
        counts_people=True,
        breakdowns={AGE: {"10–13": 55, "14–15": 35, "16–17": 10}},
    ),
    IndicatorSpec(
        "vr-would-not-carry",
        "Young people who say they would not carry a knife",
        VR,
        "outcome",
        "Of the young people answering the end-of-session question, the share who say they would not carry a knife.",
        ("part", "vr-young-people-reached", 82, 92),
        unit="percentage",
        aggregation="latest",
    ),
    IndicatorSpec(
        SIGNATORIES,
        "Organisations signed up to the Charter",
        CHARTER,
        "output",
        "Organisations and businesses that have signed the Safer Places for Women and Girls Charter (a running total).",
        ("schedule", {}, 0),
        aggregation="latest",
        source=FROM_OFFICE,
        method_and_source="The office's register of Charter signatories. The 37 signatories are from the VRA "
        "conference release. " + DEMO_NOTE,
    ),
    IndicatorSpec(
        SURVEY,
        "Women and girls who had experienced harassment, intimidation or violence in a public place",
        None,
        "outcome",
        "Of the women and girls responding to the survey, the share who had experienced harassment, intimidation "
        "or violence in a public place.",
        ("schedule", {}, 0),
        unit="percentage",
        aggregation="latest",
        direction="lower",
        scope="population",
        area=STAFFORDSHIRE,
        source=FROM_OFFICE,
        method_and_source="Survey of women and girls, 2021: 67% (from the press release). Demo data: the numbers "
        "of respondents (670 of 1,000) and the follow-up survey are illustrative.",
        baseline=("67.00", D(2021, 11, 30)),
    ),
    IndicatorSpec(
        "voice-consultations",
        "Consultations run",
        VOICE,
        "output",
        "Consultations and forums with children and young people.",
        ("flow", 2),
    ),
    IndicatorSpec(
        "voice-young-people-heard",
        "Young people heard",
        VOICE,
        "output",
        "Children and young people who took part in a consultation.",
        ("flow", 110),
        counts_people=True,
        breakdowns={AGE: {"10–13": 30, "14–15": 35, "16–17": 25, "18–24": 10}},
    ),
    IndicatorSpec(
        "home-security-homes",
        "Homes made more secure",
        HOME,
        "output",
        "Homes that had a security survey and at least one improvement fitted (homes, not people).",
        ("flow", 290),
    ),
    IndicatorSpec(
        "home-security-businesses",
        "Businesses given security surveys",
        HOME,
        "output",
        "Small businesses that had a security survey and advice.",
        ("flow", 48),
    ),
]

# Office-entered figures: the police data for the parks (12-month totals, falling to 38% below the baseline in
# the quarter of the first release), the two surveys, and the Charter register.
PARKS_RELEASE_QUARTER = 20231  # the 12 months to June 2023: 310, 38% below the baseline of 500
PARKS_FIGURES = {20214: 488, 20221: 462, 20222: 431, 20223: 392, 20224: 351, PARKS_RELEASE_QUARTER: 310}
SURVEY_FIGURES = {20213: (670, 1000), 20243: (596, 1000)}
SIGNATORY_FIGURES = {20231: 12, 20232: 22, 20233: 37, 20234: 41}
OFFICE_FIGURES_FROM = {PARKS_CRIMES: 20214, SIGNATORIES: 20231}

# Programme-level targets: (indicator, programme, {financial year: value}); later years repeat the last.
PROGRAMME_TARGETS = [
    (SIGNATORIES, CHARTER, {2023: "37", 2024: "50", 2025: "60", 2026: "70"}),
    (PARKS_CRIMES, PARKS, {2023: "330", 2024: "310", 2025: "300"}),
]

# --- Grants ---------------------------------------------------------------------------------------------------

OPEN_CALL, DIRECT_AWARD = "open-call", "direct-award"
ADVANCE, ARREARS = "advance", "arrears"
STAFF, ACTIVITIES, EQUIPMENT, TRAINING = "staff", "activities", "equipment", "training"
TRAVEL, CAPITAL, OVERHEADS = "travel", "capital", "overheads"
LABOUR, NON_LABOUR = "labour", "non-labour"


@dataclass(frozen=True)
class GrantSpec:
    code: str  # with the year, makes the identifier: 360G-SSVRA-2023-NAV
    year: int
    programme: str
    provider: str
    title: str
    award_date: datetime.date
    start_date: datetime.date
    end_date: datetime.date
    charges: tuple[tuple[str, int, str], ...]  # (stream slug, financial year, amount)
    budget_lines: tuple[tuple[str, str, str, str], ...]  # (name, category, cost type, amount)
    payment_mode: str
    purpose: str
    rationale: str
    areas: tuple[str, ...]
    allocation_method: str = OPEN_CALL
    direct_award_justification: str = ""
    conditions: str = "Quarterly returns are due one month after each quarter ends. " + DEMO_NOTE
    targets: tuple[tuple[str, int, str], ...] = ()  # (indicator slug, financial year, value)
    figure_scale: int = 100  # per cent of the indicator's base figures this grant delivers

    @property
    def identifier(self) -> str:
        return f"360G-SSVRA-{self.year}-{self.code}"


SCVYS_JUSTIFICATION = (
    "SCVYS is the county's infrastructure body for voluntary youth services and already convenes the youth "
    "organisations and young people's forums this work needs."
)
COUNCIL_JUSTIFICATION = "The council owns and manages the parks: only it can install lighting, CCTV and alley gates."

FIXED_GRANTS = [
    GrantSpec(
        "NAV",
        2023,
        NAV,
        NAVIGATOR_PROVIDER,
        "Navigator Programme: support for children at the reachable moment",
        D(2023, 3, 15),
        D(2023, 4, 1),
        D(2026, 3, 31),
        charges=(
            (SVD, 2023, "150000.00"),
            (CORE, 2023, "34000.00"),
            (SVD, 2024, "160000.00"),
            (CORE, 2024, "24000.00"),
            (SVD, 2025, "160000.00"),
            (CORE, 2025, "24000.00"),
        ),
        budget_lines=(
            ("Caseworkers", STAFF, LABOUR, "480000.00"),
            ("Training", TRAINING, NON_LABOUR, "18000.00"),
            ("Travel", TRAVEL, NON_LABOUR, "6000.00"),
            ("Management and overheads", OVERHEADS, NON_LABOUR, "48000.00"),
        ),
        payment_mode=ARREARS,
        purpose="A child exploitation service that identifies and supports children at the most reachable "
        "moment, following arrest or as a victim of a violent offence.",
        rationale="Support at the reachable moment lowers the risk of re-offending and of further exploitation.",
        areas=(STAFFORDSHIRE,),
        targets=(
            ("navigator-children-supported", 2023, "200"),
            ("navigator-children-supported", 2024, "220"),
            ("navigator-children-supported", 2025, "220"),
            ("navigator-completed-support", 2023, "80"),
            ("navigator-completed-support", 2024, "90"),
            ("navigator-completed-support", 2025, "90"),
        ),
    ),
    GrantSpec(
        "SPACE",
        2023,
        SPACE,
        SCVYS,
        "The Space 2023: summer activities in Stoke-on-Trent",
        D(2023, 6, 30),
        D(2023, 7, 24),
        D(2023, 9, 1),
        charges=((CORE, 2023, "60000.00"),),
        budget_lines=(
            ("Activity sessions", ACTIVITIES, NON_LABOUR, "38000.00"),
            ("Youth workers", STAFF, LABOUR, "18000.00"),
            ("Transport and venues", TRAVEL, NON_LABOUR, "4000.00"),
        ),
        payment_mode=ADVANCE,
        purpose="Fun, positive summer activities for vulnerable young people that build skills, health and "
        "wellbeing and create opportunities, until 1 September 2023.",
        rationale="Positive activities in the school holidays reduce anti-social behaviour.",
        areas=(STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=SCVYS_JUSTIFICATION,
        targets=(("the-space-young-people", 2023, "1200"), ("the-space-sessions", 2023, "150")),
    ),
    GrantSpec(
        "VOICE",
        2023,
        VOICE,
        SCVYS,
        "The voice of children and young people in the Violence Reduction Alliance",
        D(2023, 9, 15),
        D(2023, 10, 1),
        D(2026, 3, 31),
        charges=((SVD, 2023, "7500.00"), (SVD, 2024, "15000.00"), (SVD, 2025, "15000.00")),
        budget_lines=(
            ("Participation worker", STAFF, LABOUR, "27500.00"),
            ("Consultation events", ACTIVITIES, NON_LABOUR, "7000.00"),
            ("Young people's travel and expenses", TRAVEL, NON_LABOUR, "3000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Consult children and young people so that their voice shapes the serious violence strategy.",
        rationale="Strategies shaped by young people reach them better and prevent violence earlier.",
        areas=(STAFFORDSHIRE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=SCVYS_JUSTIFICATION,
        targets=(
            ("voice-young-people-heard", 2023, "200"),
            ("voice-young-people-heard", 2024, "400"),
            ("voice-young-people-heard", 2025, "400"),
        ),
    ),
    GrantSpec(
        "PARKS",
        2023,
        PARKS,
        STOKE_COUNCIL,
        "Safer parks in Stoke-on-Trent: patrols, lighting, CCTV and alley gating",
        D(2023, 3, 20),
        D(2023, 4, 1),
        D(2025, 3, 31),
        # Co-funded: the capital works from the £3.1m pot, part of the patrols from the Duty.
        charges=(
            (POT, 2023, "560000.00"),
            (SVD, 2023, "40000.00"),
            (POT, 2024, "500000.00"),
            (SVD, 2024, "40000.00"),
        ),
        budget_lines=(
            ("Enhanced patrols and park rangers", STAFF, LABOUR, "260000.00"),
            ("Lighting, CCTV and alley gating", CAPITAL, NON_LABOUR, "640000.00"),
            ("Hedge cutting and visual upgrades", ACTIVITIES, NON_LABOUR, "160000.00"),
            ("Child exploitation training for park staff", TRAINING, NON_LABOUR, "20000.00"),
            ("Project management", OVERHEADS, LABOUR, "60000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Make the hotspot parks safer and feel safer: enhanced patrols, cut-back hedges, lighting, CCTV, "
        "alley gating and online child exploitation training for park staff.",
        rationale="Better sightlines, lighting and patrols deter crime and anti-social behaviour in the parks.",
        areas=(STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=COUNCIL_JUSTIFICATION,
        targets=(
            ("parks-patrol-hours", 2023, "2400"),
            ("parks-patrol-hours", 2024, "2400"),
            ("parks-security-installations", 2023, "60"),
            ("parks-security-installations", 2024, "50"),
        ),
    ),
    GrantSpec(
        "PARKS",
        2025,
        PARKS,
        STOKE_COUNCIL,
        "Safer parks in Stoke-on-Trent 2025/26: patrols and upkeep",
        D(2025, 3, 10),
        D(2025, 4, 1),
        D(2026, 3, 31),
        charges=((SVD, 2025, "40000.00"), (CORE, 2025, "30000.00")),
        budget_lines=(
            ("Enhanced patrols and park rangers", STAFF, LABOUR, "42000.00"),
            ("Hedge cutting and upkeep", ACTIVITIES, NON_LABOUR, "21000.00"),
            ("Child exploitation training for park staff", TRAINING, NON_LABOUR, "7000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Keep up the patrols and the upkeep that made the parks safer.",
        rationale="Keeping sightlines clear and patrols visible holds the fall in crime and disorder.",
        areas=(STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=COUNCIL_JUSTIFICATION,
        targets=(("parks-patrol-hours", 2025, "1000"),),
        figure_scale=40,
    ),
    GrantSpec(
        "BLEED",
        2023,
        BLEED,
        CHIT_CHAT,
        "Bleed control kits for 200 police cars, and knife sweeps",
        D(2023, 3, 24),
        D(2023, 4, 1),
        D(2024, 3, 31),
        charges=((CORE, 2023, "12000.00"),),
        budget_lines=(
            ("Bleed control kits for police cars", EQUIPMENT, NON_LABOUR, "9000.00"),
            ("Knife sweep volunteers' expenses and kit", ACTIVITIES, NON_LABOUR, "3000.00"),
        ),
        payment_mode=ADVANCE,
        purpose="Jointly fund bleed control kits for 200 Staffordshire Police cars, alongside the six community "
        "kits Chit Chat 4 U fundraised for, and support the group's knife sweeps across the city.",
        rationale="Kits close to hand save lives after stabbings; sweeps take hidden knives off the streets.",
        areas=(STOKE, STAFFORDSHIRE),
        allocation_method=DIRECT_AWARD,
        direct_award_justification="A joint project with the community group that started it and had already "
        "fundraised for the first six community kits.",
        targets=(("bleed-control-kits-placed", 2023, "206"), ("knife-sweeps-completed", 2023, "24")),
    ),
    GrantSpec(
        "SAFE",
        2023,
        SAFE,
        SAFE_SPACES_PROVIDER,
        "Safe Spaces in the night-time economy",
        D(2023, 3, 10),
        D(2023, 4, 1),
        D(2025, 3, 31),
        charges=((POT, 2023, "200000.00"), (POT, 2024, "200000.00")),
        budget_lines=(
            ("Volunteer coordinators", STAFF, LABOUR, "220000.00"),
            ("Safe Space venues and kit", ACTIVITIES, NON_LABOUR, "100000.00"),
            ("Volunteer training", TRAINING, NON_LABOUR, "40000.00"),
            ("Management and overheads", OVERHEADS, NON_LABOUR, "40000.00"),
        ),
        payment_mode=ADVANCE,
        purpose="Run Safe Spaces on Friday and Saturday nights in the main town centres, staffed by trained "
        "volunteers who support women and girls, or anybody who finds themselves vulnerable.",
        rationale="Somewhere safe to go, and someone to help, prevents harm to people made vulnerable at night.",
        areas=NIGHT_TIME_AREAS,
        targets=(
            ("safe-spaces-people-supported", 2023, "1400"),
            ("safe-spaces-people-supported", 2024, "1500"),
        ),
    ),
    GrantSpec(
        "PSHE",
        2023,
        PSHE,
        PSHE_PROVIDER,
        "PSHE resources for primary schools",
        D(2023, 8, 1),
        D(2023, 9, 1),
        D(2025, 3, 31),
        charges=((SVD, 2023, "35000.00"), (SVD, 2024, "25000.00")),
        budget_lines=(
            ("Resource writers", STAFF, LABOUR, "36000.00"),
            ("Design and printing", EQUIPMENT, NON_LABOUR, "14000.00"),
            ("Teacher briefings", TRAINING, NON_LABOUR, "10000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Write, print and brief teachers on PSHE resources about safety, relationships and violence.",
        rationale="Early education on healthy relationships and safety prevents violence later.",
        areas=(STAFFORDSHIRE,),
        targets=(("pshe-schools-using", 2023, "60"), ("pshe-schools-using", 2024, "120")),
    ),
    GrantSpec(
        "PSHE",
        2025,
        PSHE,
        PSHE_PROVIDER,
        "PSHE resources for primary schools 2025/26: refresh and briefings",
        D(2025, 3, 10),
        D(2025, 4, 1),
        D(2026, 3, 31),
        charges=((SVD, 2025, "20000.00"),),
        budget_lines=(
            ("Resource writers", STAFF, LABOUR, "12000.00"),
            ("Teacher briefings", TRAINING, NON_LABOUR, "8000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Refresh the resources and brief teachers in schools that have not yet used them.",
        rationale="Early education on healthy relationships and safety prevents violence later.",
        areas=(STAFFORDSHIRE,),
        targets=(("pshe-schools-using", 2025, "160"),),
    ),
    GrantSpec(
        "VR",
        2023,
        VR,
        VR_PROVIDER,
        "Virtual reality knife-crime education in schools",
        D(2023, 12, 1),
        D(2024, 1, 8),
        D(2026, 3, 31),
        charges=((SVD, 2023, "20000.00"), (SVD, 2024, "60000.00"), (SVD, 2025, "60000.00")),
        budget_lines=(
            ("Facilitators", STAFF, LABOUR, "84000.00"),
            ("VR headsets", EQUIPMENT, NON_LABOUR, "28000.00"),
            ("Content licences", ACTIVITIES, NON_LABOUR, "18000.00"),
            ("Travel to schools", TRAVEL, NON_LABOUR, "10000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Use virtual reality to educate children and young people on the risks and consequences of "
        "carrying a knife.",
        rationale="Young people who understand the consequences are less likely to carry a knife.",
        areas=(STAFFORDSHIRE,),
        targets=(
            ("vr-young-people-reached", 2023, "600"),
            ("vr-young-people-reached", 2024, "2400"),
            ("vr-young-people-reached", 2025, "2400"),
        ),
    ),
    GrantSpec(
        "HOME",
        2023,
        HOME,
        HOME_SECURITY_PROVIDER,
        "Home and business security: surveys and target hardening",
        D(2023, 3, 10),
        D(2023, 4, 1),
        D(2025, 3, 31),
        charges=((POT, 2023, "650000.00"), (POT, 2024, "650000.00")),
        budget_lines=(
            ("Security surveyors", STAFF, LABOUR, "300000.00"),
            ("Locks, lighting and doorbell cameras", EQUIPMENT, NON_LABOUR, "860000.00"),
            ("Business security grants", ACTIVITIES, NON_LABOUR, "100000.00"),
            ("Management and overheads", OVERHEADS, NON_LABOUR, "40000.00"),
        ),
        payment_mode=ARREARS,
        purpose="Survey and secure homes of repeat victims and small businesses in the areas most affected by "
        "burglary and anti-social behaviour.",
        rationale="Target hardening prevents repeat burglary and makes residents feel safer.",
        areas=(STAFFORDSHIRE,),
        targets=(
            ("home-security-homes", 2023, "1100"),
            ("home-security-homes", 2024, "1100"),
        ),
    ),
]


@dataclass(frozen=True)
class Continuation:
    """A yearly grant from the core grants that carries a programme on after its first grants (illustrative)."""

    code: str
    first_year: int
    programme: str
    provider: str
    title: str
    amount: int  # pounds in the first year; `uplift` is added each later year
    uplift: int
    shares: tuple[tuple[str, str, str, int], ...]  # (name, category, cost type, per cent of the amount)
    payment_mode: str
    purpose: str
    rationale: str
    areas: tuple[str, ...]
    allocation_method: str = OPEN_CALL
    direct_award_justification: str = ""
    figure_scale: int = 100
    summer_only: bool = False  # The Space runs in the summer holidays
    targets: tuple[str, ...] = ()  # indicators with a yearly target of four quarters' base figures


CONTINUATIONS = [
    Continuation(
        "NAV",
        2026,
        NAV,
        NAVIGATOR_PROVIDER,
        "Navigator Programme {label}",
        190000,
        4000,
        (
            ("Caseworkers", STAFF, LABOUR, 86),
            ("Training", TRAINING, NON_LABOUR, 3),
            ("Travel", TRAVEL, NON_LABOUR, 1),
            ("Management and overheads", OVERHEADS, NON_LABOUR, 10),
        ),
        ARREARS,
        "Continue the Navigator Programme after the Serious Violence Duty funding ends.",
        "Support at the reachable moment lowers the risk of re-offending and of further exploitation.",
        (STAFFORDSHIRE,),
        targets=("navigator-children-supported", "navigator-completed-support"),
    ),
    Continuation(
        "SPACE",
        2024,
        SPACE,
        SCVYS,
        "The Space {year}: summer activities in Stoke-on-Trent",
        62000,
        2000,
        (
            ("Activity sessions", ACTIVITIES, NON_LABOUR, 63),
            ("Youth workers", STAFF, LABOUR, 30),
            ("Transport and venues", TRAVEL, NON_LABOUR, 7),
        ),
        ADVANCE,
        "Fun, positive summer activities for vulnerable young people in the school holidays.",
        "Positive activities in the school holidays reduce anti-social behaviour.",
        (STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=SCVYS_JUSTIFICATION,
        summer_only=True,
        targets=("the-space-young-people",),
    ),
    Continuation(
        "VOICE",
        2026,
        VOICE,
        SCVYS,
        "The voice of children and young people {label}",
        16000,
        500,
        (
            ("Participation worker", STAFF, LABOUR, 75),
            ("Consultation events", ACTIVITIES, NON_LABOUR, 18),
            ("Young people's travel and expenses", TRAVEL, NON_LABOUR, 7),
        ),
        ARREARS,
        "Keep children and young people's voice in the Alliance's work.",
        "Strategies shaped by young people reach them better and prevent violence earlier.",
        (STAFFORDSHIRE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=SCVYS_JUSTIFICATION,
        targets=("voice-young-people-heard",),
    ),
    Continuation(
        "PARKS",
        2026,
        PARKS,
        STOKE_COUNCIL,
        "Safer parks in Stoke-on-Trent {label}",
        70000,
        2000,
        (
            ("Enhanced patrols and park rangers", STAFF, LABOUR, 60),
            ("Hedge cutting and upkeep", ACTIVITIES, NON_LABOUR, 30),
            ("Child exploitation training for park staff", TRAINING, NON_LABOUR, 10),
        ),
        ARREARS,
        "Keep up the patrols and the upkeep that made the parks safer.",
        "Keeping sightlines clear and patrols visible holds the fall in crime and disorder.",
        (STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification=COUNCIL_JUSTIFICATION,
        figure_scale=40,
        targets=("parks-patrol-hours",),
    ),
    Continuation(
        "BLEED",
        2024,
        BLEED,
        CHIT_CHAT,
        "Knife sweeps and replacement bleed control kits {label}",
        8000,
        500,
        (
            ("Replacement bleed control kits", EQUIPMENT, NON_LABOUR, 40),
            ("Knife sweep volunteers' expenses and kit", ACTIVITIES, NON_LABOUR, 60),
        ),
        ADVANCE,
        "Replace used bleed control kits and keep up the volunteer knife sweeps.",
        "Kits close to hand save lives after stabbings; sweeps take hidden knives off the streets.",
        (STOKE,),
        allocation_method=DIRECT_AWARD,
        direct_award_justification="Small grant to the community group that runs the kits and the sweeps.",
        targets=("knife-sweeps-completed",),
    ),
    Continuation(
        "SAFE",
        2025,
        SAFE,
        SAFE_SPACES_PROVIDER,
        "Safe Spaces in the night-time economy {label}",
        90000,
        3000,
        (
            ("Volunteer coordinators", STAFF, LABOUR, 60),
            ("Safe Space venues and kit", ACTIVITIES, NON_LABOUR, 25),
            ("Volunteer training", TRAINING, NON_LABOUR, 15),
        ),
        ADVANCE,
        "Keep the Safe Spaces open after the £3.1m fund ended.",
        "Somewhere safe to go, and someone to help, prevents harm to people made vulnerable at night.",
        NIGHT_TIME_AREAS,
        figure_scale=50,
        targets=("safe-spaces-people-supported",),
    ),
    Continuation(
        "PSHE",
        2026,
        PSHE,
        PSHE_PROVIDER,
        "PSHE resources for primary schools {label}",
        20000,
        1000,
        (("Resource writers", STAFF, LABOUR, 60), ("Teacher briefings", TRAINING, NON_LABOUR, 40)),
        ARREARS,
        "Keep the resources current and brief new teachers.",
        "Early education on healthy relationships and safety prevents violence later.",
        (STAFFORDSHIRE,),
    ),
    Continuation(
        "VR",
        2026,
        VR,
        VR_PROVIDER,
        "Virtual reality knife-crime education {label}",
        60000,
        2000,
        (
            ("Facilitators", STAFF, LABOUR, 70),
            ("Content licences", ACTIVITIES, NON_LABOUR, 20),
            ("Travel to schools", TRAVEL, NON_LABOUR, 10),
        ),
        ARREARS,
        "Keep the VR sessions running in secondary schools.",
        "Young people who understand the consequences are less likely to carry a knife.",
        (STAFFORDSHIRE,),
        targets=("vr-young-people-reached",),
    ),
    Continuation(
        "HOME",
        2025,
        HOME,
        HOME_SECURITY_PROVIDER,
        "Home security for repeat victims {label}",
        120000,
        4000,
        (
            ("Security surveyors", STAFF, LABOUR, 40),
            ("Locks, lighting and doorbell cameras", EQUIPMENT, NON_LABOUR, 60),
        ),
        ARREARS,
        "Keep securing the homes of repeat victims of burglary after the £3.1m fund ended.",
        "Target hardening prevents repeat burglary and makes residents feel safer.",
        (STAFFORDSHIRE,),
        figure_scale=20,
        targets=("home-security-homes",),
    ),
]

# --- Returns --------------------------------------------------------------------------------------------------

# What a return's history is, by programme and by how many quarters ago its quarter was (0 is the current
# quarter, 1 the last one, whose return is due about now). Older quarters are approved, later ones not started.
# Each provider's returns are in several states at once, and on any day some are overdue.
NOT_STARTED, DRAFT, SUBMITTED, RETURNED = "not-started", "draft", "submitted", "returned"
RESUBMITTED, APPROVED, APPROVED_AFTER_CHANGES = "resubmitted", "approved", "approved-after-changes"
REOPENED, REOPENED_APPROVED = "reopened", "reopened-approved"

RETURN_PLAN = {
    NAV: (DRAFT, SUBMITTED, APPROVED_AFTER_CHANGES, APPROVED),
    SPACE: (NOT_STARTED, APPROVED, APPROVED, APPROVED),
    VOICE: (NOT_STARTED, DRAFT, RETURNED, APPROVED),
    PARKS: (NOT_STARTED, APPROVED, APPROVED, REOPENED),
    BLEED: (NOT_STARTED, NOT_STARTED, SUBMITTED, APPROVED),
    SAFE: (DRAFT, RESUBMITTED, APPROVED, REOPENED_APPROVED),
    PSHE: (NOT_STARTED, DRAFT, NOT_STARTED, APPROVED),
    VR: (NOT_STARTED, SUBMITTED, APPROVED, APPROVED_AFTER_CHANGES),
    HOME: (NOT_STARTED, RETURNED, APPROVED, APPROVED),
}
# Histories that belong to a particular quarter whatever today is (sort key of the quarter).
FIXED_HISTORIES = {
    ("360G-SSVRA-2023-NAV", 20242): APPROVED_AFTER_CHANGES,  # the worked example in DOMAIN-EXAMPLES.md
    ("360G-SSVRA-2023-PARKS", 20231): REOPENED_APPROVED,
}

SEND_BACK_REASONS = [
    "Please explain the variance on {line}: spend is more than 10% away from the profile.",
    "The progress section repeats last quarter's. Please describe what happened this quarter.",
    "Please give the risk rating a reason: what would move it to green?",
    "The case study could identify the young person (it names the school). Please anonymise it.",
]
REOPEN_REASONS = [
    "Figures corrected after the provider's year-end reconciliation: reopened so the spend can be changed.",
    "The police data for the quarter was revised; reopened so the provider can correct the outputs.",
]
FIX_NOTE = "Updated after the officer's review."
CLOSE_REASON = "Delivered as agreed: the final return is approved and paid. " + DEMO_NOTE
VARIANCE_EXPLANATIONS = {
    STAFF: "A vacancy was covered by agency staff for part of the quarter.",
    TRAVEL: "More custody call-outs in Tamworth.",
    TRAINING: "Two courses were brought forward from next quarter.",
    EQUIPMENT: "Prices rose; the supplier's invoice covered two quarters' orders.",
    ACTIVITIES: "More sessions than planned in the school holidays.",
    CAPITAL: "The contractor finished the lighting ahead of schedule.",
    OVERHEADS: "Annual insurance fell due this quarter.",
}

NARRATIVES = {
    NAV: {
        "progress": [
            "Navigators met children in both custody suites and in A&E, most of them on the day of the referral.",
            "Referrals from custody stayed steady; the hospital pathway picked up after joint training with A&E.",
        ],
        "case_study": [
            "A 15-year-old arrested for possession of a knife accepted support in custody. Over ten weeks the "
            "navigator helped him back into school and away from older peers who had been exploiting him.",
            "A 16-year-old treated in A&E after an assault engaged within a day; she now attends a boxing club "
            "and has not been involved in further incidents.",
        ],
    },
    SPACE: {
        "progress": [
            "Sessions ran across the city every weekday: sport, arts, cooking and trips, with free healthy meals.",
            "Partners from the council, the voluntary sector and local businesses ran sessions together.",
        ],
        "case_study": [
            "A 13-year-old who had been involved in anti-social behaviour came to every football session and now "
            "volunteers as a junior coach.",
            "A group of young people who met at The Space set up their own weekly arts club.",
        ],
    },
    VOICE: {
        "progress": [
            "Young people's forums met in Stafford and Stoke-on-Trent; their findings were presented to the board.",
            "A consultation on feeling safe in town centres ran in youth clubs and schools.",
        ],
        "case_study": [
            "Young people asked for better lighting on a route to a youth club; the council has added it to its plans.",
            "A young person who took part in the forum presented at the VRA conference.",
        ],
    },
    PARKS: {
        "progress": [
            "Enhanced patrols ran in the hotspot parks; overgrown hedges were cut back to open sightlines.",
            "New lighting and CCTV went live and alley gates were fitted at two entrances.",
        ],
        "case_study": [
            "Park staff trained on child exploitation spotted and reported a group of younger children being "
            "approached by adults; the police followed it up the same day.",
            "A residents' group reported feeling safe to use the park in the evening again after the lighting work.",
        ],
    },
    BLEED: {
        "progress": [
            "Volunteers completed knife sweeps in parks and alleys across the city.",
            "Bleed control kits were checked and restocked; volunteers ran awareness sessions for local businesses.",
        ],
        "case_study": [
            "A shop owner trained at an awareness session used a community kit while waiting for the ambulance.",
            "A sweep found two knives hidden near a play area; both were handed to the police.",
        ],
    },
    SAFE: {
        "progress": [
            "Safe Spaces opened on Friday and Saturday nights in the main town centres with trained volunteers.",
            "Volunteers joined the night-time economy partnership meetings and the new venue induction.",
        ],
        "case_study": [
            "A young woman separated from her friends and with a dead phone was helped to charge it and get a taxi "
            "home safely.",
            "Volunteers supported a man who had been assaulted until paramedics arrived.",
        ],
    },
    PSHE: {
        "progress": [
            "New lesson plans on healthy relationships and safety were briefed to teachers in two cluster meetings.",
            "More primary schools signed up after the headteachers' forum presentation.",
        ],
        "case_study": [
            "A Year 6 teacher used the resources after a playground incident; pupils wrote their own class charter.",
            "Feedback from teachers led to a simpler version of the lesson for Year 4.",
        ],
    },
    VR: {
        "progress": [
            "VR sessions ran in secondary schools, each followed by a facilitated discussion.",
            "A new scenario about the consequences for families was added to the sessions.",
        ],
        "case_study": [
            "After a session, a pupil told staff he had been carrying a knife for protection and was referred for "
            "support.",
            "A school asked for sessions for all of Year 9 after parents' feedback.",
        ],
    },
    HOME: {
        "progress": [
            "Surveyors visited homes of repeat burglary victims referred by the police and fitted locks and lighting.",
            "Small businesses on two high streets had security surveys and advice.",
        ],
        "case_study": [
            "An older resident burgled twice had new locks and a doorbell camera fitted and says she now sleeps well.",
            "A corner shop that suffered repeated anti-social behaviour had CCTV advice and a new shutter.",
        ],
    },
}
CHALLENGES = [
    "A&E referrals slowed after a staffing change at the hospital.",
    "Recruiting volunteers for the late shifts took longer than planned.",
    "Two sessions were cancelled because of bad weather.",
    "Data from one partner arrived late, so some figures are provisional.",
]
RISKS = [
    ("green", "No significant risks this quarter."),
    ("green", "Delivery on track; staffing stable."),
    ("amber", "Recruitment of a second member of staff is behind schedule."),
    ("amber", "Demand is above the level the budget was set for."),
    ("red", "Loss of a key venue from next quarter unless an alternative is found."),
]
PLANS = [
    "Keep delivery at the current level and follow up the partners' referrals.",
    "Train the new volunteers and open one more evening.",
    "Share the findings with the board and plan the next quarter's sessions.",
]


def _years(first: int, last: FinancialYear) -> range:
    return range(first, last.start_year + 1)


def continuation_grants(until: FinancialYear) -> list[GrantSpec]:
    """The yearly grants that carry each programme on, from its first continuation year to `until`."""
    grants = []
    for spec in CONTINUATIONS:
        for year in _years(spec.first_year, until):
            fy = FinancialYear(year)
            amount = spec.amount + spec.uplift * (year - spec.first_year)
            lines, budgeted = [], 0
            for index, (name, category, cost_type, share) in enumerate(spec.shares):
                line_amount = amount - budgeted if index == len(spec.shares) - 1 else amount * share // 100
                budgeted += line_amount
                lines.append((name, category, cost_type, f"{line_amount}.00"))
            start, end = (D(year, 7, 21), D(year, 9, 1)) if spec.summer_only else (fy.start, fy.end)
            grants.append(
                GrantSpec(
                    spec.code,
                    year,
                    spec.programme,
                    spec.provider,
                    spec.title.format(label=fy.label, year=year),
                    D(year, 3, 1),
                    start,
                    end,
                    charges=((CORE, year, f"{amount}.00"),),
                    budget_lines=tuple(lines),
                    payment_mode=spec.payment_mode,
                    purpose=spec.purpose,
                    rationale=spec.rationale,
                    areas=spec.areas,
                    allocation_method=spec.allocation_method,
                    direct_award_justification=spec.direct_award_justification,
                    figure_scale=spec.figure_scale,
                    targets=tuple((slug, year, "") for slug in spec.targets),
                )
            )
    return grants


def grants_until(until: FinancialYear) -> list[GrantSpec]:
    """Every grant of the story that has started by the end of `until`, the current financial year."""
    return [g for g in FIXED_GRANTS + continuation_grants(until) if g.year <= until.start_year]


def core_allocations(until: FinancialYear) -> dict[int, int]:
    """Each year's core grants, to `until` or the last year charged: what the demo's grants commit, plus
    headroom, rounded up (whole pounds)."""
    committed: dict[int, int] = dict.fromkeys(_years(FIRST_YEAR.start_year, until), 0)
    for grant in grants_until(until):
        for stream, year, amount in grant.charges:
            if stream == CORE:
                # A grant that has started may be charged to later years too (early in the story, Navigator's).
                committed[year] = committed.get(year, 0) + int(amount.split(".")[0])
    return {year: -(-(total + CORE_HEADROOM) // CORE_STEP) * CORE_STEP for year, total in committed.items()}
