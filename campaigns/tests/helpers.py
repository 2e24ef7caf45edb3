from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, Exemplar, Problem, Project
from core.testing.personas import Personas

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def new_campaign(p: Personas, org: Any, name: str = "主题教育", *, started_days_ago: int = 30,
                 **extra: Any) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign(org=org, name=name, requirement="守初心、担使命，找差距、抓落实",
                        start=today - datetime.timedelta(days=started_days_ago),
                        end=today + datetime.timedelta(days=150), **extra)
    return services.create_campaign(campaign, acting_user=p.admin, goals=["理论学习有收获", "为民服务解难题"],
                                    specials=["形式主义、官僚主义"])


def new_problem(p: Personas, org: Any, title: str = "问题", *, campaign: Campaign | None = None,
                deadline_days: int = 30, found_days_ago: int = 10, **extra: Any) -> Problem:
    today = timezone.localdate()
    found = today - datetime.timedelta(days=found_days_ago)
    problem = Problem(org=org, campaign=campaign, title=title, description=f"{title}的具体表现", source="self",
                      found_on=found, standard="制度健全、落实到位", measures="制定措施，逐项整改",
                      deadline=found + datetime.timedelta(days=deadline_days), **extra)
    return services.create_problem(problem, acting_user=p.admin)


def new_project(p: Personas, org: Any, title: str = "实事", **extra: Any) -> Project:
    today = timezone.localdate()
    project = Project(org=org, title=title, description="为群众办实事", beneficiaries="社区居民",
                      start=today - datetime.timedelta(days=10), deadline=today + datetime.timedelta(days=20), **extra)
    return services.create_project(project, acting_user=p.admin)


def new_exemplar(p: Personas, org: Any, name: str = "先进", **extra: Any) -> Exemplar:
    exemplar = Exemplar(org=org, kind="org", subject=org, name=name, honours="2025年 先进基层党组织", year=2025,
                        **extra)
    return services.create_exemplar(exemplar, acting_user=p.admin)


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("整改报告")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
