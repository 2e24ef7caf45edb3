"""Shared test set-up for essays: requests, authors with accounts, texts that are and are not copies."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.test import TestCase

from core.choices import Role
from core.testing.personas import Personas
from essays.models import Essay, EssayRequest, EssayVersion
from essays.services import create_request, start_essay, submit
from orgs.models import Member, RoleGrant

REGULATIONS = (Path(__file__).resolve().parents[2] / "learning" / "data" / "regulations.txt").read_text("utf-8")
SENTENCES = [s for s in re.split(r"(?<=[。；])", REGULATIONS.replace("\n", "")) if len(s) > 30]
# Four own texts, written for these tests, none sharing a sentence with another or with the regulations.
OWN = [
    ("今年以来，我坚持每周抽出固定时间学习，把学习笔记整理成册，在支部学习会上交流体会。"
     "在社区志愿服务中，我主动联系三户困难群众，帮他们解决了看病和子女上学的实际困难。"
     "对照检查，我在联系群众方面还有差距，下一步要多走访、多倾听，把群众的事放在心上。"),
    ("参加这次专题党课后，我回到车间把讲课提纲又读了两遍，结合班组安全生产讲给工友们听。"
     "过去我总觉得理论离一线很远，这次才明白，规章制度背后是对每个人生命的负责。"
     "我准备在班组里推行每周一次的隐患排查，把责任落到每一台设备、每一个岗位。"),
    ("退休以后我在小区当楼长，这次学习让我想起刚入党时老支书说过的话：党员就是要多干一点。"
     "今年夏天暴雨，我和几位老党员连夜把地下室的住户转移出来，没有一个人受伤。"
     "今后我还要带着年轻党员熟悉楼里的情况，把为邻里服务的事一件件接着做下去。"),
    ("作为村里的年轻党员，我负责电商服务站，今年帮乡亲们在网上卖出了两万多斤猕猴桃。"
     "学习中我反复琢磨怎样让群众得到实惠，发现物流和包装还是短板，价格也常被压低。"
     "明年我打算和合作社一起建冷库，再请农技员开几次课，让大家的收入更稳当一些。"),
]


def essay_text(own: int, copied: str = "", repeat: int = 1) -> str:
    return (OWN[own] + copied + OWN[own]) * repeat


def new_request(p: Personas, org: Any, *, title: str = "学习党章心得体会", min_length: int = 50,
                deadline: datetime.date | None = None, members: Any = (), **extra: Any) -> EssayRequest:
    soon = datetime.date.today() + datetime.timedelta(days=14)
    request = create_request(EssayRequest(org=org, title=title, min_length=min_length,
                                          deadline=max(deadline or soon, datetime.date.today()), **extra),
                             acting_user=p.admin, members=members)
    if deadline and deadline < datetime.date.today():
        # A request that has fallen due since (a new one cannot be due already).
        EssayRequest.objects.filter(pk=request.pk).update(deadline=deadline)
        request.deadline = deadline
    return request


def author(member: Member, username: str) -> Any:
    """``member`` with an account of its own (the member role is implied by the link)."""
    if member.user_id:
        return member.user
    user = get_user_model().objects.create_user(username, password="x-unused-9")
    Member.objects.filter(pk=member.pk).update(user=user)
    member.user = user
    RoleGrant.objects.create(user=user, role=Role.MEMBER, org=member.org)
    return user


def submitted(essay: Essay, user: Any, **kwargs: Any) -> EssayVersion:
    """Submit and run the queued originality check (tasks run on commit, which a test never reaches)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = submit(essay, acting_user=user, **kwargs)
    version.refresh_from_db()
    return version


def write(request: EssayRequest, user: Any, text: str, title: str = "") -> Essay:
    essay = start_essay(request, acting_user=user)
    submitted(essay, user, title=title or request.title, text=text)
    essay.refresh_from_db()
    return essay
