"""Each recipe sounds like what it claims: measured, not listened to.

Every check is a property a listener would name: rain is broadband with many
transients, a siren's pitch sweeps, a heartbeat pulses about once a second, a
clock ticks evenly, a laser falls in pitch, a riser climbs in brightness...
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.signal import find_peaks, stft

from tests.unit.sfx import features as f
from tests.unit.sfx.sounds import mono_of, prompted, rendered

SR = 22050
SEEDS = (0,)

Array = np.ndarray
Check = Callable[[Array], None]


def quiet_share(x: Array, *, below_db: float = -25.0) -> float:
    """Share of 10 ms frames more than ``below_db`` under the loudest one."""
    return float(np.mean(f.envelope_db(x, SR) < below_db))


def check_rain(x: Array) -> None:
    assert f.centroid(x, SR) > 2000  # hiss, not rumble
    assert f.flatness(x, SR) > 0.4  # broadband
    assert f.transient_rate(x, SR) > 40  # many droplet ticks


def check_thunder(x: Array) -> None:
    assert f.band_fraction(x, SR, 0, 300) > 0.6
    level = f.envelope_db(x, SR)
    assert np.argmax(level) < 0.5 * len(level)  # the strike comes early...
    assert level[-50:].max() < -10  # ...and rolls away


def check_wind(x: Array) -> None:
    level = f.envelope_db(x, SR, hop=0.05)
    assert level.std() > 1.0  # gusts
    assert f.transient_rate(x, SR) < 35  # no ticks
    assert f.centroid(x, SR) < 3000


def check_ocean(x: Array) -> None:
    level = np.convolve(f.envelope_db(x, SR, hop=0.05), np.ones(20) / 20, mode="valid")  # 1 s average
    crests, _ = find_peaks(level, prominence=4.0, distance=80)  # 4 s apart at least
    assert 2 <= len(crests) <= 6  # a wave every 5-12 s in 30 s
    assert level.max() - level.min() > 8.0  # that swells and recedes


def check_fire(x: Array) -> None:
    assert f.transient_rate(x, SR) > 15  # crackles
    assert f.band_fraction(x, SR, 0, 1000) > 0.4  # over a low roar


def check_birds(x: Array) -> None:
    _, peaks, _ = f.tracks(x, SR, window=512)
    assert np.median(peaks) > 2000
    assert f.flatness(x, SR) < 0.1  # tonal tweets, not noise


def check_crickets(x: Array) -> None:
    _, peaks, _ = f.tracks(x, SR, window=512)
    assert 3000 < np.median(peaks) < 7000
    assert len(f.onsets(x, SR)) / 6.0 > 1.5  # chirping, not a steady whine


def check_drip(x: Array) -> None:
    assert f.flatness(x, SR) < 0.05  # plinks are pitched
    assert len(f.onsets(x, SR, min_gap=0.3)) >= 3


def check_footsteps(x: Array) -> None:
    assert 0.4 < f.period(x, SR, shortest=0.3, longest=0.9) < 0.75  # a walking pace
    assert f.band_fraction(x, SR, 0, 300) > 0.4  # heel thuds


def check_glass(x: Array) -> None:
    assert f.centroid(x, SR) > 3000
    energy = f.envelope(x, SR) ** 2
    assert energy[:100].sum() > 0.9 * energy.sum()  # it is over within a second


def check_typing(x: Array) -> None:
    assert 3.0 < len(f.onsets(x, SR, min_gap=0.04)) / 6.0 < 14.0


def check_explosion(x: Array) -> None:
    assert f.band_fraction(x, SR, 0, 300) > 0.5
    level = f.envelope_db(x, SR)
    assert np.argmax(level) < 50  # the blast is at the start
    assert level[-100:].max() < -20  # the tail has died by the last second


def check_impact(x: Array) -> None:
    energy = f.envelope(x, SR) ** 2
    assert energy[:80].sum() > 0.95 * energy.sum()
    assert f.band_fraction(x, SR, 0, 300) > 0.5


def check_gunshot(x: Array) -> None:
    level = f.envelope_db(x, SR)
    assert np.argmax(level) < 5  # a crack within 50 ms
    assert level[100:].max() < -20  # echoes gone after a second


def check_metal(x: Array) -> None:
    assert f.flatness(x, SR) < 0.01  # ringing partials
    assert f.envelope_db(x, SR)[40] > -40  # still ringing after 0.4 s


def check_bell(x: Array) -> None:
    assert f.flatness(x, SR) < 0.01
    assert len(f.onsets(x, SR, min_gap=1.0)) >= 2  # tolls


def check_laser(x: Array) -> None:
    assert f.pitch_ratio(x, SR) < 0.5  # falls by more than an octave


def check_coin(x: Array) -> None:
    freqs, _, cells = stft(x, fs=SR, nperseg=512)
    power = np.abs(cells) ** 2
    start = int(np.argmax(power.sum(axis=0) > 0.1 * power.sum(axis=0).max()))
    first = freqs[np.argmax(power[:, start + 1])]
    second = freqs[np.argmax(power[:, start + 12])]  # ~0.14 s later
    assert second > 1.15 * first  # the second note is higher
    assert first > 600


def check_jump(x: Array) -> None:
    assert f.pitch_ratio(x, SR) > 1.3


def check_power_up(x: Array) -> None:
    assert f.pitch_ratio(x, SR) > 2.0  # climbs over an octave


def check_magic(x: Array) -> None:
    assert f.centroid(x, SR) > 1200
    assert f.flatness(x, SR) < 0.1


def check_glitch(x: Array) -> None:
    assert f.jump_rate(x, SR) > 4.0  # abrupt cuts, many a second
    assert f.jump_rate(mono_of(rendered("siren", duration=4.0)), SR) < 1.0  # which a steady sound lacks


def check_click(x: Array) -> None:
    energy = f.envelope(x, SR) ** 2
    assert energy[:15].sum() > 0.95 * energy.sum()  # over in 150 ms


def check_chime(x: Array) -> None:
    assert f.flatness(x, SR) < 0.01
    times, peaks, _ = f.tracks(x, SR, window=1024)
    assert peaks[times < times[0] + 0.5].max() > 1.1 * peaks[0]  # the next note is higher


def check_error(x: Array) -> None:
    _, peaks, _ = f.tracks(x, SR, window=2048)
    assert np.median(peaks) < 450  # a low buzz
    assert len(f.onsets(x, SR, min_gap=0.1)) >= 2


def check_whoosh(x: Array) -> None:
    level = f.envelope(x, SR)
    active = np.flatnonzero(level > 0.05 * level.max())
    peak = np.argmax(level)
    assert active[0] + 5 < peak < active[-1] - 5  # swells then fades
    times, _, cent = f.tracks(x, SR, window=1024, floor_db=-25)
    middle = cent[np.argmin(np.abs(times - peak * 0.01))]
    assert middle > 1.3 * min(cent[0], cent[-1])  # brightest as it passes


def check_riser(x: Array) -> None:
    _, _, cent = f.tracks(x, SR, window=2048, floor_db=-60)
    count = len(cent) // 5
    assert np.median(cent[-count:]) > 2.0 * np.median(cent[:count])
    level = f.envelope(x, SR)
    assert level[-50:].mean() > 4.0 * level[:50].mean()


def check_alarm(x: Array) -> None:
    _, peaks, _ = f.tracks(x, SR, window=1024)
    assert 1500 < np.median(peaks) < 3600
    assert quiet_share(x, below_db=-12) > 0.2  # beeps with gaps


def check_siren(x: Array) -> None:
    _, peaks, _ = f.tracks(x, SR, window=2048)
    assert np.percentile(peaks, 90) > 1.5 * np.percentile(peaks, 10)  # sweeps over a wide range
    smooth = np.convolve(np.log(peaks), np.ones(5) / 5, mode="valid")
    direction = np.sign(np.diff(smooth))
    assert np.mean(direction > 0) > 0.2 and np.mean(direction < 0) > 0.2  # both up and down
    assert quiet_share(x) < 0.02  # continuous


def check_engine(x: Array) -> None:
    assert f.centroid(x, SR) < 800
    assert f.band_fraction(x, SR, 0, 250) > 0.5


def check_helicopter(x: Array) -> None:
    assert 4.0 < f.modulation_rate(x, SR, low=1.0, high=20.0) < 7.5  # blade passes a second


def check_hum(x: Array) -> None:
    freqs, power = f.spectrum(x, SR)
    share = {
        mains: power[np.min(np.abs(freqs[:, None] - mains * np.arange(1, 40)), axis=1) < 4].sum()
        / power.sum()
        for mains in (50.0, 60.0)
    }
    assert max(share.values()) > 0.7  # mains harmonics


def check_phone(x: Array) -> None:
    assert quiet_share(x) > 0.25  # rings, then silence, then rings
    assert f.flatness(x, SR) < 0.05


def check_clock(x: Array) -> None:
    gaps = np.diff(f.onsets(x, SR, min_gap=0.3))
    assert 0.45 < np.median(gaps) < 1.1
    assert gaps.std() / gaps.mean() < 0.1  # evenly spaced


def check_zap(x: Array) -> None:
    assert f.transient_rate(x, SR) > 40


def check_crowd(x: Array) -> None:
    assert 300 < f.centroid(x, SR) < 2500  # the voice band
    assert quiet_share(x) < 0.05  # a continuous murmur


def check_applause(x: Array) -> None:
    assert f.transient_rate(x, SR) > 30
    assert 1000 < f.centroid(x, SR) < 5000


def check_traffic(x: Array) -> None:
    assert f.band_fraction(x, SR, 0, 500) > 0.5


def check_drone(x: Array) -> None:
    assert f.band_fraction(x, SR, 0, 500) > 0.6
    assert quiet_share(x) < 0.02


def check_heartbeat(x: Array) -> None:
    assert 0.66 < f.period(x, SR, shortest=0.5, longest=1.3) < 1.0  # 60-90 beats a minute
    assert f.centroid(x, SR) < 300


CASES: dict[str, tuple[float, Check]] = {
    "rain": (4.0, check_rain),
    "thunder": (6.0, check_thunder),
    "wind": (8.0, check_wind),
    "ocean": (30.0, check_ocean),
    "fire": (6.0, check_fire),
    "birds": (6.0, check_birds),
    "crickets": (6.0, check_crickets),
    "drip": (6.0, check_drip),
    "footsteps": (6.0, check_footsteps),
    "glass": (3.0, check_glass),
    "typing": (6.0, check_typing),
    "explosion": (5.0, check_explosion),
    "impact": (2.0, check_impact),
    "gunshot": (3.0, check_gunshot),
    "metal": (2.0, check_metal),
    "bell": (6.0, check_bell),
    "laser": (1.0, check_laser),
    "coin": (1.0, check_coin),
    "jump": (1.0, check_jump),
    "power_up": (2.0, check_power_up),
    "magic": (3.0, check_magic),
    "glitch": (4.0, check_glitch),
    "click": (1.0, check_click),
    "chime": (2.0, check_chime),
    "error": (1.0, check_error),
    "whoosh": (2.0, check_whoosh),
    "riser": (5.0, check_riser),
    "alarm": (4.0, check_alarm),
    "siren": (10.0, check_siren),
    "engine": (4.0, check_engine),
    "helicopter": (4.0, check_helicopter),
    "hum": (3.0, check_hum),
    "phone": (12.0, check_phone),
    "clock": (8.0, check_clock),
    "zap": (3.0, check_zap),
    "crowd": (6.0, check_crowd),
    "applause": (4.0, check_applause),
    "traffic": (10.0, check_traffic),
    "drone": (6.0, check_drone),
    "heartbeat": (8.0, check_heartbeat),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_recipe_has_its_character(name: str, seed: int) -> None:
    duration, check = CASES[name]
    check(mono_of(rendered(name, duration=duration, sample_rate=SR, seed=seed)))


def test_three_knocks_are_three_onsets() -> None:
    result = prompted("three knocks on the door", duration=2.0)
    assert result.recipe == "knock"
    assert len(f.onsets(mono_of(result), SR, min_gap=0.1)) == 3


def test_most_recipes_have_a_character_check() -> None:
    assert len(CASES) >= 15
