"""What each nested operation must return, computed from top-level data the harness already has.

Each relation gives, for a parent id, two sets of child sourcedIds: ``must`` (every reasonable
reading includes them) and ``may`` (some reading includes them). A provider's answer R is right when
must ⊆ R ⊆ may. Where the spec leaves the link open (students of a school: by role org or by
enrolment?) both readings are accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

Records = dict[str, list[dict]]  # collection operation id -> records


def _ref(record: dict, key: str) -> str | None:
    v = record.get(key)
    return v.get("sourcedId") if isinstance(v, dict) else None


def _refs(record: dict, key: str) -> set[str]:
    return {x.get("sourcedId") for x in record.get(key) or [] if isinstance(x, dict)}


def _ids(records: list[dict], keep: Callable[[dict], bool] = lambda r: True) -> set[str]:
    return {r["sourcedId"] for r in records if isinstance(r, dict) and "sourcedId" in r and keep(r)}


def _enrolled(data: Records, role: str | None, class_id: str | None = None, school_id: str | None = None,
              user_id: str | None = None) -> list[dict]:
    out = []
    for e in data.get("getAllEnrollments", []):
        if role and e.get("role") != role:
            continue
        if class_id and _ref(e, "class") != class_id:
            continue
        if school_id and _ref(e, "school") != school_id:
            continue
        if user_id and _ref(e, "user") != user_id:
            continue
        out.append(e)
    return out


def _classes_of_user(data: Records, ids: dict[str, str], param: str, role: str | None) -> tuple[set, set]:
    uid = ids[param]
    active = {_ref(e, "class") for e in _enrolled(data, role, user_id=uid) if e.get("status") == "active"}
    every = {_ref(e, "class") for e in _enrolled(data, None, user_id=uid)}
    return active, every


def _users_of_class(data: Records, ids: dict[str, str], role: str, population: str) -> tuple[set, set]:
    enrolled = _enrolled(data, role, class_id=ids["classSourcedId"], school_id=ids.get("schoolSourcedId"))
    people = _ids(data.get(population, []))
    active = {_ref(e, "user") for e in enrolled if e.get("status") == "active"} & people
    every = {_ref(e, "user") for e in enrolled}
    return active, every


def _has_role_at(user: dict, org: str, role: str) -> bool:
    """1.2: a role/org tuple in 'roles'; 1.1: the user's one 'role' and 'orgs' (schemas/v1p1/differences.yaml)."""
    if "roles" not in user and "role" in user:
        return user.get("role") == role and org in _refs(user, "orgs")
    return any(_ref(r, "org") == org and r.get("role") == role for r in user.get("roles") or [])


def _users_of_school(data: Records, ids: dict[str, str], role: str, population: str) -> tuple[set, set]:
    sid = ids["schoolSourcedId"]
    people = data.get(population, [])
    by_role = _ids(people, lambda u: _has_role_at(u, sid, role))
    by_enrolment = {_ref(e, "user") for e in _enrolled(data, role, school_id=sid)} & _ids(people)
    return by_role & by_enrolment, by_role | by_enrolment


def _courses_of_school(data: Records, ids: dict[str, str]) -> tuple[set, set]:
    sid = ids["schoolSourcedId"]
    by_org = _ids(data.get("getAllCourses", []), lambda c: _ref(c, "org") == sid)
    by_class = {_ref(c, "course") for c in data.get("getAllClasses", []) if _ref(c, "school") == sid}
    return by_org & by_class, by_org | by_class


def _terms_of_school(data: Records, ids: dict[str, str]) -> tuple[set, set]:
    sid = ids["schoolSourcedId"]
    terms = _ids(data.get("getAllTerms", []))
    classes = [c for c in data.get("getAllClasses", []) if _ref(c, "school") == sid]
    used = set().union(*[_refs(c, "terms") for c in classes]) if classes else set()
    # 1.2 AcademicSessions carry no org: a provider may list the terms its classes use or every term.
    return used & terms, terms


def _grading_periods_of_term(data: Records, ids: dict[str, str]) -> tuple[set, set]:
    tid = ids["termSourcedId"]
    periods = data.get("getAllGradingPeriods", [])
    by_parent = _ids(periods, lambda g: _ref(g, "parent") == tid)
    term = next((t for t in data.get("getAllTerms", []) if t.get("sourcedId") == tid), {})
    by_children = _refs(term, "children") & _ids(periods)
    return by_parent & by_children if by_children else by_parent, by_parent | by_children


