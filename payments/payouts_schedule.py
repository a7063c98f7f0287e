"""The payouts' beat schedules, in the payout time zone rather than Celery's UTC.

Celery's ``crontab`` matches hours in ``self.tz`` (the app's time zone, UTC here); this one
matches them in its own zone, so "the 28th at 03:00" stays 03:00 in Stockholm across
daylight-saving changes. Imported by settings: no Django imports.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from celery.schedules import crontab


class ZonedCrontab(crontab):
    def __init__(self, *args, zone: str = "UTC", **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def __reduce__(self):
        cls, args, kwargs = super().__reduce__()
        return cls, args, {**kwargs, "zone": self.zone}

    def __setstate__(self, state) -> None:
        state = dict(state)
        self.zone = state.pop("zone", "UTC")
        super().__setstate__(state)
        self._orig_kwargs["zone"] = self.zone

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and getattr(other, "zone", None) == self.zone

    __hash__ = crontab.__hash__

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]} {self.zone}>"


def payouts_schedule(day_of_month: int | None, zone: str, *, hour: int = 3) -> ZonedCrontab:
    """At ``hour``:00 in ``zone``, on ``day_of_month`` (None: every day)."""
    return ZonedCrontab(
        minute=0,
        hour=hour,
        day_of_month="*" if day_of_month is None else day_of_month,
        zone=zone,
    )
