"""A seeded generator of districts of any size (the same seed gives the same district).

Shape for N students: one school per ~500 students, one school year with two terms and four
grading periods, 12 courses per school, ten periods a day and classes of ~25 per period and term
(so ~20 enrollments per student), a teacher per ~20 students, a guardian per two students, a
principal per school and two district administrators. Records are yielded lazily so a 100,000
student district (2 million enrollments) streams into SQLite without being held in memory.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from oneroster_conformance.provider.sample import guid_ref

CLASS_SIZE = 25
PERIODS = 10
STUDENTS_PER_SCHOOL = 500
STUDENTS_PER_TEACHER = 20
SUBJECTS = [
    ("Mathematics", "02"), ("English Language Arts", "01"), ("Science", "03"), ("Social Studies", "04"),
    ("Music", "05"), ("Visual Arts", "05"), ("Physical Education", "08"), ("Français", "06"),
    ("Español", "06"), ("Computer Science", "10"), ("Health", "08"), ("Drama", "05"),
]
GIVEN = [
    "Émile", "Zoë", "Øyvind", "Łukasz", "Siobhán", "Íñigo", "Ana", "Liam", "Noah", "Olivia", "Ava", "Mateo",
    "Lena", "Tomáš", "Jiří", "Zofia", "Björn", "Søren", "Astrid", "Marco", "Ewan", "Fiona", "Chloé", "Oliver",
    "Linh", "Ji-woo", "Mei", "Aarav", "Saanvi", "Kofi", "Amara", "Yusuf", "Elif", "Ólafur", "Hugo", "Inès",
    "Jules", "Karl", "Laura", "Maja", "Nils", "Oona", "Pablo", "Rosa", "Sara", "Tiago", "Vera", "William",
    "Yara", "Zacharie", "aidan", "Beatriz", "Çağla", "Đorđe", "Ægir", "Ευα", "Иван", "Noémie",
]
FAMILY = [
    "Ångström", "Çelik", "van der Berg", "de la Cruz", "O'Brien", "Ñúñez", "Smythe", "Smith", "smith",
    "Zimmermann", "Abara", "García", "Müller", "Novák", "Dvořák", "Żak", "Björk", "Østergaard", "Eriksson",
    "D'Angelo", "McAllister", "Mac Donald", "Le Blanc", "St. John", "Ngô", "Kim", "Park", "Lee", "Chen",
    "Patel", "Sharma", "Mensah", "Okafor", "Yılmaz", "Şahin", "Ólafsson", "Ærø", "Hägg", "Ibáñez", "Jégou",
    "Kühn", "Lévesque", "Möller", "Nyström", "Öberg", "Peña", "Quéré", "Rønning", "Sørensen", "Tavares",
    "Väisänen", "Walsh", "Ximénez", "Yáñez", "Zéphir", "o'neill", "Beaumont", "Παπαδόπουλος", "Иванов",
]
LANGUAGES = ["en", "es", "fr", "no", "pl", "vi", "zh"]
YEAR_START, YEAR_END = "2024-08-14", "2025-06-13"
TERMS = [("as-term-fall", "Fall Semester 2024", "2024-08-14", "2025-01-17"),
         ("as-term-spring", "Spring Semester 2025", "2025-01-20", "2025-06-13")]
PERIOD_DATES = [("2024-08-14", "2024-10-25"), ("2024-10-28", "2025-01-17"),
                ("2025-01-20", "2025-03-28"), ("2025-03-31", "2025-06-13")]


def _timestamps(seed: int, count: int = 4000) -> list[str]:
    """A pool of dateLastModified values spread over ten months (delta syncs have something to find)."""
    rnd = random.Random(f"{seed}:timestamps")
    base = datetime(2024, 6, 1, tzinfo=UTC)
    out = []
    for _ in range(count):
        t = base + timedelta(seconds=rnd.randrange(300 * 86400), milliseconds=rnd.randrange(1000))
        out.append(t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z")
    return out


class District:
    def __init__(self, students: int, seed: int = 0) -> None:
        self.n_students = students
        self.seed = seed
        self.n_schools = max(1, round(students / STUDENTS_PER_SCHOOL))
        # contiguous blocks of student numbers per school
        self.bounds = [students * s // self.n_schools for s in range(self.n_schools + 1)]
        self.teachers_per_school = [
            max(1, math.ceil((self.bounds[s + 1] - self.bounds[s]) / STUDENTS_PER_TEACHER))
            for s in range(self.n_schools)
        ]
        self.teacher_base = [sum(self.teachers_per_school[:s]) for s in range(self.n_schools)]
        self.stamps = _timestamps(seed)
        self._class_counter = 0

    # ------------------------------------------------------------------ ids
    @staticmethod
    def school_id(s: int) -> str:
        return f"sch-{s + 1:04d}"

    @staticmethod
    def student_id(k: int) -> str:
        return f"stu-{k + 1:07d}"

    @staticmethod
    def teacher_id(t: int) -> str:
        return f"tch-{t + 1:06d}"

    @staticmethod
    def guardian_id(g: int) -> str:
        return f"grd-{g + 1:07d}"

    @staticmethod
    def course_id(s: int, c: int) -> str:
        return f"crs-{s + 1:04d}-{c + 1:02d}"

    @staticmethod
    def class_id(s: int, term: int, period: int, section: int) -> str:
        return f"cls-{s + 1:04d}-{term + 1}{period:02d}-{section + 1:03d}"

    def school_of(self, k: int) -> int:
        lo, hi = 0, self.n_schools - 1
        while lo < hi:  # bisect over the block bounds
            mid = (lo + hi + 1) // 2
            if self.bounds[mid] <= k:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _meta(self, rnd: random.Random, status_rate: float = 0.01) -> dict[str, str]:
        return {
            "status": "tobedeleted" if rnd.random() < status_rate else "active",
            "dateLastModified": rnd.choice(self.stamps),
        }

    # ------------------------------------------------------------------ tables
    def orgs(self) -> Iterator[dict[str, Any]]:
        rnd = random.Random(f"{self.seed}:orgs")
        yield {"sourcedId": "org-district", "status": "active", "dateLastModified": self.stamps[0],
               "name": "Generated Unified School District", "type": "district", "identifier": "0699999",
               "children": [guid_ref("org", self.school_id(s)) for s in range(self.n_schools)],
               "metadata": {"ext:seed": str(self.seed)}}
        for s in range(self.n_schools):
            yield {"sourcedId": self.school_id(s), **self._meta(rnd, 0),
                   "name": f"{rnd.choice(FAMILY)} School {s + 1}", "type": "school",
                   "identifier": f"0699999{s + 1:05d}", "parent": guid_ref("org", "org-district"),
                   "metadata": {"ext:district": "generated"}}

    def academic_sessions(self) -> Iterator[dict[str, Any]]:
        yield {"sourcedId": "as-sy-2025", "status": "active", "dateLastModified": self.stamps[0],
               "title": "2024–2025 School Year", "type": "schoolYear", "startDate": YEAR_START,
               "endDate": YEAR_END, "schoolYear": "2025",
               "children": [guid_ref("academicSession", t[0]) for t in TERMS]}
        for i, (sid, title, start, end) in enumerate(TERMS):
            gps = [f"as-gp-q{q + 1}" for q in (2 * i, 2 * i + 1)]
            yield {"sourcedId": sid, "status": "active", "dateLastModified": self.stamps[1], "title": title,
                   "type": "term", "startDate": start, "endDate": end, "schoolYear": "2025",
                   "parent": guid_ref("academicSession", "as-sy-2025"),
                   "children": [guid_ref("academicSession", g) for g in gps]}
            for q in (2 * i, 2 * i + 1):
                yield {"sourcedId": f"as-gp-q{q + 1}", "status": "active", "dateLastModified": self.stamps[2],
                       "title": f"Quarter {q + 1}", "type": "gradingPeriod", "startDate": PERIOD_DATES[q][0],
                       "endDate": PERIOD_DATES[q][1], "schoolYear": "2025",
                       "parent": guid_ref("academicSession", sid)}

    def courses(self) -> Iterator[dict[str, Any]]:
        rnd = random.Random(f"{self.seed}:courses")
        for s in range(self.n_schools):
            for c, (subject, code) in enumerate(SUBJECTS):
                yield {"sourcedId": self.course_id(s, c), **self._meta(rnd), "title": f"{subject} {c + 1}",
                       "schoolYear": guid_ref("academicSession", "as-sy-2025"), "courseCode": f"{code}{c:03d}",
                       "grades": ["09", "10"], "subjects": [subject], "org": guid_ref("org", self.school_id(s)),
                       "subjectCodes": [f"{code}{c:03d}"]}

    def _sections(self, s: int) -> int:
        return math.ceil((self.bounds[s + 1] - self.bounds[s]) / CLASS_SIZE)

    def _class_plan(self) -> Iterator[tuple[int, int, int, int, int]]:
        """(school, term, period, section, class number within the school) for every class."""
        for s in range(self.n_schools):
            n = 0
            for term in range(len(TERMS)):
                for period in range(1, PERIODS + 1):
                    for section in range(self._sections(s)):
                        yield s, term, period, section, n
                        n += 1

    def _teacher_of(self, s: int, n: int) -> str:
        return self.teacher_id(self.teacher_base[s] + n % self.teachers_per_school[s])

    def classes(self) -> Iterator[dict[str, Any]]:
        rnd = random.Random(f"{self.seed}:classes")
        for s, term, period, section, _n in self._class_plan():
            c = (period + section) % len(SUBJECTS)
            subject, code = SUBJECTS[c]
            yield {"sourcedId": self.class_id(s, term, period, section), **self._meta(rnd),
                   "title": f"{subject} {c + 1} – P{period} S{section + 1}", "classCode": f"{code}{c:03d}-{section}",
                   "classType": "homeroom" if period == 1 else "scheduled", "location": f"Room {100 + section}",
                   "grades": ["09", "10"], "subjects": [subject],
                   "course": guid_ref("course", self.course_id(s, c)),
                   "school": guid_ref("org", self.school_id(s)),
                   "terms": [guid_ref("academicSession", TERMS[term][0])],
                   "subjectCodes": [f"{code}{c:03d}"], "periods": [str(period)]}

    def users(self) -> Iterator[dict[str, Any]]:
        rnd = random.Random(f"{self.seed}:users")
        for k in range(self.n_students):
            s = self.school_of(k)
            sid = self.student_id(k)
            given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
            user = {"sourcedId": sid, **self._meta(rnd), "username": f"s{k + 1:07d}",
                    "userIds": [{"type": "studentNumber", "identifier": f"S{k + 1:07d}"}],
                    "enabledUser": "true", "givenName": given, "familyName": family,
                    "roles": [{"roleType": "primary", "role": "student", "org": guid_ref("org", self.school_id(s))}],
                    "primaryOrg": guid_ref("org", self.school_id(s)), "identifier": f"S{k + 1:07d}",
                    "email": f"s{k + 1:07d}@students.generated.example",
                    "agents": [guid_ref("user", self.guardian_id(k // 2))],
                    "grades": [rnd.choice(["09", "10"])],
                    "metadata": {"ext:district": "generated", "ext:homeLanguage": rnd.choice(LANGUAGES)}}
            yield user
        for s in range(self.n_schools):
            for i in range(self.teachers_per_school[s]):
                t = self.teacher_base[s] + i
                roles = [{"roleType": "primary", "role": "teacher", "org": guid_ref("org", self.school_id(s))}]
                if t % 10 == 9 and self.n_schools > 1:  # some teach at a second school too
                    other = (s + 1) % self.n_schools
                    roles.append({"roleType": "secondary", "role": "teacher",
                                  "org": guid_ref("org", self.school_id(other))})
                yield {"sourcedId": self.teacher_id(t), **self._meta(rnd), "username": f"t{t + 1:06d}",
                       "enabledUser": "true", "givenName": rnd.choice(GIVEN), "familyName": rnd.choice(FAMILY),
                       "roles": roles, "primaryOrg": guid_ref("org", self.school_id(s)),
                       "email": f"t{t + 1:06d}@generated.example", "metadata": {"ext:district": "generated"}}
        for g in range((self.n_students + 1) // 2):
            kids = [k for k in (2 * g, 2 * g + 1) if k < self.n_students]
            yield {"sourcedId": self.guardian_id(g), **self._meta(rnd), "enabledUser": "true",
                   "givenName": rnd.choice(GIVEN), "familyName": rnd.choice(FAMILY),
                   "roles": [{"roleType": "primary", "role": "parent" if g % 5 else "guardian",
                              "org": guid_ref("org", self.school_id(self.school_of(kids[0])))}],
                   "agents": [guid_ref("user", self.student_id(k)) for k in kids]}
        for s in range(self.n_schools):
            yield {"sourcedId": f"adm-{s + 1:04d}", "status": "active", "dateLastModified": rnd.choice(self.stamps),
                   "enabledUser": "true", "givenName": rnd.choice(GIVEN), "familyName": rnd.choice(FAMILY),
                   "roles": [{"roleType": "primary", "role": "principal", "org": guid_ref("org", self.school_id(s))}],
                   "primaryOrg": guid_ref("org", self.school_id(s))}
        for a in range(2):
            yield {"sourcedId": f"adm-d{a + 1}", "status": "active", "dateLastModified": self.stamps[3],
                   "enabledUser": "true", "givenName": GIVEN[a], "familyName": FAMILY[a],
                   "roles": [{"roleType": "primary", "role": "districtAdministrator",
                              "org": guid_ref("org", "org-district")}],
                   "primaryOrg": guid_ref("org", "org-district")}

    def enrollment_rows(self) -> Iterator[tuple[str, str, str, str, str, str, str]]:
        """Enrollments as ready store rows (sid, doc, dateLastModified, class, school, user, role).

        Two million records are the bulk of a 100,000-student build; formatting them from
        pre-encoded GUIDRefs is several times faster than json.dumps of a dict per record.
        """
        rnd = random.Random(f"{self.seed}:enrollments")
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        stamps = self.stamps
        n = 0
        school_refs = [dumps(guid_ref("org", self.school_id(s))) for s in range(self.n_schools)]
        for s, term, period, section, c_no in self._class_plan():
            lo, hi = self.bounds[s], self.bounds[s + 1]
            if section == 0:  # one shuffle of the school's students per (term, period)
                order = list(range(lo, hi))
                random.Random(f"{self.seed}:{s}:{term}:{period}").shuffle(order)
            cid = self.class_id(s, term, period, section)
            school = self.school_id(s)
            tail = (f',"class":{dumps(guid_ref("class", cid))},"school":{school_refs[s]},"role":"%s"%s,'
                    f'"beginDate":"{TERMS[term][2]}","endDate":"{TERMS[term][3]}"}}')
            teacher = self._teacher_of(s, c_no)
            members = [(teacher, "teacher")] + [
                (self.student_id(k), "student") for k in order[section * CLASS_SIZE:(section + 1) * CLASS_SIZE]
            ]
            for uid, role in members:
                n += 1
                eid = f"enr-{n:08d}"
                status = "tobedeleted" if rnd.random() < 0.002 else "active"
                stamp = rnd.choice(stamps)
                doc = (f'{{"sourcedId":"{eid}","status":"{status}","dateLastModified":"{stamp}",'
                       f'"user":{{"href":"/users/{uid}","sourcedId":"{uid}","type":"user"}}'
                       + tail % (role, ',"primary":"true"' if role == "teacher" else ""))
                yield eid, doc, stamp, cid, school, uid, role

    def enrollments(self) -> Iterator[dict[str, Any]]:
        """The same enrollments as records (for validation and small districts)."""
        for row in self.enrollment_rows():
            yield json.loads(row[1])

    def demographics(self) -> Iterator[dict[str, Any]]:
        rnd = random.Random(f"{self.seed}:demographics")
        for k in range(self.n_students):
            flags = {name: "true" if rnd.random() < p else "false" for name, p in (
                ("americanIndianOrAlaskaNative", 0.02), ("asian", 0.15), ("blackOrAfricanAmerican", 0.12),
                ("nativeHawaiianOrOtherPacificIslander", 0.01), ("white", 0.5),
                ("demographicRaceTwoOrMoreRaces", 0.05), ("hispanicOrLatinoEthnicity", 0.3))}
            yield {"sourcedId": self.student_id(k), **self._meta(rnd, 0),
                   "birthDate": f"{2008 + rnd.randrange(3)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                   "sex": rnd.choice(["female", "male", "other", "unspecified"]), **flags,
                   "countryOfBirthCode": "US", "stateOfBirthAbbreviation": "CA", "cityOfBirth": "Sacramento"}

    def tables(self) -> dict[str, Iterator[dict[str, Any]]]:
        return {"orgs": self.orgs(), "academic_sessions": self.academic_sessions(), "courses": self.courses(),
                "classes": self.classes(), "users": self.users(), "enrollments": self.enrollment_rows(),
                "demographics": self.demographics()}