@dataclass(frozen=True)
class Relation:
    parent: dict[str, str]  # path parameter -> collection operation that supplies its ids
    child: str  # the collection operation whose records the nested one returns
    expected: Callable[[Records, dict[str, str]], tuple[set, set]]
    reads: tuple[str, ...] = ()  # the other collections ``expected`` reads
    # Two path parameters: (the outer one, the GUIDRef key by which a record of the inner parameter's
    # collection names its outer parent), e.g. a class names its school by "school".
    within: tuple[str, str] | None = None
    # Two path parameters named together by a third collection: (that collection, the GUIDRef key naming
    # the first parameter's record, the key naming the second's), e.g. an enrollment names class and user.
    through: tuple[str, str, str] | None = None

    def streamed(self, data: Records, ids: dict[str, str]) -> tuple[Iterable, Iterable]:
        """(must, may) as ``expected`` gives them, except that a relation with one reading that can be
        streamed gives the same iterator twice: the children are never held as a set (every class of
        a term, in the largest district)."""
        matching = getattr(self.expected, "matching", None)
        if matching is None:
            return self.expected(data, ids)
        found = matching(data, ids)
        return found, found

    def has_children(self, data: Records, ids: dict[str, str]) -> bool:
        must, _ = self.streamed(data, ids)
        return any(True for _ in must)

    @property
    def collections(self) -> tuple[str, ...]:
        """Every collection the relation needs: the child, the parents' and what ``expected`` reads."""
        return tuple(sorted({self.child, *self.parent.values(), *self.reads}))


# ---------------------------------------------------------------- Gradebook and Resources
def _line_items_of_class(data: Records, class_id: str) -> set[str]:
    return _ids(data.get("getAllLineItems", []), lambda li: _ref(li, "class") == class_id)


def _results_of_class(data: Records, ids: dict[str, str], keep: Callable[[dict], bool] = lambda r: True):
    """A result belongs to a class through its lineItem (required) or its own optional ``class``."""
    cid = ids["classSourcedId"]
    items = _line_items_of_class(data, cid)
    results = data.get("getAllResults", [])
    by_item = _ids(results, lambda r: keep(r) and _ref(r, "lineItem") in items)
    by_class = _ids(results, lambda r: keep(r) and _ref(r, "class") == cid)
    return by_item, by_item | by_class


def _categories_of_class(data: Records, ids: dict[str, str]) -> tuple[set, set]:
    """Categories carry no class: those the class's lineItems use must be listed; any category may be."""
    cid = ids["classSourcedId"]
    used = {_ref(li, "category") for li in data.get("getAllLineItems", []) if _ref(li, "class") == cid}
    every = _ids(data.get("getAllCategories", []))
    return used & every, every


def _score_scales_of_school(data: Records, ids: dict[str, str]) -> tuple[set, set]:
    sid = ids["schoolSourcedId"]
    classes = _ids(data.get("getAllClasses", []), lambda c: _ref(c, "school") == sid)
    courses = _ids(data.get("getAllCourses", []), lambda c: _ref(c, "org") == sid)
    scales = data.get("getAllScoreScales", [])
    by_class = _ids(scales, lambda s: _ref(s, "class") in classes)
    by_course = _ids(scales, lambda s: _ref(s, "course") in courses)
    return by_class, by_class | by_course


def _resources_listed(param: str, owner: str):
    """Resources carry no owner: those the rostering record lists in ``resources`` must be returned;
    any resource the Resources service serves may be."""
    def expected(data: Records, ids: dict[str, str]) -> tuple[set, set]:
        record = next((r for r in data.get(owner, []) if r.get("sourcedId") == ids[param]), {})
        every = _ids(data.get("getAllResources", []))
        return _refs(record, "resources") & every, every
    return expected


def _same(pred: Callable[[dict, dict[str, str]], bool], child: str):
    def matching(data: Records, ids: dict[str, str]) -> Iterator[object]:
        return (r["sourcedId"] for r in data.get(child, [])
                if isinstance(r, dict) and "sourcedId" in r and pred(r, ids))

    def expected(data: Records, ids: dict[str, str]) -> tuple[set, set]:
        s = set(matching(data, ids))
        return s, s
    expected.matching = matching  # one reading, streamed: what nested.judge stores without a set
    return expected


ENROLMENTS = ("getAllEnrollments",)
IN_SCHOOL = ("schoolSourcedId", "school")  # /schools/{school}/classes/{class}/...: the class's school

