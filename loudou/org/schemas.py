from ninja import Field, Schema

from loudou.core.schemas import Id


class TeamOut(Schema):
    id: int
    name: str
    manager_id: Id | None
    region_id: Id | None


class TeamIn(Schema):
    name: str = Field(max_length=60)
    manager_id: Id | None = None
    region_id: Id | None = None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    team_id: Id | None
    language: str
    capacity: int
    on_leave: bool
    is_active: bool
    specialty_industry_ids: list[Id]
    specialty_region_ids: list[Id]

    @staticmethod
    def resolve_specialty_industry_ids(obj) -> list[int]:
        return [i.pk for i in obj.specialty_industries.all()]

    @staticmethod
    def resolve_specialty_region_ids(obj) -> list[int]:
        return [r.pk for r in obj.specialty_regions.all()]


class UserIn(Schema):
    username: str = Field(None, max_length=150)
    display_name: str = Field(None, max_length=60)
    email: str = Field(None, max_length=254)
    role: str = None
    team_id: Id | None = None
    language: str = None
    capacity: int = Field(None, ge=0, le=100000)
    on_leave: bool = None
    is_active: bool = None
    specialty_industry_ids: list[Id] = None
    specialty_region_ids: list[Id] = None
    password: str = Field(None, max_length=128)


class ReferenceOut(Schema):
    id: int
    name: str
    name_en: str


class SourceOut(Schema):
    code: str
    name: str
    name_en: str


class GradeRuleOut(Schema):
    id: int
    kind: str
    grade: str
    priority: int
    name: str
    conditions: dict
    is_active: bool


class GradeRuleIn(Schema):
    kind: str = None
    grade: str = None
    priority: int = Field(None, ge=0, le=32767)
    name: str = Field(None, max_length=200)
    conditions: dict = None
    is_active: bool = None


class NeedPolicyIO(Schema):
    high_min: int = Field(ge=0, le=1000)
    medium_min: int = Field(ge=0, le=1000)
