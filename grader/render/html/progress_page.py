"""``grade progress --html``: the learner's course page, from the local progress records.

Level and XP bar to the next level, lessons passed per track, achievements
earned and still locked (with how to unlock them), and the latest attempts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.i18n import say
from grader.spec import pick

from .page import esc, page

if TYPE_CHECKING:
    from grader.course.learn import Catalog
    from grader.course.progress import Progress

RECENT = 10


def render(catalog: Catalog, progress: Progress, lang: str = "en") -> str:
    from grader.course.progress import earned, how_to_unlock

    course = catalog.course
    xp = progress.xp
    level, following = course.rules.level_of(xp)
    body = [f"<h1>{esc(course.title)}</h1>",
            f'<p class="dim">{esc(say(lang, "Your progress, kept on this computer only"))}</p>']
    head = say(lang, "Level {number} · {name}", number=level.number, name=level.shown(lang))
    if following is None:
        bar, caption, have, need = 100.0, say(lang, "top level reached · {xp} XP", xp=xp), xp, xp
    else:
        have, need = xp - level.xp, following.xp - level.xp
        bar = 100 * have / need
        caption = say(lang, "{have}/{need} XP to next level ({name})", have=have, need=need, name=following.shown(lang))
    body.append(f'<section class="card" id="level" data-level="{level.number}" data-xp="{xp}" data-have="{have}" '
                f'data-need="{need}"><h2 style="margin-top:0">{esc(head)}</h2>'
                f'<div class="bar" role="progressbar" aria-valuenow="{have}" aria-valuemax="{need}">'
                f'<span style="width:{bar:.1f}%"></span></div><p>{esc(caption)}</p></section>')
    body.append(f"<h2>{esc(say(lang, 'Lessons'))}</h2>")
    tracks = sorted({e.track for e in catalog.exercises})
    cards = []
    for track in tracks:
        mine = [e for e in catalog.exercises if e.track == track]
        done = sum(1 for e in mine if e.id in progress.passed)
        lessons = "".join(
            f'<li class="{_tone(progress.status(e.id))}">{_mark(progress.status(e.id))} <code>{esc(e.id)}</code> '
            f'{esc(pick(e.title, lang))} <span class="dim">{e.xp} XP</span></li>' for e in mine)
        cards.append(f'<div class="card track" data-track="{track}" data-done="{done}" data-total="{len(mine)}">'
                     f'<h3>{esc(say(lang, "Track {track}", track=track))}</h3> '
                     f'<span>{esc(say(lang, "{done}/{total} lessons passed", done=done, total=len(mine)))}</span>'
                     f'<div class="bar"><span style="width:{100 * done / len(mine):.1f}%"></span></div>'
                     f'<ul style="padding-left:1.2em">{lessons}</ul></div>')
    body.append(f'<div class="grid">{"".join(cards)}</div>')
    achievements = course.rules.achievements
    got = [a for a in achievements if earned(a, progress, catalog.tracks)]
    body.append(f"<h2>{esc(say(lang, 'Achievements: {done} of {total}', done=len(got), total=len(achievements)))}</h2>")
    items = []
    for achievement in achievements:
        unlocked = achievement in got
        state = say(lang, "earned") if unlocked else say(lang, "locked")
        how = "" if unlocked else f'<br><span class="dim">{esc(say(lang, "to unlock: {how}", how=how_to_unlock(achievement, lang)))}</span>'
        items.append(f'<div class="card achievement{"" if unlocked else " locked"}" data-earned="{str(unlocked).lower()}">'
                     f'{"★" if unlocked else "☆"} <b>{esc(pick(achievement.name, lang))}</b> '
                     f'<span class="badge {"ok" if unlocked else "skip"}">{esc(state)}</span><br>'
                     f"{esc(pick(achievement.description, lang))}{how}</div>")
    body.append(f'<div class="grid" id="achievements">{"".join(items)}</div>')
    body.append(f"<h2>{esc(say(lang, 'Recent attempts'))}</h2>")
    body.append(_attempts(progress, lang))
    return page(say(lang, "Your progress"), "\n".join(body), lang)


def _mark(status: str) -> str:
    return {"passed": "✓", "attempted": "•"}.get(status, "○")


def _tone(status: str) -> str:
    return {"passed": "ok", "attempted": "bad"}.get(status, "dim")


def _attempts(progress: Progress, lang: str) -> str:
    recent = list(reversed(progress.attempts[-RECENT:]))
    if not recent:
        return f'<p class="dim">{esc(say(lang, "No attempts yet: grade a lesson to see it here."))}</p>'
    head = "".join(f"<th>{esc(text)}</th>" for text in (
        say(lang, "when"), say(lang, "lesson"), say(lang, "result"), say(lang, "checks"), say(lang, "points")))
    rows = "".join(
        f'<tr class="attempt"><td>{esc(str(a.get("at", "")).replace("T", " "))}</td><td><code>{esc(a.get("exercise", ""))}</code></td>'
        f'<td class="{"ok" if a.get("passed") else "bad"}">{"✓" if a.get("passed") else "✗"}</td>'
        f'<td>{esc(a.get("checks_passed", ""))}/{esc(a.get("checks_total", ""))}</td>'
        f'<td>{esc(a.get("points", ""))}/{esc(a.get("max_points", ""))}</td></tr>'
        for a in recent)
    return f'<div class="scroll"><table id="attempts"><tr>{head}</tr>{rows}</table></div>'