RELATIONS: dict[str, Relation] = {
    "getClassesForCourse": Relation({"courseSourcedId": "getAllCourses"}, "getAllClasses",
                                    _same(lambda r, i: _ref(r, "course") == i["courseSourcedId"], "getAllClasses")),
    "getClassesForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllClasses",
                                    _same(lambda r, i: _ref(r, "school") == i["schoolSourcedId"], "getAllClasses")),
    "getClassesForTerm": Relation({"termSourcedId": "getAllTerms"}, "getAllClasses",
                                  _same(lambda r, i: i["termSourcedId"] in _refs(r, "terms"), "getAllClasses")),
    "getClassesForStudent": Relation({"studentSourcedId": "getAllStudents"}, "getAllClasses",
                                     lambda d, i: _classes_of_user(d, i, "studentSourcedId", "student"), ENROLMENTS),
    "getClassesForTeacher": Relation({"teacherSourcedId": "getAllTeachers"}, "getAllClasses",
                                     lambda d, i: _classes_of_user(d, i, "teacherSourcedId", "teacher"), ENROLMENTS),
    "getClassesForUser": Relation({"userSourcedId": "getAllUsers"}, "getAllClasses",
                                  lambda d, i: _classes_of_user(d, i, "userSourcedId", None), ENROLMENTS),
    "getCoursesForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllCourses", _courses_of_school,
                                    ("getAllClasses",)),
    "getEnrollmentsForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllEnrollments",
                                        _same(lambda r, i: _ref(r, "school") == i["schoolSourcedId"],
                                              "getAllEnrollments")),
    "getEnrollmentsForClassInSchool": Relation(
        {"schoolSourcedId": "getAllSchools", "classSourcedId": "getAllClasses"}, "getAllEnrollments",
        _same(lambda r, i: _ref(r, "class") == i["classSourcedId"], "getAllEnrollments"), within=IN_SCHOOL),
    "getGradingPeriodsForTerm": Relation({"termSourcedId": "getAllTerms"}, "getAllGradingPeriods",
                                         _grading_periods_of_term, ("getAllTerms",)),
    "getStudentsForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllStudents",
                                    lambda d, i: _users_of_class(d, i, "student", "getAllStudents"), ENROLMENTS),
    "getStudentsForClassInSchool": Relation(
        {"schoolSourcedId": "getAllSchools", "classSourcedId": "getAllClasses"}, "getAllStudents",
        lambda d, i: _users_of_class(d, i, "student", "getAllStudents"), ENROLMENTS, IN_SCHOOL),
    "getStudentsForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllStudents",
                                     lambda d, i: _users_of_school(d, i, "student", "getAllStudents"), ENROLMENTS),
    "getTeachersForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllTeachers",
                                    lambda d, i: _users_of_class(d, i, "teacher", "getAllTeachers"), ENROLMENTS),
    "getTeachersForClassInSchool": Relation(
        {"schoolSourcedId": "getAllSchools", "classSourcedId": "getAllClasses"}, "getAllTeachers",
        lambda d, i: _users_of_class(d, i, "teacher", "getAllTeachers"), ENROLMENTS, IN_SCHOOL),
    "getTeachersForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllTeachers",
                                     lambda d, i: _users_of_school(d, i, "teacher", "getAllTeachers"), ENROLMENTS),
    "getTermsForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllTerms", _terms_of_school,
                                  ("getAllClasses",)),
    # Gradebook
    "getCategoriesForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllCategories", _categories_of_class,
                                      ("getAllLineItems",)),
    "getLineItemsForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllLineItems",
                                     _same(lambda r, i: _ref(r, "class") == i["classSourcedId"], "getAllLineItems")),
    "getResultsForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllResults", _results_of_class,
                                   ("getAllLineItems",)),
    "getResultsForLineItemForClass": Relation(
        {"classSourcedId": "getAllClasses", "lineItemSourcedId": "getAllLineItems"}, "getAllResults",
        _same(lambda r, i: _ref(r, "lineItem") == i["lineItemSourcedId"], "getAllResults"), ("getAllLineItems",),
        within=("classSourcedId", "class")),
    "getResultsForStudentForClass": Relation(
        {"classSourcedId": "getAllClasses", "studentSourcedId": "getAllStudents"}, "getAllResults",
        lambda d, i: _results_of_class(d, i, lambda r: _ref(r, "student") == i["studentSourcedId"]),
        ("getAllLineItems",), through=("getAllEnrollments", "class", "user")),
    "getScoreScalesForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllScoreScales",
                                       _same(lambda r, i: _ref(r, "class") == i["classSourcedId"],
                                             "getAllScoreScales")),
    "getScoreScalesForSchool": Relation({"schoolSourcedId": "getAllSchools"}, "getAllScoreScales",
                                        _score_scales_of_school, ("getAllClasses", "getAllCourses")),
    # Resources
    "getResourcesForClass": Relation({"classSourcedId": "getAllClasses"}, "getAllResources",
                                     _resources_listed("classSourcedId", "getAllClasses")),
    "getResourcesForCourse": Relation({"courseSourcedId": "getAllCourses"}, "getAllResources",
                                      _resources_listed("courseSourcedId", "getAllCourses")),
    "getResourcesForUser": Relation({"userSourcedId": "getAllUsers"}, "getAllResources",
                                    _resources_listed("userSourcedId", "getAllUsers")),
}

# Single-object operation -> the collection its ids come from.
SINGLE_SOURCE = {
    "getAcademicSession": "getAllAcademicSessions", "getClass": "getAllClasses", "getCourse": "getAllCourses",
    "getDemographics": "getAllDemographics", "getEnrollment": "getAllEnrollments",
    "getGradingPeriod": "getAllGradingPeriods", "getOrg": "getAllOrgs", "getSchool": "getAllSchools",
    "getStudent": "getAllStudents", "getTeacher": "getAllTeachers", "getTerm": "getAllTerms", "getUser": "getAllUsers",
    "getCategory": "getAllCategories", "getLineItem": "getAllLineItems", "getResult": "getAllResults",
    "getScoreScale": "getAllScoreScales", "getAssessmentLineItem": "getAllAssessmentLineItems",
    "getAssessmentResult": "getAllAssessmentResults", "getResource": "getAllResources",
}
